"""A milestone is done on a day the team chooses (`done_on`); `done_at` becomes the moment that was recorded.
Milestones already done get the day of their `done_at` in the lead's time zone (UTC when the lead has none)."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import migrations, models


def _zone(name):
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def done_on_from_done_at(apps, schema_editor):
    Milestone = apps.get_model("commitments", "Milestone")
    done = (Milestone.objects.filter(done_at__isnull=False, done_on__isnull=True)
            .values_list("pk", "done_at", "commitment__lead__local__timezone"))
    for pk, done_at, zone in done.iterator():
        Milestone.objects.filter(pk=pk).update(done_on=done_at.astimezone(_zone(zone)).date())


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0001_commitments_milestones_progress_calendar'),
    ]

    operations = [
        migrations.AddField(
            model_name='milestone',
            name='done_on',
            field=models.DateField(blank=True, null=True, verbose_name='done on'),
        ),
        migrations.AlterField(
            model_name='milestone',
            name='done_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='recorded as done'),
        ),
        migrations.RunPython(done_on_from_done_at, migrations.RunPython.noop),
    ]
