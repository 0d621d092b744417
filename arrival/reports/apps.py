from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "arrival.reports"
    label = "reports"
