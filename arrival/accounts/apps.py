from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "arrival.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from arrival.accounts.services import api_token_authenticate
        from arrival.core.api import register_token_resolver

        register_token_resolver(api_token_authenticate)
