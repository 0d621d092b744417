"""Writes owned by core: the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from arrival.core.models import AuditEvent


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-safe values of `fields` on `obj`, for an audit row's before/after."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if not isinstance(field, models.Field):  # a reverse relation has no value of its own
            raise TypeError(f"{obj._meta.label}.{name} is not a field")
        value = getattr(obj, field.attname)
        values[name] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
    return values


def audit_record(
    *,
    user: Any,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Call inside the service's transaction so the row and the change land together."""
    return AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        before=before,
        after=after,
    )


def audit_redact_target(*, target_type: str, target_ids: Iterable[str], forget_user: bool = False) -> int:
    """Blank the recorded values of resident content whose author deleted it; the fact of the change stays.

    With `forget_user` the rows also lose the account that acted (used when content is anonymised at the end
    of a retention period, so the log no longer says who wrote or supported what).
    """
    changes: dict[str, Any] = {"before": None, "after": None, "target_repr": "", "redacted": True}
    if forget_user:
        changes["user"] = None
    return AuditEvent.objects.filter(target_type=target_type, target_id__in=list(target_ids)).update(**changes)
