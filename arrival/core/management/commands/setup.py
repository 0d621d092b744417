from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from arrival.core.setup_steps import DEMO, steps


class Command(BaseCommand):
    help = "Migrate, then load reference data, real places and networks, and demo content. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Skip demo content.")
        parser.add_argument("--min-population", type=int, default=None,
                            help="Load real cities down to this population (default 15,000: 34,006 cities).")

    def handle(self, *args, no_demo: bool = False, min_population: int | None = None, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        for step in steps():
            if no_demo and step.order >= DEMO:
                continue
            started = time.perf_counter()
            self.stdout.write(f"· {step.label or step.name} …")
            step.run(stdout=self.stdout, min_population=min_population)
            self.stdout.write(f"  done in {time.perf_counter() - started:.1f} s")
        self.stdout.write(self.style.SUCCESS("Arrival is set up."))
