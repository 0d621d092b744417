"""Writes of the job queue: enqueue, claim, run, recover, and the periodic schedule.

The queue lives in the project's own database (the `core_job` table), so it works the same on the
embedded SQLite file and on PostgreSQL with no extra service. Claims are compare-and-swap updates
(`status=queued` → `running`), so two workers never run one job; on PostgreSQL the candidate is picked
with `SELECT … FOR UPDATE SKIP LOCKED`, on SQLite the IMMEDIATE transaction mode serialises claims.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrival.core.jobs.registry import Task, periodic_tasks, task_get
from arrival.core.models import Job, JobStatus, PeriodicSchedule

logger = logging.getLogger("arrival.jobs")

MESSAGE_MAX = 300


class JobError(Exception):
    """A failure whose message is meant for the person who started the job (already translated)."""


def _stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "ARRIVAL_JOBS_STALE_SECONDS", 300))


class Progress:
    """The handle a task reports through: `progress.update(done=, total=, message=)`.

    Writes are throttled (at most one every `interval` seconds) and double as the job's heartbeat. Inside
    a transaction the task opened, the write waits: it would otherwise only become visible when the
    task's transaction commits (and on SQLite it would hold the write lock longer); the final values are
    always stored when the job ends. Report progress while reading and validating, then write in one
    short transaction.
    """

    def __init__(self, job: Job, *, interval: float = 0.5) -> None:
        self.job = job
        self.interval = interval
        self.done = job.progress_done
        self.total = job.progress_total
        self.message = job.message
        self._last_write: float | None = None

    def update(self, *, done: int | None = None, total: int | None = None, message: str | None = None) -> None:
        if done is not None:
            self.done = max(0, int(done))
        if total is not None:
            self.total = max(0, int(total))
        if message is not None:
            self.message = str(message)[:MESSAGE_MAX]
        if self._last_write is None or time.monotonic() - self._last_write >= self.interval:
            self.flush()

    def flush(self) -> None:
        if connection.in_atomic_block:
            return
        Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(**self.fields(), heartbeat_at=timezone.now())
        self._last_write = time.monotonic()

    def fields(self) -> dict[str, Any]:
        return {"progress_done": self.done, "progress_total": self.total, "message": self.message}


def job_enqueue(*, name: str, kwargs: dict[str, Any] | None = None, user: Any = None, label: str = "") -> Job:
    """Queue the registered task `name` with JSON `kwargs` for `user`; returns the job (its page is `/jobs/<id>/`).

    The row is written in the caller's transaction, so a worker sees it only once that commits, and never
    if it rolls back. With `ARRIVAL_JOBS_EAGER` the job runs in this process right after the commit.
    """
    if task_get(name) is None:
        raise LookupError(f"No background task is registered as {name!r}.")
    kwargs = dict(kwargs or {})
    try:
        json.dumps(kwargs)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"The arguments of task {name!r} must be JSON: {exc}") from exc
    job = Job.objects.create(
        name=name,
        kwargs=kwargs,
        user=user if getattr(user, "is_authenticated", False) else None,
        label=str(label)[:200],
    )
    if getattr(settings, "ARRIVAL_JOBS_EAGER", False):
        transaction.on_commit(lambda: job_run_eager(job_id=job.pk))
    return job


def job_claim_next(*, worker: str) -> Job | None:
    """Take the oldest queued job for `worker`, or None when the queue is empty."""
    while True:
        with transaction.atomic():
            candidates = Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at")
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            job = candidates.only("pk").first()
            if job is None:
                return None
            if _mark_running(job.pk, worker=worker):
                return Job.objects.select_related("user").get(pk=job.pk)
        # Another worker took it between our read and our update: look again.


def _mark_running(job_id: Any, *, worker: str) -> bool:
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, worker=worker[:120], attempts=F("attempts") + 1,
            started_at=now, heartbeat_at=now, error="", error_detail="",
        )
    )


def job_run_eager(*, job_id: Any) -> None:
    """Run one queued job in this process (`ARRIVAL_JOBS_EAGER`): the same path a worker takes."""
    if _mark_running(job_id, worker="eager"):
        job_execute(Job.objects.select_related("user").get(pk=job_id))


def job_execute(job: Job) -> None:
    """Run a claimed job's task and store its result or error. Never raises for a task's failure."""
    entry = task_get(job.name)
    progress = Progress(job)
    language = getattr(job.user, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        if entry is None:
            _finish(job, progress, status=JobStatus.FAILED, error=_("This kind of job is no longer available."),
                    detail=f"No task registered as {job.name!r} in this worker.")
            return
        try:
            result = entry.func(progress, **job.kwargs)
            json.dumps(result)
        except JobError as exc:
            _finish(job, progress, status=JobStatus.FAILED, error=str(exc))
        except ValidationError as exc:
            _finish(job, progress, status=JobStatus.FAILED, error="\n".join(str(m) for m in exc.messages))
        except Exception as exc:  # noqa: BLE001 - a job records every failure, whatever its kind
            logger.exception("Job %s (%s) failed", job.pk, job.name)
            _finish(job, progress, status=JobStatus.FAILED,
                    error=_("The job stopped because of an unexpected error. Site staff can see the details."),
                    detail="".join(traceback.format_exception(exc))[-20000:])
        else:
            _finish(job, progress, status=JobStatus.SUCCEEDED, result=result)


def _finish(job: Job, progress: Progress, *, status: str, result: Any = None, error: str = "", detail: str = "") -> None:
    now = timezone.now()
    fields = progress.fields()
    if status == JobStatus.SUCCEEDED and progress.total is not None:
        fields["progress_done"] = progress.total
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
        status=status, result=result, error=error, error_detail=detail, finished_at=now, heartbeat_at=now, **fields
    )
    if not updated:
        logger.warning("Job %s finished after it was given up as stale; its outcome is not recorded.", job.pk)


def jobs_heartbeat(*, job_ids: list[Any]) -> None:
    """Mark running jobs as alive (the worker's main loop calls this while tasks run)."""
    if job_ids:
        Job.objects.filter(pk__in=job_ids, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())


def jobs_recover_stale(*, now: datetime | None = None) -> int:
    """Requeue or fail jobs whose worker stopped giving signs of life.

    A job still "running" with no heartbeat for `ARRIVAL_JOBS_STALE_SECONDS` had its worker die; its
    task's own transaction was rolled back with the connection, so it is safe to start again. It is
    requeued while it has attempts left (`max_attempts`, 2 by default), and failed after that.
    """
    now = now or timezone.now()
    recovered = 0
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - _stale_after())
    for job in stale.only("pk", "name", "attempts", "heartbeat_at"):
        entry: Task | None = task_get(job.name)
        unchanged = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at)
        if entry is not None and job.attempts < entry.max_attempts:
            recovered += unchanged.update(status=JobStatus.QUEUED, worker="",
                                          message=_("Started again: the worker running this job stopped."))
        else:
            recovered += unchanged.update(
                status=JobStatus.FAILED, finished_at=now,
                error=_("The worker running this job stopped, and the job was not started again."),
                error_detail=f"No heartbeat since {job.heartbeat_at} after {job.attempts} attempt(s).",
            )
    return recovered


