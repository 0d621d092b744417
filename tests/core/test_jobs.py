"""The job queue: enqueue → worker → progress and result; failures; stale jobs; the schedule; eager mode."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from arrival.core.jobs import JobError, Progress, job_enqueue, job_list_for_user, periodic, task
from arrival.core.jobs.registry import autodiscover, periodic_tasks
from arrival.core.jobs.services import job_claim_next, jobs_recover_stale, schedules_enqueue_due
from arrival.core.models import AuditEvent, Job, JobStatus, PeriodicSchedule

seen_progress: list[tuple[int, int | None, str]] = []


@task("tests.core.count")
def count_task(progress, *, n: int, fail: bool = False):
    progress.update(total=n, message="Counting")
    for i in range(n):
        progress.update(done=i + 1)
    job = Job.objects.get(pk=progress.job.pk)
    seen_progress.append((job.progress_done, job.progress_total, job.message))
    with transaction.atomic():
        for i in range(n):
            AuditEvent.objects.create(action="tests.count", target_type="tests.row", target_id=str(i))
        if fail:
            raise JobError("Row 3: the level must be between 0 and 4.")
    return {"counted": n, "url": "/jobs/", "label": "See all jobs"}


@task("tests.core.crash")
def crash_task(progress):
    raise RuntimeError("internal detail")


@periodic("tests.core.tick", every=timedelta(hours=1))
def tick_task(progress):
    return {"ticked": True}


def _skip_on_shared_cache_sqlite() -> None:
    # The in-memory SQLite test database shares one cache between threads, with table locks that fail at
    # once instead of waiting; the file database Arrival really uses waits (WAL + busy_timeout).
    # test_two_worker_processes_on_a_sqlite_file covers SQLite with real processes instead.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a database file; covered by the two-process SQLite test")


def _rows() -> int:
    return AuditEvent.objects.filter(action="tests.count").count()


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_job_and_stores_progress_and_result(make_user):
    user = make_user("officer")
    seen_progress.clear()
    job = job_enqueue(name="tests.core.count", kwargs={"n": 5}, user=user, label="Count five")
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED

    call_command("worker", "--once", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"counted": 5, "url": "/jobs/", "label": "See all jobs"}
    assert (job.progress_done, job.progress_total, job.message) == (5, 5, "Counting")
    assert job.attempts == 1 and job.started_at and job.finished_at and job.worker
    # The first update is written at once, so the page shows progress while the task runs.
    assert seen_progress[0][1] == 5 and seen_progress[0][2] == "Counting"
    assert _rows() == 5
    assert list(job_list_for_user(user=user)) == [job]


@pytest.mark.django_db(transaction=True)
def test_failed_job_rolls_back_its_writes_and_shows_the_error():
    job = job_enqueue(name="tests.core.count", kwargs={"n": 4, "fail": True})
    call_command("worker", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "Row 3: the level must be between 0 and 4."
    assert job.result is None
    assert _rows() == 0


@pytest.mark.django_db(transaction=True)
def test_unexpected_error_is_hidden_from_the_user_but_kept_for_staff():
    job = job_enqueue(name="tests.core.crash")
    call_command("worker", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "internal detail" not in job.error
    assert "RuntimeError: internal detail" in job.error_detail


@pytest.mark.django_db(transaction=True)
def test_enqueue_in_a_rolled_back_transaction_leaves_no_job():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        job_enqueue(name="tests.core.count", kwargs={"n": 1})
        1 / 0  # noqa: B018 - the caller's write fails after enqueuing
    assert not Job.objects.filter(name="tests.core.count").exists()


@pytest.mark.django_db
def test_enqueue_refuses_unknown_task_and_non_json_arguments():
    with pytest.raises(LookupError):
        job_enqueue(name="tests.core.nope")
    with pytest.raises(TypeError):
        job_enqueue(name="tests.core.count", kwargs={"n": object()})
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_job():
    _skip_on_shared_cache_sqlite()
    jobs = [job_enqueue(name="tests.core.count", kwargs={"n": 1}) for _ in range(6)]
    call_command("worker", "--once", "--concurrency", "3", stdout=io.StringIO())
    statuses = set(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", "attempts"))
    assert statuses == {(JobStatus.SUCCEEDED, 1)}
    assert _rows() == 6


@pytest.mark.django_db
def test_eager_mode_runs_on_commit(settings, django_capture_on_commit_callbacks):
    settings.ARRIVAL_JOBS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(name="tests.core.count", kwargs={"n": 3})
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # not before the commit
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["counted"] == 3 and job.worker == "eager"


@pytest.mark.django_db
def test_stale_job_is_retried_then_failed(settings):
    settings.ARRIVAL_JOBS_STALE_SECONDS = 60
    old = datetime(2030, 1, 1, tzinfo=UTC)
    first = Job.objects.create(name="tests.core.count", kwargs={"n": 1}, status=JobStatus.RUNNING,
                               attempts=1, heartbeat_at=old, started_at=old)
    last = Job.objects.create(name="tests.core.count", kwargs={"n": 1}, status=JobStatus.RUNNING,
                              attempts=2, heartbeat_at=old, started_at=old)
    alive = Job.objects.create(name="tests.core.count", kwargs={"n": 1}, status=JobStatus.RUNNING,
                               attempts=1, heartbeat_at=old + timedelta(seconds=50), started_at=old)

    assert jobs_recover_stale(now=old + timedelta(seconds=61)) == 2

    first.refresh_from_db(), last.refresh_from_db(), alive.refresh_from_db()
    assert first.status == JobStatus.QUEUED and first.message
    assert last.status == JobStatus.FAILED and "stopped" in last.error
    assert alive.status == JobStatus.RUNNING


def _tick_jobs() -> int:
    return Job.objects.filter(name="tests.core.tick").count()


@pytest.mark.django_db
def test_periodic_job_enqueued_once_per_period():
    now = datetime(2030, 5, 1, 10, 20, tzinfo=UTC)
    assert "tests.core.tick" in [j.name for j in schedules_enqueue_due(now=now)]
    schedules_enqueue_due(now=now + timedelta(minutes=30))
    assert _tick_jobs() == 1
    assert PeriodicSchedule.objects.get(name="tests.core.tick").next_run_at == datetime(2030, 5, 1, 11, tzinfo=UTC)
    schedules_enqueue_due(now=now + timedelta(minutes=45))
    assert _tick_jobs() == 2
    # A worker that was down for hours enqueues one job for the current period, not one per missed period.
    schedules_enqueue_due(now=now + timedelta(hours=7))
    assert _tick_jobs() == 3


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claimers_enqueue_a_period_once():
    _skip_on_shared_cache_sqlite()
    now = datetime(2030, 5, 1, 10, 20, tzinfo=UTC)
    schedules_enqueue_due(now=now - timedelta(hours=1))  # the schedule rows exist; last period is taken
    assert _tick_jobs() == 1
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def claim() -> None:
        try:
            barrier.wait()
            schedules_enqueue_due(now=now)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _tick_jobs() == 2


@pytest.mark.django_db(transaction=True)
def test_two_worker_runs_in_one_period_enqueue_once():
    call_command("worker", "--once", stdout=io.StringIO())
    call_command("worker", "--once", stdout=io.StringIO())
    jobs = Job.objects.filter(name="tests.core.tick")
    assert jobs.count() == 1
    assert jobs.get().status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_claims_are_exclusive_between_workers():
    jobs = [job_enqueue(name="tests.core.count", kwargs={"n": 1}) for _ in range(3)]
    first = job_claim_next(worker="a")
    second = job_claim_next(worker="b")
    third = job_claim_next(worker="a")
    assert job_claim_next(worker="b") is None
    assert [first.pk, second.pk, third.pk] == [j.pk for j in jobs]
    assert [first.worker, second.worker, third.worker] == ["a", "b", "a"]


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_on_a_sqlite_file(tmp_path):
    """Two real `arrival worker --once` processes on one SQLite file (WAL): each job runs once, each period once."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL runs the same race with threads in the tests above")
    for i in range(30):
        job_enqueue(name="core.prune_old_jobs", label=f"job {i}")
    database = tmp_path / "arrival.sqlite3"
    with connection.cursor() as cursor:  # a file copy of the migrated test database, jobs included
        cursor.execute("VACUUM INTO %s", [str(database)])
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "ARRIVAL_DATA_DIR": str(tmp_path),
           "ARRIVAL_MEDIA_ROOT": str(tmp_path / "media")}
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "worker", "--once"]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
               for _ in range(2)]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT name, status, attempts, count(*) FROM core_job GROUP BY 1, 2, 3 ORDER BY 1").fetchall()
    by_name = {name: (status, attempts, count) for name, status, attempts, count in rows}
    assert len(by_name) == len(rows), rows  # one status and one attempt count per task
    assert by_name.pop("core.prune_old_jobs") == ("succeeded", 1, 31)
    # Every periodic task of every app ran exactly once for the period, however many workers ran.
    autodiscover()
    periodic_names = {entry.name for entry in periodic_tasks() if entry.func.__module__.startswith("arrival.")}
    assert set(by_name) == periodic_names - {"core.prune_old_jobs"}
    assert set(by_name.values()) == {("succeeded", 1, 1)}, rows


@pytest.mark.django_db(transaction=True)
def test_progress_writes_are_throttled_and_wait_for_the_tasks_transaction():
    job = Job.objects.create(name="tests.core.count", status=JobStatus.RUNNING)
    progress = Progress(job, interval=60)

    def stored() -> tuple[int, int | None]:
        row = Job.objects.get(pk=job.pk)
        return row.progress_done, row.progress_total

    progress.update(done=1, total=5, message="Reading")
    assert stored() == (1, 5)  # the first report is written at once
    progress.update(done=2)
    assert stored() == (1, 5)  # the next ones wait for the interval
    with transaction.atomic():
        progress.flush()
        assert stored() == (1, 5)  # not inside the task's own transaction
    progress.flush()
    assert stored() == (2, 5)
