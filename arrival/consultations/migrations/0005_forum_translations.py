"""Forums gain their names in the other UN languages; installations that loaded the forums before get them from
data/forum_names.csv here, without waiting for the next `arrival setup`."""

from django.core.exceptions import ValidationError
from django.db import migrations, models


def names_from_the_file(apps, schema_editor):
    from arrival.consultations.loaders import read_forum_names, read_forums

    Forum = apps.get_model("consultations", "Forum")
    try:
        names = read_forum_names({row["key"] for row in read_forums()})
    except ValidationError:  # the files contradict each other: `arrival setup` says so and changes nothing
        return
    for forum in Forum.objects.filter(key__in=names):
        forum.translations = names[forum.key]
        forum.save(update_fields=["translations"])


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0004_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="forum",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
        migrations.RunPython(names_from_the_file, migrations.RunPython.noop),
    ]
