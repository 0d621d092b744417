"""`arrival reset-second-factor USERNAME`: remove every second-factor device of a person who lost both their
authenticator and their recovery codes, after checking who they are by other means (docs/operations.md).

Their next sign-in leads to setting up a new device (required of staff and powerful roles). On record in the
audit log; site staff can do the same from a session through `accounts.services.second_factor_reset`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrival.accounts import selectors, services


class Command(BaseCommand):
    help = "Remove the second-factor devices and recovery codes of a person who lost both."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="The username the person signs in with.")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        subject = selectors.user_get_by_username(username=username)
        if subject is None:
            raise CommandError(f"No account with the username {username!r}.")
        services.second_factor_reset(user=None, subject=subject)
        self.stdout.write(f"The second factor of {username} is reset: they set up a new device at their next sign-in.")
