# A call for practices becomes an engagement process (step 1 of 3: the link, nullable while existing calls get one).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("engagement", "0001_processes_comments_notifications"),
        ("practices", "0003_practice_updated_index"),
    ]

    operations = [
        # Nullable until step 3 removes it, so that the steps can be reversed (step 2 refills it from the phases).
        migrations.AlterField(model_name="callforpractices", name="deadline", field=models.DateTimeField(null=True)),
        migrations.AddField(
            model_name="callforpractices",
            name="process",
            field=models.OneToOneField(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="practices_call",
                to="engagement.process",
            ),
        ),
    ]
