# The curating organisation of a practice answering a call is the call's organiser; a practice's stage started
# at its last submission, screening or decision on record (the audit log), else at the dates the record keeps.

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery

STAGE_ACTIONS = ("practices.practice_submit", "practices.practice_screen", "practices.practice_decide")


def fill(apps, schema_editor):
    Practice = apps.get_model("practices", "Practice")
    CallForPractices = apps.get_model("practices", "CallForPractices")
    AuditEvent = apps.get_model("core", "AuditEvent")
    owner = CallForPractices.objects.filter(pk=OuterRef("call_id")).values("owner_id")[:1]
    Practice.objects.filter(call__isnull=False, curating_organisation__isnull=True).update(
        curating_organisation_id=Subquery(owner))
    latest = dict(
        AuditEvent.objects.filter(target_type="practices.practice", action__in=STAGE_ACTIONS)
        .values("target_id").annotate(last=Max("at")).values_list("target_id", "last")
    )
    changed = []
    for practice in Practice.objects.filter(stage_changed_at__isnull=True).only(
            "pk", "stage", "published_at", "submitted_at", "updated_at").iterator(chunk_size=2000):
        fallback = {"published": practice.published_at, "submitted": practice.submitted_at,
                    "screening": practice.submitted_at}.get(practice.stage)
        practice.stage_changed_at = latest.get(str(practice.pk)) or fallback or practice.updated_at
        changed.append(practice)
        if len(changed) >= 2000:
            Practice.objects.bulk_update(changed, ["stage_changed_at"])
            changed = []
    Practice.objects.bulk_update(changed, ["stage_changed_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("practices", "0007_handoffs_curating_organisation_stage_time_review_due"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
