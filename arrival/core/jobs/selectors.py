"""Reads of the job queue. A job is seen by the person who started it and by site staff only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from arrival.core.models import Job


def job_visible_to(*, user: Any) -> QuerySet[Job]:
    jobs = Job.objects.select_related("user")
    if not (user is not None and user.is_authenticated and user.is_active):
        return jobs.none()
    if user.is_staff:
        return jobs
    return jobs.filter(user_id=user.pk)


def job_get(*, job_id: Any, user: Any) -> Job:
    """The job `job_id` if `user` may see it; raises `Job.DoesNotExist` otherwise (no hint that it exists)."""
    return job_visible_to(user=user).get(pk=job_id)


def job_list_for_user(*, user: Any, limit: int = 50) -> QuerySet[Job]:
    """The jobs `user` started, newest first."""
    if not (user is not None and user.is_authenticated):
        return Job.objects.none()
    return Job.objects.filter(user_id=user.pk).order_by("-created_at")[:limit]
