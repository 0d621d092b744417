from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrival.actors.services import IMPORT_COLUMNS, MembershipImportError, memberships_import_csv


class Command(BaseCommand):
    help = (
        f"Import memberships from a CSV file with the columns {', '.join(IMPORT_COLUMNS)}: all rows or none. "
        "member is a GeoNames id or an actor slug, network a network slug, dates are YYYY-MM-DD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file (UTF-8) with a header row.")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            result = memberships_import_csv(path=file)
        except MembershipImportError as error:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {message}" for message in error.messages)
            ) from error
        self.stdout.write(
            self.style.SUCCESS(f"Imported {result.created} new and {result.updated} updated memberships from {file}.")
        )
