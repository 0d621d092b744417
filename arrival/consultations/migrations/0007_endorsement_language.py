"""Endorsements say which language the signatory's title and the authority are written in, so pages mark them with
it; endorsements recorded before leave it empty (unknown: pages isolate those texts without naming a language)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0006_forum_city_and_country"),
    ]

    operations = [
        migrations.AddField(
            model_name="endorsement",
            name="language",
            field=models.CharField(blank=True, default="", max_length=12,
                                   verbose_name="language of the title and authority"),
        ),
    ]
