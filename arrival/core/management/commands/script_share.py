from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.test.utils import override_settings

from arrival.core.languages import base_language
from arrival.core.page_text import page_text, script_shares


class Command(BaseCommand):
    help = ("Print the share of Latin-script letters (and of every other script) in the main text (<main>) of "
            "pages, in each language asked for: how much of a page an Arabic, Chinese or Russian reader meets in "
            "another script.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="addresses of pages on this instance, e.g. /practices/<slug>/")
        parser.add_argument("--language", action="append", dest="languages",
                            help="interface language (repeatable; default ar, zh-hans, ru)")
        parser.add_argument("--user", help="open the pages signed in as this username")

    def handle(self, *args: Any, paths: list[str], languages: list[str] | None = None, user: str | None = None,
               **options: Any) -> None:
        from arrival.accounts.models import User

        client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].strip("[]") or "localhost")
        if user:
            person = User.objects.filter(username=user).first()
            if person is None:
                raise CommandError(f"No user called {user!r}.")
            client.force_login(person)
        # Pages are rendered here, not served: static addresses need no collected manifest.
        plain = {**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        with override_settings(STORAGES=plain):
            self._measure(client, paths, languages or ["ar", "zh-hans", "ru"])

    def _measure(self, client: Client, paths: list[str], languages: list[str]) -> None:
        for language in languages:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for path in paths:
                response = client.get(path)
                if response.status_code != 200:  # noqa: PLR2004 - an HTTP status
                    self.stdout.write(f"{language}\t{path}\tanswered {response.status_code}")
                    continue
                text = page_text(response.content.decode())
                shares = script_shares(text.main_text())
                others = ", ".join(f"{script} {share:.1%}" for script, share in shares.items() if script != "latin")
                # The same, counting only text said to be in the page's language and not marked as a name or
                # code: what is left once records' own texts (with their lang) and names are set aside.
                own = script_shares(piece.text for piece in text.pieces if piece.in_main and piece.source == "text"
                                    and base_language(piece.lang) == base_language(language) and not piece.verbatim)
                self.stdout.write(f"{language}\t{path}\tLatin {shares.get('latin', 0.0):.1%}\t({others})"
                                  f"\tLatin in text in the page's language: {own.get('latin', 0.0):.1%}")
