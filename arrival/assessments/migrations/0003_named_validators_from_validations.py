# Existing installations: every government or network that already validated an assessment (or started to) is
# named as its validator, from when its validation began. So an assessment returned with changes goes back, on
# resubmission, to the validator who asked for them, and the history says who validated each one.
# Assessments submitted without any validation stay without a named validator: as before, any eligible
# validator may take them up, and the city can name one on the assessment's settings page.

from django.db import migrations
from django.db.models import F, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce


def name_past_validators(apps, schema_editor):
    Validation = apps.get_model("assessments", "Validation")
    NamedValidator = apps.get_model("assessments", "NamedValidator")
    seen = set(NamedValidator.objects.values_list("assessment_id", "actor_id"))
    rows = []
    for assessment_id, actor_id in (
        Validation.objects.order_by("created_at", "pk").values_list("assessment_id", "validator_actor_id")
    ):
        if (assessment_id, actor_id) in seen:
            continue
        seen.add((assessment_id, actor_id))
        rows.append(NamedValidator(assessment_id=assessment_id, actor_id=actor_id))
    NamedValidator.objects.bulk_create(rows, batch_size=1000)
    # created_at is set on creation; dated afterwards from the first validation for the same actor.
    first = (Validation.objects.filter(assessment_id=OuterRef("assessment_id"), validator_actor_id=OuterRef("actor_id"))
             .order_by().values("assessment_id").annotate(first=Min("created_at")).values("first")[:1])
    dated = Coalesce(Subquery(first), F("created_at"))
    NamedValidator.objects.filter(named_by__isnull=True).update(created_at=dated, updated_at=dated)


def forget_named_validators(apps, schema_editor):
    apps.get_model("assessments", "NamedValidator").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [("assessments", "0002_named_validators")]

    operations = [migrations.RunPython(name_past_validators, forget_named_validators)]
