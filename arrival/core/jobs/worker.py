"""The worker behind `arrival worker`: runs queued jobs in threads and keeps the schedule."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.utils import OperationalError

from arrival.core.jobs.registry import autodiscover
from arrival.core.jobs.services import (
    job_claim_next,
    job_execute,
    jobs_heartbeat,
    jobs_recover_stale,
    schedules_enqueue_due,
)

logger = logging.getLogger("arrival.jobs")


class Worker:
    def __init__(self, *, concurrency: int = 1, poll_seconds: float | None = None,
                 log: Callable[[str], Any] | None = None) -> None:
        self.concurrency = max(1, concurrency)
        self.poll_seconds = poll_seconds if poll_seconds is not None else getattr(settings, "ARRIVAL_JOBS_POLL_SECONDS", 1.0)
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.log = log or logger.info
        self.stop = threading.Event()
        self._running: set[Any] = set()
        self._lock = threading.Lock()
        self.completed = 0

    def housekeeping(self) -> None:
        """Give up on jobs of dead workers and enqueue the periodic jobs that are due."""
        recovered = jobs_recover_stale()
        if recovered:
            self.log(f"recovered {recovered} job(s) left running by a stopped worker")
        for job in schedules_enqueue_due():
            self.log(f"scheduled {job.name} ({job.pk})")

    def _run_one(self) -> bool:
        job = job_claim_next(worker=self.name)
        if job is None:
            return False
        with self._lock:
            self._running.add(job.pk)
        self.log(f"running {job.name} ({job.pk})")
        try:
            job_execute(job)
        finally:
            with self._lock:
                self._running.discard(job.pk)
                self.completed += 1
        return True

    def run_once(self) -> int:
        """Housekeeping, then run queued jobs until the queue is empty; returns how many ran."""
        autodiscover()
        self.housekeeping()
        if self.concurrency == 1:
            while self._run_one():
                pass
        else:
            threads = [threading.Thread(target=self._drain, name=f"arrival-job-{i}") for i in range(self.concurrency)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return self.completed

    def _drain(self) -> None:
        try:
            while self._run_one():
                pass
        finally:
            connection.close()

    def _runner(self) -> None:
        try:
            while not self.stop.is_set():
                close_old_connections()
                try:
                    ran = self._run_one()
                except OperationalError:
                    # SQLite answers "database is locked" while another process holds a long write.
                    logger.warning("Could not claim a job; trying again", exc_info=True)
                    ran = False
                if not ran:
                    self.stop.wait(self.poll_seconds)
        finally:
            connection.close()

    def run_forever(self) -> None:
        """Run until `stop` is set (SIGINT/SIGTERM): jobs in `concurrency` threads, heartbeat and schedule here."""
        autodiscover()
        threads = [threading.Thread(target=self._runner, name=f"arrival-job-{i}", daemon=True)
                   for i in range(self.concurrency)]
        for thread in threads:
            thread.start()
        heartbeat_every = max(1.0, getattr(settings, "ARRIVAL_JOBS_STALE_SECONDS", 300) / 5)
        last_heartbeat = 0.0
        try:
            while not self.stop.is_set():
                close_old_connections()
                try:
                    if time.monotonic() - last_heartbeat >= heartbeat_every:
                        with self._lock:
                            running = list(self._running)
                        jobs_heartbeat(job_ids=running)
                        last_heartbeat = time.monotonic()
                    self.housekeeping()
                except OperationalError:
                    logger.warning("Worker housekeeping could not reach the database; trying again", exc_info=True)
                self.stop.wait(max(self.poll_seconds, 1.0))
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()
            connection.close()
