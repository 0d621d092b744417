"""Existing installations: each framework version gets the checksum of its scoring content, and every stored
score's inputs hash is carried over to it.

A score's inputs hash was SHA-256(framework file's SHA-256 + "\\n" + canonical answers); it is now
SHA-256(scoring-content checksum + "\\n" + canonical answers), so that adding or fixing translations under a
version (which changes the file, not the scoring content) leaves every published score reproducible. A stored
hash is carried over only when it equals the old formula over the answers stored now; one that already
differed (answers changed behind the services) keeps differing, so `arrival recompute-scores --check` still
reports it. Backwards: the old hashes are recomputed the same way.
"""

import hashlib
import json

from django.db import migrations


def _content_checksum(content):
    scoring = {key: value for key, value in content.items() if key != "translations"}
    text = json.dumps(scoring, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _answers_json(Answer, assessment_id):
    rows = Answer.objects.filter(assessment_id=assessment_id, indicator__is_outcome=False).values_list(
        "indicator__code", "value", "special"
    )
    answers = {code: [value, special or ""] for code, value, special in rows if value is not None or special}
    return json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _rehash(apps, *, forwards):
    IndicatorFramework = apps.get_model("assessments", "IndicatorFramework")
    ScoreRecord = apps.get_model("assessments", "ScoreRecord")
    Answer = apps.get_model("assessments", "Answer")
    for framework in IndicatorFramework.objects.all():
        checksum = _content_checksum(framework.content or {})
        if forwards:
            framework.content_sha256 = checksum
            framework.save(update_fields=["content_sha256"])
        old_prefix, new_prefix = (framework.sha256, checksum) if forwards else (checksum, framework.sha256)
        records = ScoreRecord.objects.filter(assessment__framework=framework).only(
            "pk", "assessment_id", "inputs_sha256"
        )
        for record in records.iterator(chunk_size=2000):
            answers = _answers_json(Answer, record.assessment_id)
            if record.inputs_sha256 != hashlib.sha256(f"{old_prefix}\n{answers}".encode()).hexdigest():
                continue
            record.inputs_sha256 = hashlib.sha256(f"{new_prefix}\n{answers}".encode()).hexdigest()
            record.save(update_fields=["inputs_sha256"])


def forwards(apps, schema_editor):
    _rehash(apps, forwards=True)


def backwards(apps, schema_editor):
    _rehash(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_framework_content_sha256"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
