from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "arrival.accounts"
    label = "accounts"
