# Text people typed into text areas is stored with "\n" line breaks only (services normalise "\r\n" and "\r" on
# save since this change); this brings text stored before it into line, so that comparing a paragraph saved
# unchanged from a browser with an older version no longer marks it as changed. Line breaks only: the words stay.

from django.db import migrations


def _normal(text):
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def _normal_json(value):
    if isinstance(value, dict):
        return {key: _normal_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal_json(item) for item in value]
    return _normal(value)


def _text_fields(model, fields):
    for field in fields:
        for pk, text in model.objects.filter(**{f"{field}__contains": "\r"}).values_list("pk", field).iterator():
            model.objects.filter(pk=pk).update(**{field: _normal(text)})


def _json_fields(model, fields):
    # JSON cannot be searched for "\r" the same way on every database: read them all, write only what changes.
    for row in model.objects.only("pk", *fields).iterator():
        changed = {field: _normal_json(getattr(row, field)) for field in fields}
        changed = {field: value for field, value in changed.items() if value != getattr(row, field)}
        if changed:
            model.objects.filter(pk=row.pk).update(**changed)


def normalise_line_endings(apps, schema_editor):
    _text_fields(apps.get_model("consultations", "Consultation"), ["purpose"])
    _text_fields(apps.get_model("consultations", "Contribution"), ["summary", "proposed_actions"])
    _json_fields(apps.get_model("consultations", "Contribution"), ["answers"])
    _json_fields(apps.get_model("consultations", "ContributionVersion"), ["content"])
    _text_fields(apps.get_model("consultations", "Paragraph"), ["text", "heading"])
    _text_fields(apps.get_model("consultations", "DocumentVersion"), ["note"])


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0001_consultations_forums_contributions_documents"),
    ]

    operations = [migrations.RunPython(normalise_line_endings, migrations.RunPython.noop)]
