"""Engagement's schedule, run by `arrival worker` (arrival.core.jobs)."""

from __future__ import annotations

from datetime import timedelta

from arrival.core.jobs import Progress, periodic
from arrival.engagement.services import digests_send, phases_announce


@periodic("engagement.send_digests", every=timedelta(hours=1))
def send_digests(progress: Progress) -> dict[str, int]:
    """E-mail each person's digest once the day (or ISO week) they chose has ended."""
    sent = digests_send()
    progress.update(done=sent, total=sent)
    return {"sent": sent}


@periodic("engagement.announce_phases", every=timedelta(minutes=15))
def announce_phases(progress: Progress) -> dict[str, int]:
    """Tell the apps that own processes, once, that a phase has started."""
    announced = phases_announce()
    progress.update(done=announced, total=announced)
    return {"announced": announced}
