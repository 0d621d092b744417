from django.urls import path

from arrival.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.index, name="index"),
    path("crosswalk/", views.crosswalk, name="crosswalk"),
    path("<slug:kind>/", views.framework_detail, name="framework"),
    path("<slug:kind>/<str:code>/", views.item_detail, name="item"),
]
