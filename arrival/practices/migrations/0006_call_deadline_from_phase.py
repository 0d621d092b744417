# Step 3 of 3: every call has its process; the deadline is now the end of its submissions phase.
# A separate migration (its own transaction) so PostgreSQL has no pending trigger events from step 2.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("engagement", "0001_processes_comments_notifications"),
        ("practices", "0005_call_processes_from_deadlines"),
    ]

    operations = [
        migrations.AlterField(
            model_name="callforpractices",
            name="process",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="practices_call", to="engagement.process",
            ),
        ),
        migrations.RemoveField(model_name="callforpractices", name="deadline"),
    ]
