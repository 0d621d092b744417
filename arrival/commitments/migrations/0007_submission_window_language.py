"""Submission windows say which language their title and what they ask are written in, so pages mark those texts
with it; windows kept before count as English, the default language of records in Arrival."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0006_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="submissionwindow",
            name="language",
            field=models.CharField(default="en", max_length=10, verbose_name="language of the title and what is asked"),
        ),
    ]
