"""Export addresses: `export_path` declares one, `export_patterns` lists them all.

Every app keeps its export addresses in its `urls_exports.py`, declared with `export_path(route, view,
name=…, formats=…)`: the route holds `<fmt>` where the format goes, the name ends in `_export`, and only the
listed formats match (any other suffix is a 404). `export_patterns()` walks the site's URL configuration and
returns each export address with its formats — the list the OpenAPI document and the tests use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, path, register_converter


class _FormatConverter:
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


_converters: dict[tuple[str, ...], str] = {}


def _converter_for(formats: Sequence[str]) -> str:
    key = tuple(sorted(formats))
    if key not in _converters:
        name = "export-" + "-".join(key)
        converter = type(f"ExportFormat_{'_'.join(key)}", (_FormatConverter,), {"regex": "|".join(key)})
        register_converter(converter, name)
        _converters[key] = name
    return _converters[key]


class ExportURLPattern(URLPattern):
    """A URL pattern that is an export address, with the formats it serves."""

    def __init__(self, base: URLPattern, formats: Sequence[str]) -> None:
        super().__init__(base.pattern, base.callback, base.default_args, base.name)
        self.export_formats = tuple(formats)


def export_path(route: str, view: Callable[..., Any], *, name: str, formats: Sequence[str]) -> ExportURLPattern:
    """`path(route, view, name=name)` whose `<fmt>` matches `formats` only; marked as an export address."""
    if "<fmt>" not in route or not name.endswith("_export"):
        raise ValueError("An export route holds <fmt> and its name ends in _export.")
    return ExportURLPattern(path(route.replace("<fmt>", f"<{_converter_for(formats)}:fmt>"), view, name=name), formats)


@dataclass(frozen=True)
class ExportAddress:
    name: str  # "namespace:name", for reverse()
    route: str  # the full route, e.g. "assessments/<int:pk>/open-data.<export-csv-json-xlsx:fmt>"
    formats: tuple[str, ...]


def _walk(patterns: Sequence[Any], prefix: str, namespace: str) -> Iterator[ExportAddress]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, ExportURLPattern):
            yield ExportAddress(
                name=f"{namespace}:{entry.name}".strip(":"),
                route=prefix + str(entry.pattern),
                formats=entry.export_formats,
            )


def export_patterns() -> list[ExportAddress]:
    """Every export address of the site, in URL configuration order."""
    return list(_walk(get_resolver().url_patterns, "", ""))
