"""The registry of background tasks: `@task` for jobs enqueued by code, `@periodic` for the schedule.

Apps declare tasks in their `tasks.py` module (found by `autodiscover`) or in any module their code
imports before enqueuing. A task is called as `func(progress, **kwargs)` and returns JSON or raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

TaskFunc = Callable[..., Any]


@dataclass(frozen=True)
class Task:
    name: str
    func: TaskFunc
    # How many times a job may be started in all; a retry happens only when a worker died mid-run.
    max_attempts: int = 2
    every: timedelta | None = None


_tasks: dict[str, Task] = {}
_discovered = False


def _register(entry: Task) -> None:
    existing = _tasks.get(entry.name)
    if existing is not None and _qualified(existing.func) != _qualified(entry.func):
        raise ImproperlyConfigured(
            f"Task name {entry.name!r} is registered twice: {_qualified(existing.func)} and {_qualified(entry.func)}."
        )
    _tasks[entry.name] = entry


def _qualified(func: TaskFunc) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def task(name: str, *, max_attempts: int = 2) -> Callable[[TaskFunc], TaskFunc]:
    """Register `func(progress, **kwargs)` as the background task `name` (e.g. "assessments.import_xlsx")."""
    if max_attempts < 1:
        raise ImproperlyConfigured("max_attempts must be at least 1.")

    def decorate(func: TaskFunc) -> TaskFunc:
        _register(Task(name=name, func=func, max_attempts=max_attempts))
        return func

    return decorate


def periodic(name: str, *, every: timedelta, max_attempts: int = 1) -> Callable[[TaskFunc], TaskFunc]:
    """Register `func(progress)` to run once in every period of length `every`.

    Periods are aligned on the Unix epoch in UTC (every 24 hours = each UTC day), so all workers agree on
    where a period starts. A missed period is not caught up: the next worker run enqueues one job for the
    current period.
    """
    if every < timedelta(minutes=1):
        raise ImproperlyConfigured("A periodic task runs at most once a minute.")

    def decorate(func: TaskFunc) -> TaskFunc:
        _register(Task(name=name, func=func, max_attempts=max_attempts, every=every))
        return func

    return decorate


def autodiscover() -> None:
    """Import every installed app's `tasks` module once, so workers know all tasks and schedules."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


def task_get(name: str) -> Task | None:
    if name not in _tasks:
        autodiscover()
    return _tasks.get(name)


def periodic_tasks() -> list[Task]:
    autodiscover()
    return sorted((entry for entry in _tasks.values() if entry.every is not None), key=lambda entry: entry.name)
