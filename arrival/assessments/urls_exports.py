"""Files of assessments: the questionnaire workbook (the team's), reports and open data (export addresses,
declared with arrival.reports.urls_exports.export_path and listed by its export_patterns())."""

from django.urls import path

from arrival.assessments import report_tasks, views_exports
from arrival.reports.urls_exports import export_path

urlpatterns = [
    path("<int:pk>/questionnaire.xlsx", views_exports.questionnaire_xlsx, name="questionnaire_xlsx"),
    path("<int:pk>/questionnaire/upload/", views_exports.import_xlsx, name="import_xlsx"),
    path("<int:pk>/report.html", views_exports.report_html, name="report"),
    export_path(
        "<int:pk>/report.<fmt>",
        views_exports.report_export,
        name="report_export",
        formats=tuple(report_tasks.REPORT_FORMATS),
    ),
    export_path(
        "<int:pk>/open-data.<fmt>",
        views_exports.open_data_export,
        name="open_data_export",
        formats=tuple(report_tasks.OPEN_DATA_FORMATS),
    ),
    export_path(
        "open-data/scores.<fmt>",
        views_exports.open_data_all_export,
        name="open_data_all_export",
        formats=tuple(report_tasks.OPEN_DATA_FORMATS),
    ),
]
