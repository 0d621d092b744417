"""Reads owned by core."""

from django.db import models
from django.db.models import QuerySet

from arrival.core.models import AuditEvent


def audit_list_for(*, target: models.Model) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk)).select_related(
        "user"
    )
