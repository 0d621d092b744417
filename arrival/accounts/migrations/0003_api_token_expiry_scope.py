from django.db import migrations, models


class Migration(migrations.Migration):
    """API tokens get a scope and an expiry. Tokens made before could write, so they keep the write scope;
    their expiry is set by the next migration and then required."""

    dependencies = [
        ("accounts", "0002_user_time_zone"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")], default="write", max_length=5,
                verbose_name="scope",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
    ]
