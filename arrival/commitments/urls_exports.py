"""Export addresses of commitments (arrival.reports.urls_exports): a commitment in a registry's form fields."""

from arrival.commitments import file_once, views
from arrival.reports.urls_exports import export_path

urlpatterns = [
    export_path(
        "<int:pk>/file-once/<str:form>.<fmt>",
        views.commitment_file_once,
        name="file_once_export",
        formats=tuple(file_once.FORMATS),
    ),
]
