"""Participation's schedule, run by `arrival worker` (arrival.core.jobs)."""

from __future__ import annotations

from datetime import timedelta

from arrival.core.jobs import Progress, periodic


@periodic("participation.enforce_retention", every=timedelta(days=1))
def enforce_retention(progress: Progress | None) -> dict[str, int]:
    """Anonymise the processes whose retention period (months after their last phase) has ended."""
    from arrival.participation.services import retention_enforce

    anonymised = retention_enforce()
    if progress is not None:
        progress.update(done=anonymised, total=anonymised)
    return {"anonymised": anonymised}
