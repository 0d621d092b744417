"""Background tasks of assessments, imported by the worker (`arrival.core.jobs.registry.autodiscover`)."""

from arrival.assessments import report_tasks, xlsx

__all__ = ["report_tasks", "xlsx"]
