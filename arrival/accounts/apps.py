from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "arrival.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from arrival.accounts.personal_data import register_personal_data
        from arrival.accounts.selectors import sign_in_records_for_user
        from arrival.accounts.services import api_token_authenticate, sign_in_records_erase
        from arrival.core.api import register_token_resolver

        register_token_resolver(api_token_authenticate)
        register_personal_data("sign_in", export=sign_in_records_for_user, erase=sign_in_records_erase)
