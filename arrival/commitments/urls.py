from django.urls import path

from arrival.commitments import urls_exports, views

app_name = "commitments"
urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("new/", views.commitment_create, name="create"),
    path("calendar/", views.review_calendar, name="calendar"),
    path("dashboards/", views.dashboard_index, name="dashboards"),
    path("dashboards/government/<slug:slug>/", views.dashboard_government, name="dashboard_government"),
    path("dashboards/network/<slug:slug>/", views.dashboard_network, name="dashboard_network"),
    path("dashboards/forum/<slug:key>/", views.dashboard_forum, name="dashboard_forum"),
    path("dashboards/consultation/<slug:slug>/", views.dashboard_consultation, name="dashboard_consultation"),
    path("dashboards/objective/<str:code>/", views.dashboard_objective, name="dashboard_objective"),
    path("id/<str:public_id>/", views.commitment_by_public_id, name="by_public_id"),
    path("<int:pk>/", views.commitment_detail, name="detail"),
    path("<int:pk>/edit/", views.commitment_edit, name="edit"),
    path("<int:pk>/translations/", views.commitment_translations, name="translations"),
    path("<int:pk>/progress/", views.progress_add, name="progress_add"),
    path("<int:pk>/forum-report/", views.forum_report_add, name="forum_report_add"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("<int:pk>/indicators/<int:indicator_pk>/value/", views.indicator_value, name="indicator_value"),
    *urls_exports.urlpatterns,
    path("<int:pk>/<str:action>/", views.commitment_action, name="action"),
]
