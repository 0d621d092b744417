from django.urls import path

from arrival.engagement import views

app_name = "engagement"

urlpatterns = [
    path("work/", views.my_work, name="my_work"),
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("comments/new/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/remove/", views.comment_remove, name="comment_remove"),
    path("reports/new/", views.report_create, name="report_create"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/decide/", views.moderation_decide, name="moderation_decide"),
    path("moderation/history/", views.moderation_history, name="moderation_history"),
]
