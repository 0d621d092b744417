from django.urls import path
from django.views.generic import RedirectView

from arrival.assessments import views, views_outcomes

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # The address the dashboard had first: kept for links and bookmarks made then.
    path("dashboard/", RedirectView.as_view(pattern_name="assessments:dashboard", permanent=True)),
    path("methods/", views.methods, name="methods"),
    path("government/<slug:slug>/", views.government_assessments, name="government"),
    path("government/<slug:slug>/open/", views.assessment_open, name="open"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("<int:pk>/outcomes/", views_outcomes.outcomes, name="outcomes"),
    path("<int:pk>/answers/<str:code>/", views.answer_save, name="answer_save"),
    path("<int:pk>/answers/<str:code>/note/", views.team_comment, name="team_comment"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/validation/", views.validation_page, name="validation"),
    path("<int:pk>/validation/start/", views.validation_start, name="validation_start"),
    path("<int:pk>/validation/decide/", views.validation_decide, name="validation_decide"),
    path("<int:pk>/validation/<str:code>/", views.validation_comment, name="validation_comment"),
    path("<int:pk>/consultation/", views.consultation_page, name="consultation"),
    path("<int:pk>/consultation/<str:code>/", views.consultation_comment, name="consultation_comment"),
    path("<int:pk>/settings/", views.assessment_settings, name="settings"),
    path("<int:pk>/validators/suggest/", views.validator_suggest, name="validator_suggest"),
    path("<int:pk>/publish/", views.assessment_publish, name="publish"),
    path("<int:pk>/history/", views.assessment_history, name="history"),
    path("<int:pk>/gaps/", views.gaps, name="gaps"),
    path("<int:pk>/benchmark/", views.benchmark, name="benchmark"),
    path("<int:pk>/frameworks/", views.framework_views, name="framework_views"),
]
