"""`arrival backup FOLDER`: a consistent copy of the running instance's database and media (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrival.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup, or pg_dump) and the media folder into a new folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path, help="a new (or empty) folder to write the backup into")

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            manifest = backup(folder, report=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backed up to {folder} ({manifest['engine']}, {manifest['finished_at']})."))
