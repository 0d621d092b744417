from django.urls import path

from arrival.assessments import views_exports

urlpatterns = [
    path("<int:pk>/questionnaire.xlsx", views_exports.questionnaire_xlsx, name="questionnaire_xlsx"),
    path("<int:pk>/questionnaire/upload/", views_exports.import_xlsx, name="import_xlsx"),
    path("<int:pk>/report.<str:fmt>", views_exports.report, name="report"),
    path("<int:pk>/open-data.<str:fmt>", views_exports.open_data, name="open_data"),
    path("open-data/scores.<str:fmt>", views_exports.open_data_all, name="open_data_all"),
]
