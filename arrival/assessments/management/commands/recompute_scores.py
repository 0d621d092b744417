"""`arrival recompute-scores [--assessment ID] [--check]`: recompute published scores from the database.

Every published assessment is rescored with the batch path (`score_batch`) from its stored answers, its
intervals with the seeded Monte Carlo, and every stored number a page, export, benchmark or the API serves is
compared bit for bit with the fresh one (`arrival.assessments.scores.recompute` lists them). Each difference
is printed as `assessment ID (GOVERNMENT CYCLE): FIELD: stored X, recomputed Y`. Without `--check`,
assessments that differ are rewritten; with it, nothing is written and any difference — or a framework whose
stored content no longer matches its checksum — makes the command exit with status 1.
"""

from __future__ import annotations

import time
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from arrival.assessments.models import Assessment, AssessmentStatus
from arrival.assessments.scores import recompute

_SHOWN = 200  # differences printed; the summary line counts them all


class Command(BaseCommand):
    help = ("Recompute published assessment scores from their answers and compare every stored number (overall, "
            "domains, sub-categories, bands, coverage, intervals) bit for bit.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--assessment", type=int, action="append", dest="assessments", metavar="ID",
                            help="Only this published assessment (repeat for several).")
        parser.add_argument("--check", action="store_true",
                            help="Write nothing; exit with status 1 if any stored number differs.")
        parser.add_argument("--chunk", type=int, default=2_000, help="Assessments scored per batch (memory bound).")

    def handle(self, *args: Any, assessments: list[int] | None = None, check: bool = False, chunk: int = 2_000,
               **options: Any) -> None:
        published = Assessment.objects.filter(status=AssessmentStatus.PUBLISHED)
        if assessments:
            missing = sorted(set(assessments) - set(published.filter(pk__in=assessments).values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"Not published or not found: {', '.join(map(str, missing))}")
            published = published.filter(pk__in=assessments)
        total = published.count()
        started = time.perf_counter()
        stream = cast(TextIO, self.stderr._out)  # the wrapped stream itself: tqdm redraws its line with "\r"
        with tqdm(total=total, unit="assessment", desc="recompute", disable=options.get("verbosity", 1) < 1,
                  file=stream) as bar:
            report = recompute(assessment_ids=assessments, check=check, chunk=chunk, progress=bar.update)
        seconds = time.perf_counter() - started
        for problem in report.frameworks:
            self.stdout.write(problem)
        lines = [f"assessment {d.assessment_id} ({d.label}): {field}" for d in report.differing for field in d.fields]
        for line in lines[:_SHOWN]:
            self.stdout.write(line)
        if len(lines) > _SHOWN:
            self.stdout.write(f"… and {len(lines) - _SHOWN} more differences")
        self.stdout.write(
            f"{report.checked} published assessments recomputed in {seconds:.1f} s: {report.identical} identical "
            f"bit for bit, {len(report.differing)} differing"
            + ("" if check else f", {report.rewritten} rewritten")
        )
        if check and (report.differing or report.frameworks):
            raise SystemExit(1)
