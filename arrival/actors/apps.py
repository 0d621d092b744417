from django.apps import AppConfig


class ActorsConfig(AppConfig):
    name = "arrival.actors"
    label = "actors"
