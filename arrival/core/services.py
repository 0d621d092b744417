"""Writes owned by core: the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

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


def rows_insert(model: type[models.Model], *, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert plain rows of `model` (values in the order of `fields`, as the fields' own conversion prepares them)
    with one executemany: for imports, where building and compiling a model object per row costs more than the
    database's work. No defaults, no auto_now: give every column the row needs."""
    meta = model._meta
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or not field.column:
            raise TypeError(f"{meta.label}.{name} is not a column")
        columns.append(field)
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in columns)}) "  # noqa: S608 - names from the model
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    prepared = [[field.get_db_prep_save(value, connection) for field, value in zip(columns, row, strict=True)]
                for row in rows]
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)


AuditRecord = tuple[str, str, str, str, dict[str, Any] | None, dict[str, Any] | None]
"""(action, target type as app_label.model, target id, target's label, before, after)"""


def audit_record_many(*, user: Any, records: Iterable[AuditRecord]) -> None:
    """Audit rows for many changes at once (bulk imports): the rows `audit_record` writes one by one."""
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    rows_insert(AuditEvent, fields=("at", "user", "action", "target_type", "target_id", "target_repr", "before",
                                    "after", "redacted"),
                rows=((now, user_id, action, target_type, target_id, label[:255], before, after, False)
                      for action, target_type, target_id, label, before, after in records))


def audit_redact_target(*, target_type: str, target_ids: Iterable[str], forget_user: bool = False) -> int:
    """Blank the recorded values of resident content whose author deleted it; the fact of the change stays.

    With `forget_user` the rows also lose the account that acted (used when content is anonymised at the end
    of a retention period, so the log no longer says who wrote or supported what).
    """
    changes: dict[str, Any] = {"before": None, "after": None, "target_repr": "", "redacted": True}
    if forget_user:
        changes["user"] = None
    return AuditEvent.objects.filter(target_type=target_type, target_id__in=list(target_ids)).update(**changes)
