"""An indicator keeps its series of dated values (`IndicatorValue`); until now it kept only its latest value.
Each latest value becomes the first point of its series, on the day it was measured (or, when that day was not
given, the day the indicator was last changed)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def series_from_latest_values(apps, schema_editor):
    CommitmentIndicator = apps.get_model("commitments", "CommitmentIndicator")
    IndicatorValue = apps.get_model("commitments", "IndicatorValue")
    measured = (CommitmentIndicator.objects.filter(latest_value__isnull=False)
                .values_list("pk", "latest_value", "latest_on", "updated_at", "is_demo"))
    for pk, value, day, updated_at, is_demo in measured.iterator():
        IndicatorValue.objects.get_or_create(indicator_id=pk, measured_on=day or updated_at.date(),
                                             defaults={"value": value, "is_demo": is_demo})


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0002_milestone_done_on'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IndicatorValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('is_demo', models.BooleanField(db_index=True, default=False, verbose_name='demo data')),
                ('measured_on', models.DateField(verbose_name='measured on')),
                ('value', models.FloatField(verbose_name='value')),
                ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='values', to='commitments.commitmentindicator')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'indicator value',
                'ordering': ['indicator_id', 'measured_on'],
                'constraints': [models.UniqueConstraint(fields=('indicator', 'measured_on'), name='indicator_value_one_a_day')],
            },
        ),
        migrations.RunPython(series_from_latest_values, migrations.RunPython.noop),
    ]
