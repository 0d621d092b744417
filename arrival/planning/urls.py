from django.urls import path

from arrival.planning import urls_exports, views

app_name = "planning"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("new/", views.round_create, name="round_create"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("<int:pk>/open/", views.round_open, name="round_open"),
    path("<int:pk>/close/", views.round_close, name="round_close"),
    path("<int:pk>/localities/", views.localities, name="localities"),
    path("<int:pk>/keys/", views.keys, name="keys"),
    path("<int:pk>/cases/", views.cases, name="cases"),
    path("<int:pk>/case-grants/", views.case_grant_create, name="case_grants"),
    path("<int:pk>/case-grants/<int:grant_id>/revoke/", views.case_grant_revoke, name="case_grant_revoke"),
    path("<int:pk>/outcome-model/", views.outcome_model, name="outcome_model"),
    path("<int:pk>/plans/compute/", views.plan_compute, name="plan_compute"),
    path("<int:pk>/plans/<int:version>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/plans/<int:version>/cases/", views.plan_assignment, name="plan_assignment"),
    path("<int:pk>/plans/<int:version>/publish/", views.plan_publish, name="plan_publish"),
    path("<int:pk>/funding/", views.funding, name="funding"),
    *urls_exports.urlpatterns,
    path("<int:pk>/declaration/<int:actor_id>/", views.declaration, name="declaration"),
    path("<int:pk>/allocation/<int:actor_id>/", views.allocation, name="allocation"),
    path("<int:pk>/allocation/<int:actor_id>/respond/", views.respond, name="respond"),
    path("<int:pk>/objections/<int:response_id>/", views.objection, name="objection"),
]
