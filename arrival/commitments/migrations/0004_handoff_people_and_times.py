"""Who handed a commitment on, and since when it waits: taken from the audit log for commitments already on
their way (who sent each for internal approval and when, who submitted it, when a draft was sent back)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


STEPS = {
    # audit action: (field for the person, field for the time)
    "commitments.submit_for_approval": ("approval_requested_by_id", "approval_requested_at"),
    "commitments.submit_commitment": ("submitted_by_id", None),
    "commitments.send_back_commitment": (None, "returned_at"),
}


def handoffs_from_audit_log(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    Commitment = apps.get_model("commitments", "Commitment")
    states = dict(Commitment.objects.values_list("pk", "status"))
    latest = {}
    events = (AuditEvent.objects.filter(target_type="commitments.commitment", action__in=list(STEPS))
              .order_by("at", "id").values_list("target_id", "action", "user_id", "at"))
    for target_id, action, user_id, at in events.iterator():
        latest[(int(target_id), action)] = (user_id, at)
    for (pk, action), (user_id, at) in latest.items():
        person, moment = STEPS[action]
        status = states.get(pk)
        if status is None or (action == "commitments.send_back_commitment" and status != "draft"):
            continue
        changes = {}
        if person:
            changes[person] = user_id
        if moment:
            changes[moment] = at
        Commitment.objects.filter(pk=pk).update(**changes)
    # A draft sent back and sent for approval again since is no longer waiting to be fixed.
    for pk, requested, returned in (Commitment.objects.filter(returned_at__isnull=False)
                                    .values_list("pk", "approval_requested_at", "returned_at")):
        if states[pk] != "draft" or (requested and requested > returned):
            Commitment.objects.filter(pk=pk).update(returned_at=None)


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0003_indicator_value_series'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('core', '0003_fulltext_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='commitment',
            name='approval_requested_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='sent for internal approval'),
        ),
        migrations.AddField(
            model_name='commitment',
            name='approval_requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='commitment',
            name='returned_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='sent back to draft'),
        ),
        migrations.AddField(
            model_name='commitment',
            name='submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(handoffs_from_audit_log, migrations.RunPython.noop),
    ]
