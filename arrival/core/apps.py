from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "arrival.core"
    label = "core"
    verbose_name = "Arrival core"
