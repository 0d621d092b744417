"""`arrival worker`: run background jobs and the periodic schedule (docs/operations.md)."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandError

from arrival.core.jobs.worker import Worker


class Command(BaseCommand):
    help = "Run queued background jobs and enqueue periodic jobs when due. --once drains the queue and exits."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Run the schedule once, run every queued job, then exit (for tests, CI and cron).")
        parser.add_argument("--concurrency", type=int, default=1, help="Jobs run at the same time (threads).")

    def handle(self, *args, once: bool = False, concurrency: int = 1, **options):
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")
        worker = Worker(concurrency=concurrency, log=self.stdout.write)
        if once:
            ran = worker.run_once()
            self.stdout.write(f"{ran} job(s) run.")
            return
        def request_stop(signum, frame):
            self.stdout.write("Stopping after the jobs that are running now …")
            worker.stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"Worker {worker.name} running with {concurrency} thread(s); Ctrl+C stops it.")
        worker.run_forever()
        self.stdout.write(f"Worker stopped; {worker.completed} job(s) run.")
