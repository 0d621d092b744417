"""Background tasks of reports: building the prepared file of one export address."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from arrival.core.jobs import Progress, task
from arrival.reports.prepared import export_kind_get
from arrival.reports.services import TASK_PREPARE, prepared_file_build


@task(TASK_PREPARE)
def prepare_file(
    progress: Progress, *, key: str, kind: str, params: dict[str, Any], fmt: str, language: str
) -> dict[str, Any]:
    """Build the file `key` (kind, params, format, language) and make it the one its address serves."""
    progress.update(done=0, total=1, message=_("Preparing the file"))
    row = prepared_file_build(kind=kind, params=params, fmt=fmt, language=language)
    return {
        "url": export_kind_get(kind).address(params, fmt),
        "label": _("Download the %(kind)s file") % {"kind": fmt.upper()},
        "size": row.size,
    }
