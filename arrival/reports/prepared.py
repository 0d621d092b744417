"""Export kinds: what each export address serves, and how its file is built.

An app registers each of its export kinds once, in its `exports` module or a module its `tasks` imports
(so a worker finds it)::

    export_kind_register(ExportKind(
        name="assessments.open_data", formats={"csv": CSV, "json": JSON, "xlsx": XLSX},
        build=build_open_data,          # (params, fmt) -> Built, called in the file's language
        source=lambda params: f"assessments.assessment:{params['pk']}",
        address=lambda params, fmt: reverse("assessments:open_data_export", args=[params["pk"], fmt]),
    ))

Views answer with `arrival.reports.responses.prepared_file_response`; services call
`arrival.reports.services.prepared_files_refresh(source=…)` when a source changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ImproperlyConfigured

CSV = "text/csv; charset=utf-8"
JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKDOWN = "text/markdown; charset=utf-8"


@dataclass(frozen=True)
class Built:
    """A built file: its bytes, or an open binary file rewound to its start (closed after it is stored), and
    the name a download saves it as."""

    content: bytes | IO[bytes]
    filename: str


@dataclass(frozen=True)
class ExportKind:
    name: str
    formats: Mapping[str, str]  # format (the address's suffix) -> media type
    build: Callable[[dict[str, Any], str], Built]
    source: Callable[[dict[str, Any]], str]
    address: Callable[[dict[str, Any], str], str]
    per_language: bool = True  # False: one file whatever the reader's language (the default language's)
    # The parameters of every public file of this kind (for `arrival prepare-exports`); None: none are public.
    published: Callable[[], Iterable[dict[str, Any]]] | None = None


_kinds: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> ExportKind:
    existing = _kinds.get(kind.name)
    if existing is not None and existing.build is not kind.build:
        raise ImproperlyConfigured(f"Export kind {kind.name!r} is registered twice.")
    _kinds[kind.name] = kind
    return kind


def _discover() -> None:
    # Apps register their kinds in their `exports` module or one their `tasks` imports; a worker may not
    # have loaded them yet.
    from django.utils.module_loading import autodiscover_modules

    from arrival.core.jobs.registry import autodiscover

    autodiscover()
    autodiscover_modules("exports")


def export_kind_get(name: str) -> ExportKind:
    if name not in _kinds:
        _discover()
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No export kind is registered as {name!r}.") from None


def export_kinds() -> list[ExportKind]:
    """Every registered export kind, by name."""
    _discover()
    return sorted(_kinds.values(), key=lambda kind: kind.name)


def file_key(*, kind: str, params: Mapping[str, Any], fmt: str, language: str) -> str:
    """The one name of a prepared file: kind, parameters (sorted JSON), format and language."""
    return f"{kind}:{json.dumps(dict(params), sort_keys=True, separators=(',', ':'))}:{fmt}:{language}"
