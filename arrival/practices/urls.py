from django.urls import path

from arrival.practices import urls_exports, views
from arrival.practices.feeds import LatestPracticesFeed

app_name = "practices"
urlpatterns = [
    path("", views.practice_list, name="list"),
    path("new/", views.practice_create, name="create"),
    path("feed/", LatestPracticesFeed(), name="feed"),
    *urls_exports.urlpatterns,
    path("replication/", views.replication, name="replication"),
    path("curation/", views.curation_queue, name="queue"),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/", views.review_page, name="review"),
    path("reviews/<int:pk>/respond/", views.review_respond, name="review_respond"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<slug:slug>/", views.call_detail, name="call_detail"),
    path("calls/<slug:slug>/translations/", views.call_translations, name="call_translations"),
    path("<slug:slug>/", views.practice_detail, name="detail"),
    path("<slug:slug>/edit/", views.practice_edit, name="edit"),
    path("<slug:slug>/translations/", views.practice_translations, name="translations"),
    path("<slug:slug>/more/", views.practice_extras, name="extras"),
    path("<slug:slug>/more/<str:kind>/", views.practice_extra_add, name="extra_add"),
    path("<slug:slug>/adaptation/", views.practice_adaptation, name="adaptation"),
    path("<slug:slug>/submit/", views.practice_submit, name="submit"),
    path("<slug:slug>/screen/", views.practice_screen, name="screen"),
    path("<slug:slug>/reviewers/", views.practice_reviewers, name="reviewers"),
    path("<slug:slug>/reviewers/assign/", views.practice_assign, name="assign"),
    path("<slug:slug>/decide/", views.practice_decide, name="decide"),
]
