"""`arrival restore FOLDER`: restore a backup into an empty database and the media folder, then check row counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrival.core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a folder made by `arrival backup` into the (empty) database DATABASE_URL names and the media "
            "folder; exits 1 if any table's row count differs from the backup's.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path, help="a folder made by `arrival backup`")

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            differences = restore(folder, report=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if differences:
            for table, count in sorted(differences.items()):
                self.stdout.write(f"{table}: {count} rows after the restore, not as in the backup")
            raise CommandError("the restored row counts differ from the backup's")
        self.stdout.write(self.style.SUCCESS("Restored; every table has the row count of the backup."))
