"""`arrival prepare-exports [--kind NAME] [--rebuild]`: queue the build of every public export file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrival.reports.prepared import export_kinds
from arrival.reports.services import prepared_files_queue_published


class Command(BaseCommand):
    help = (
        "Queue background builds of every public export file (open data and documents) not built yet, e.g. "
        "after an upgrade; `arrival worker` builds them. --rebuild queues all of them again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", help="only this export kind (e.g. assessments.open_data)")
        parser.add_argument("--rebuild", action="store_true", help="queue files already built too")

    def handle(self, *args: Any, **options: Any) -> None:
        names = [kind.name for kind in export_kinds()]
        if options["kind"] and options["kind"] not in names:
            raise CommandError(f"No export kind {options['kind']!r}; the kinds are: {', '.join(names)}.")
        queued = prepared_files_queue_published(kind=options["kind"], rebuild=options["rebuild"])
        self.stdout.write(f"{queued} file build(s) queued; `arrival worker` builds them.")
