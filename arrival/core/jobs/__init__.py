"""Background jobs with visible progress, and a schedule for periodic jobs.

For other apps, the whole API is::

    from arrival.core.jobs import JobError, job_enqueue, job_get, job_list_for_user, periodic, task

    @task("assessments.import_xlsx")
    def import_xlsx(progress, *, attachment_id):
        progress.update(done=0, total=rows, message=_("Reading rows"))
        ...                      # validate first, then write in one transaction (a service)
        return {"url": "/assessments/…/", "label": _("Open the assessment")}

    job = job_enqueue(name="assessments.import_xlsx", kwargs={"attachment_id": str(a.pk)}, user=user)
    # then redirect to reverse("core:job_detail", args=[job.pk])

`arrival worker` runs them; docs/operations.md describes the worker and the schedule.
"""

from arrival.core.jobs.registry import periodic, task
from arrival.core.jobs.selectors import job_get, job_list_for_user
from arrival.core.jobs.services import JobError, Progress, job_enqueue

__all__ = ["JobError", "Progress", "job_enqueue", "job_get", "job_list_for_user", "periodic", "task"]
