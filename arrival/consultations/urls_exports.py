"""Export addresses of consultations (arrival.reports.urls_exports): an outcome document's versions as files."""

from arrival.consultations import exports, views
from arrival.reports.urls_exports import export_path

urlpatterns = [
    export_path(
        "documents/<int:pk>/versions/<int:number>/export.<fmt>",
        views.version_export,
        name="version_export",
        formats=tuple(exports.FORMATS),
    ),
]
