"""`arrival reindex-practices`: rebuild practice search (full text and meaning vectors) with progress bars.

Published practices are indexed; any other practice is taken out of search. Meaning vectors whose text is
unchanged are kept (`--force` recomputes them all). `--background` queues the "practices.embed" job for the
vectors instead, for `arrival worker` to run with progress on the job's page.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from arrival.core import embeddings
from arrival.core.jobs import job_enqueue
from arrival.practices import search
from arrival.practices.models import Practice, PracticeEmbedding, ReviewStage


class Command(BaseCommand):
    help = "Rebuild the full-text index and the meaning vectors of practices."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Recompute every meaning vector, changed or not.")
        parser.add_argument("--background", action="store_true",
                            help="Index full text now and queue the meaning vectors as a background job.")

    def handle(self, *args: Any, force: bool = False, background: bool = False, **options: Any) -> None:
        if force:
            PracticeEmbedding.objects.all().delete()
            embeddings.vector_matrix_forget(PracticeEmbedding)
        total = Practice.objects.filter(stage=ReviewStage.PUBLISHED).count()
        quiet = options.get("verbosity", 1) < 1
        started = time.perf_counter()
        bars = {
            "text": tqdm(total=total, unit="practice", desc="full text", disable=quiet),
            "meaning": tqdm(total=total, unit="practice", desc="meaning", disable=quiet or background),
        }

        def advance(step: str, count: int) -> None:
            bars[step].update(count)

        if background:
            outcome = search.practices_reindex(on_progress=advance, embed=False)
            job = job_enqueue(name="practices.embed", kwargs={"practice_ids": None}, label="Re-index practice meaning")
            self.stdout.write(f"Meaning vectors queued as job {job.pk}.")
        else:
            outcome = search.practices_reindex(on_progress=advance)
        for bar in bars.values():
            bar.close()
        self.stdout.write(
            f"{outcome['indexed']} practices in full text; {outcome.get('embedded', 0)} vectors computed, "
            f"{outcome.get('unchanged', 0)} unchanged; {time.perf_counter() - started:.1f} s."
        )
