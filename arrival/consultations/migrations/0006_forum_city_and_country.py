"""A forum's place becomes its city (a proper name) and its country (an ISO 3166-1 code that pages name in the
reader's language); installations that loaded the forums before take both from data/forums.csv here, without
waiting for the next `arrival setup`."""

from django.core.exceptions import ValidationError
from django.db import migrations, models


def places_from_the_file(apps, schema_editor):
    from arrival.consultations.loaders import read_forums

    Forum = apps.get_model("consultations", "Forum")
    try:
        rows = {row["key"]: row for row in read_forums()}
    except ValidationError:  # the file is wrong: `arrival setup` says so and changes nothing
        return
    for forum in Forum.objects.filter(key__in=rows):
        forum.place, forum.country = rows[forum.key]["place"], rows[forum.key]["country"]
        forum.save(update_fields=["place", "country"])


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0005_forum_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="forum",
            name="country",
            field=models.CharField(blank=True, max_length=2, verbose_name="country (ISO 3166-1 alpha-2)"),
        ),
        migrations.AlterField(
            model_name="forum",
            name="place",
            field=models.CharField(blank=True, max_length=200, verbose_name="city"),
        ),
        migrations.RunPython(places_from_the_file, migrations.RunPython.noop),
    ]
