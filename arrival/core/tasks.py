"""Core's own periodic housekeeping, run by `arrival worker`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from arrival.core.jobs import Progress, periodic
from arrival.core.models import Attachment, Job, JobStatus

ORPHAN_GRACE = timedelta(days=1)


@periodic("core.prune_orphan_files", every=timedelta(hours=24))
def prune_orphan_files(progress: Progress) -> dict[str, int]:
    """Delete stored attachment files that no attachment row names.

    A file is written before its row commits; when a caller's larger transaction rolls back, the row
    goes and the file stays. Files younger than a day are left alone, as their row may not have committed yet.
    """
    cutoff = timezone.now() - ORPHAN_GRACE
    removed = 0
    years, _files = default_storage.listdir("attachments") if default_storage.exists("attachments") else ([], [])
    months = [f"attachments/{year}/{month}" for year in sorted(years) for month in sorted(default_storage.listdir(f"attachments/{year}")[0])]
    for index, folder in enumerate(months, start=1):
        known = set(Attachment.objects.filter(file__startswith=f"{folder}/").values_list("file", flat=True))
        for name in default_storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if path not in known and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        progress.update(done=index, total=len(months), message=folder)
    return {"removed": removed}


@periodic("core.prune_old_jobs", every=timedelta(hours=24))
def prune_old_jobs(progress: Progress) -> dict[str, int]:
    """Forget finished jobs after ARRIVAL_JOBS_KEEP_DAYS (90 by default); what they changed is in the audit log."""
    cutoff = timezone.now() - timedelta(days=getattr(settings, "ARRIVAL_JOBS_KEEP_DAYS", 90))
    deleted, _by_model = Job.objects.filter(
        status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED], finished_at__lt=cutoff
    ).delete()
    return {"deleted": deleted}
