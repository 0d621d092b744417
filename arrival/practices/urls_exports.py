"""Export addresses of practices (arrival.reports.urls_exports): every published practice as open data."""

from arrival.practices import exports, views
from arrival.reports.urls_exports import export_path

urlpatterns = [
    export_path(
        "open-data.<fmt>", views.open_data_export, name="open_data_export", formats=tuple(exports.FORMATS)
    ),
]
