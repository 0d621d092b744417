"""Attachments: types read from bytes, size limits, nothing stored on refusal, download permission."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest
import rules
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from arrival.actors.models import Actor
from arrival.core.attachments import (
    ALL_TYPES,
    IMAGE_TYPES,
    attachment_create,
    attachment_delete,
    attachment_list_for,
    attachments_register,
)
from arrival.core.jobs import job_enqueue
from arrival.core.models import Attachment, AuditEvent
from tests.accounts.factories import sign_in_as
from tests.actors.factories import ActorFactory

pytestmark = pytest.mark.django_db

# A test-only guard: "editors" attach files to actors, "readers" and editors download them.
if not rules.perm_exists("tests.change_actor_files"):
    rules.add_perm("tests.change_actor_files", rules.is_group_member("editors"))
    rules.add_perm("tests.view_actor_files", rules.is_group_member("editors") | rules.is_group_member("readers"))
attachments_register(Actor, view="tests.view_actor_files", change="tests.change_actor_files")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


SAMPLES = {
    "evidence.pdf": (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf"),
    "chart.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20, "image/png"),
    "photo.jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "image/jpeg"),
    "icon.gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    "photo.webp": (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
    "decision.docx": (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "answers.xlsx": (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "minutes.odt": (_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
                    "application/vnd.oasis.opendocument.text"),
    "scores.csv": ("city,score\nLyon,62\nMontréal,71\n".encode(), "text/csv"),
    "notes.txt": ("Décision du conseil — قرار المجلس\n".encode(), "text/plain"),
}


@pytest.fixture
def editor(make_user):
    user = make_user("editor")
    user.groups.add(Group.objects.create(name="editors"))
    return user


@pytest.fixture
def reader(make_user):
    user = make_user("reader")
    user.groups.add(Group.objects.create(name="readers"))
    return user


@pytest.fixture
def actor():
    return ActorFactory()


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_accepted_types_are_stored_with_their_facts(settings, editor, actor, name):
    data, media_type = SAMPLES[name]
    attachment = attachment_create(user=editor, file=SimpleUploadedFile(name, data), record=actor)
    assert attachment.media_type == media_type
    assert attachment.original_name == name
    assert attachment.size == len(data)
    assert len(attachment.sha256) == 64
    assert attachment.record == actor and attachment.uploaded_by == editor
    assert attachment.file.name.startswith("attachments/") and name not in attachment.file.name
    assert _stored_files(settings) == [attachment.file.name]
    assert list(attachment_list_for(record=actor)) == [attachment]
    assert AuditEvent.objects.filter(action="attachment.create", target_id=str(attachment.pk)).exists()


def _assert_nothing_stored(settings) -> None:
    assert _stored_files(settings) == []
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="attachment.").exists()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "type"),  # a Windows program
        ("archive.docx", _zip({"payload.exe": b"MZ"}), "type"),  # a zip that is not a document
        ("chart.pdf", SAMPLES["chart.png"][0], "extension"),  # an image under a PDF's name
        ("latin1.txt", "Décision".encode("latin-1"), "type"),  # not UTF-8
        ("empty.txt", b"", "empty"),
    ],
)
def test_refused_files_leave_nothing_behind(settings, editor, actor, name, data, code):
    with pytest.raises(ValidationError) as refused:
        attachment_create(user=editor, file=SimpleUploadedFile(name, data), record=actor)
    assert refused.value.code == code
    assert refused.value.messages[0]
    _assert_nothing_stored(settings)


def test_type_outside_allowed_list_is_refused(settings, editor, actor):
    with pytest.raises(ValidationError, match="Accepted: GIF, JPEG, PNG, WebP"):
        attachment_create(user=editor, file=SimpleUploadedFile("evidence.pdf", SAMPLES["evidence.pdf"][0]),
                          record=actor, allowed_types=IMAGE_TYPES)
    _assert_nothing_stored(settings)


def test_oversize_is_refused(settings, editor, actor):
    settings.ARRIVAL_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as refused:
        attachment_create(user=editor, file=SimpleUploadedFile("notes.txt", b"0123456789ab"), record=actor)
    assert refused.value.code == "too_large"
    assert "at most 10" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        attachment_create(user=editor, file=SimpleUploadedFile("notes.txt", b"0123"), record=actor,
                          allowed_types=ALL_TYPES, max_bytes=3)
    _assert_nothing_stored(settings)


def test_user_without_change_permission_stores_nothing(settings, reader, actor):
    with pytest.raises(PermissionDenied):
        attachment_create(user=reader, file=SimpleUploadedFile("notes.txt", b"hello"), record=actor)
    _assert_nothing_stored(settings)


def test_download_checks_the_records_view_permission(client, editor, reader, make_user, actor):
    data = SAMPLES["evidence.pdf"][0]
    attachment = attachment_create(user=editor, file=SimpleUploadedFile("evidence.pdf", data), record=actor)
    url = reverse("core:attachment_download", args=[attachment.pk])

    assert client.get(url).status_code == 403
    sign_in_as(client, make_user("outsider"))
    assert client.get(url).status_code == 403

    sign_in_as(client, reader)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="evidence.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_delete_removes_row_and_file_after_commit(settings, editor, reader, actor, django_capture_on_commit_callbacks):
    attachment = attachment_create(user=editor, file=SimpleUploadedFile("notes.txt", b"hello"), record=actor)
    attachment_id = str(attachment.pk)
    with pytest.raises(PermissionDenied):
        attachment_delete(user=reader, attachment=attachment)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(user=editor, attachment=attachment)
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []
    assert AuditEvent.objects.filter(action="attachment.delete", target_id=attachment_id).exists()


def test_pruner_removes_only_old_files_without_a_row(settings, editor, actor):
    kept = attachment_create(user=editor, file=SimpleUploadedFile("notes.txt", b"kept"), record=actor)
    folder = (settings.MEDIA_ROOT / kept.file.name).parent
    old_orphan, new_orphan = folder / "old-orphan.txt", folder / "new-orphan.txt"
    old_orphan.write_bytes(b"left by a rolled-back transaction")
    new_orphan.write_bytes(b"its row may not have committed yet")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_orphan, (two_days_ago, two_days_ago))
    os.utime(settings.MEDIA_ROOT / kept.file.name, (two_days_ago, two_days_ago))

    job = job_enqueue(name="core.prune_orphan_files")
    call_command("worker", "--once", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.result == {"removed": 1}
    assert not old_orphan.exists()
    assert new_orphan.exists() and (settings.MEDIA_ROOT / kept.file.name).exists()