def _period_start(moment: datetime, every: timedelta) -> datetime:
    seconds = every.total_seconds()
    return datetime.fromtimestamp((moment.timestamp() // seconds) * seconds, tz=UTC)


def schedules_enqueue_due(*, now: datetime | None = None) -> list[Job]:
    """Enqueue each periodic task whose period has come, exactly once per period across all workers.

    Each schedule row holds `next_run_at`; a worker claims a period by moving it forward with an update
    that matches the value it read, so of two workers reading the same row only one update matches.
    """
    now = now or timezone.now()
    enqueued: list[Job] = []
    for entry in periodic_tasks():
        assert entry.every is not None  # noqa: S101 - periodic_tasks() returns only scheduled tasks
        every_seconds = int(entry.every.total_seconds())
        schedule, _created = PeriodicSchedule.objects.get_or_create(
            name=entry.name,
            defaults={"every_seconds": every_seconds, "next_run_at": _period_start(now, entry.every)},
        )
        if schedule.every_seconds != every_seconds:
            # The period changed in code: start the new rhythm at the current period.
            PeriodicSchedule.objects.filter(pk=schedule.pk, every_seconds=schedule.every_seconds).update(
                every_seconds=every_seconds, next_run_at=_period_start(now, entry.every)
            )
            schedule.refresh_from_db()
        if schedule.next_run_at > now:
            continue
        with transaction.atomic():
            claimed = PeriodicSchedule.objects.filter(pk=schedule.pk, next_run_at=schedule.next_run_at).update(
                next_run_at=_period_start(now, entry.every) + entry.every
            )
            if claimed:
                job = job_enqueue(name=entry.name, kwargs={}, label=entry.name)
                PeriodicSchedule.objects.filter(pk=schedule.pk).update(last_job=job)
                enqueued.append(job)
    return enqueued
