"""The schedule of commitments: reminders before milestones and forums' submission deadlines."""

from __future__ import annotations

from datetime import timedelta

from arrival.commitments import file_once  # noqa: F401 - registers the file-once export kind for workers
from arrival.core.jobs import Progress, periodic


@periodic("commitments.send_reminders", every=timedelta(hours=6))
def send_reminders(progress: Progress) -> dict[str, int]:
    """Milestones due and submission windows closing within 14 days; every reminder goes out once."""
    from arrival.commitments.services import reminders_send

    return {"sent": reminders_send()}
