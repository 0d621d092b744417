from django.urls import path

from arrival.core import views

app_name = "core"
urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/status/", views.job_status, name="job_status"),
    path("attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment_download"),
]
