from datetime import timedelta

from django.db import migrations
from django.utils import timezone

# Tokens made before expiry existed get the default term, counted from the upgrade (docs/operations.md).
EXISTING_TOKENS_DAYS = 90


def give_existing_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=EXISTING_TOKENS_DAYS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_token_expiry_scope"),
    ]

    operations = [
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
    ]
