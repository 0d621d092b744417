"""Every published practice as one open-data file (CSV, JSON or XLSX), under the deployment's licence.

The export kind "practices.open_data" (arrival.reports.prepared): a background job builds the files when a
practice that is or was published changes (the change hook of services.py); the address serves the latest
built file. Each file names its licence, its source address and the framework versions the tags point to.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from arrival.core.site import absolute_url
from arrival.practices import selectors
from arrival.practices.models import Practice
from arrival.reports.exports import OpenDataMeta, open_data_file
from arrival.reports.prepared import CSV, JSON, XLSX, Built, ExportKind, export_kind_register
from arrival.reports.services import prepared_files_refresh

KIND_OPEN_DATA = "practices.open_data"
SOURCE = "practices.published"
FORMATS = {"csv": CSV, "json": JSON, "xlsx": XLSX}
OPEN_DATA_VERSION = "practices-1"


def _address(params: dict[str, Any], fmt: str) -> str:
    return reverse("practices:open_data_export", args=[fmt])


def _build(params: dict[str, Any], fmt: str) -> Built:
    versions = selectors.tag_framework_versions()
    meta = OpenDataMeta(
        title="Arrival: published, peer-reviewed practices",
        version=OPEN_DATA_VERSION,
        source=absolute_url(_address(params, fmt)),
        notes={"tag_framework_versions": versions} if versions else {},
    )
    return Built(
        content=open_data_file(fmt, selectors.OPEN_DATA_COLUMNS, selectors.open_data_rows(), meta),
        filename=f"arrival-practices.{fmt}",
    )


export_kind_register(
    ExportKind(
        name=KIND_OPEN_DATA,
        formats=FORMATS,
        build=_build,
        source=lambda params: SOURCE,
        address=_address,
        per_language=False,
        published=lambda: [{}],
    )
)


def practice_changed(practice_id: int) -> None:
    """After a committed change: a practice that is or was published changes the open data; rebuild it."""
    if Practice.objects.filter(pk=practice_id, published_at__isnull=False).exists():
        prepared_files_refresh(source=SOURCE, kinds=[(KIND_OPEN_DATA, {})])
