"""Export addresses of planning (arrival.reports.urls_exports): a round's funding transfers, for its planners."""

from arrival.planning import exports, views
from arrival.reports.urls_exports import export_path

urlpatterns = [
    export_path(
        "<int:pk>/funding/transfers.<fmt>",
        views.funding_export,
        name="funding_export",
        formats=tuple(exports.FORMATS),
    ),
]
