from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "arrival.frameworks"
    label = "frameworks"
