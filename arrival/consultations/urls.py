from django.urls import path

from arrival.consultations import urls_exports, views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.consultation_create, name="create"),
    path("forums/", views.forum_list, name="forum_list"),
    path("forums/<slug:key>/", views.forum_detail, name="forum_detail"),
    path("contributions/<int:pk>/", views.contribution_detail, name="contribution_detail"),
    path("contributions/<int:pk>/edit/", views.contribution_edit, name="contribution_edit"),
    path("contributions/<int:pk>/withdraw/", views.contribution_withdraw, name="contribution_withdraw"),
    path("contributions/<int:pk>/cosign/", views.contribution_cosign, name="contribution_cosign"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/translations/", views.document_translations, name="document_translations"),
    path("documents/<int:pk>/rewrite/", views.version_create, name="version_create"),
    path("documents/<int:pk>/diff/", views.version_diff, name="version_diff"),
    path("documents/<int:pk>/adopt/", views.document_adopt, name="document_adopt"),
    path("documents/<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("documents/<int:pk>/endorsements/", views.endorsement_page, name="endorsements"),
    path("documents/<int:pk>/endorsements/new/", views.endorsement_create, name="endorsement_create"),
    path("comments/<int:pk>/answer/", views.comment_answer, name="comment_answer"),
    path("endorsements/<int:pk>/withdraw/", views.endorsement_withdraw, name="endorsement_withdraw"),
    path("<slug:slug>/", views.consultation_detail, name="detail"),
    path("<slug:slug>/edit/", views.consultation_edit, name="edit"),
    path("<slug:slug>/contribute/", views.contribution_create, name="contribution_create"),
    path("<slug:slug>/compile/", views.outcome_compile, name="compile"),
    *urls_exports.urlpatterns,
]
