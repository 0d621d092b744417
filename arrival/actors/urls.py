from django.urls import path

from arrival.actors import views

app_name = "actors"
urlpatterns = [
    path("places/", views.place_search, name="place_search"),
    path("places/suggest/", views.place_suggest, name="place_suggest"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor_detail"),
    path("countries/<str:code>/", views.country_detail, name="country_detail"),
    path("networks/", views.network_list, name="network_list"),
    path("networks/<slug:slug>/", views.network_detail, name="network_detail"),
    path("network-map/", views.network_map, name="network_map"),
]
