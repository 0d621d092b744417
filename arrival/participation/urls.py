from django.urls import path

from arrival.participation import views

app_name = "participation"

urlpatterns = [
    path("", views.process_list, name="process_list"),
    path("new/", views.process_create, name="process_create"),
    path("guest/<str:token>/", views.guest_return, name="guest_return"),
    path("join/<str:token>/", views.group_join, name="group_join"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/support/", views.support, name="support"),
    path("proposals/<int:pk>/follow/", views.follow, name="follow"),
    path("proposals/<int:pk>/remove/", views.proposal_remove, name="proposal_remove"),
    path("proposals/<int:pk>/answer/", views.answer, name="answer"),
    path("proposals/<int:pk>/translation/", views.translation, name="translation"),
    path("proposals/<int:pk>/link/", views.link, name="link"),
    path("proposals/<int:pk>/commitments/", views.commitment_search, name="commitment_search"),
    path("proposals/<int:pk>/link-commitment/", views.link_commitment, name="link_commitment"),
    path("<slug:slug>/", views.process_detail, name="process_detail"),
    path("<slug:slug>/propose/", views.proposal_create, name="proposal_create"),
    path("<slug:slug>/edit/", views.process_edit, name="process_edit"),
    path("<slug:slug>/translations/", views.process_translations, name="process_translations"),
    path("<slug:slug>/groups/", views.group_create, name="group_create"),
    path("<slug:slug>/statuses/", views.statuses, name="statuses"),
    path("<slug:slug>/report-back/", views.report_back, name="report_back"),
    path("<slug:slug>/map/", views.proposal_map, name="map"),
    path("<slug:slug>/about-you/", views.demographics, name="demographics"),
]
