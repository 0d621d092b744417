"""Attachments: files linked to any record, typed by their bytes, stored by the configured storage.

An app that lets people attach files to its records registers, once (in `AppConfig.ready()`), which
permissions guard them::

    attachments_register(Evidence, view="assessments.view_answer", change="assessments.change_answer")

`attachment_create` then checks `change` on the record, `attachment_delete` too, and the download view
checks `view` (all through `user.has_perm(perm, record)`).
"""

from __future__ import annotations

import hashlib
import zipfile
from codecs import getincrementaldecoder
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from arrival.core.models import Attachment
from arrival.core.permissions import require
from arrival.core.services import audit_record, snapshot


@dataclass(frozen=True)
class FileType:
    media_type: str
    extensions: tuple[str, ...] = field(compare=False)
    label: str | Promise = field(compare=False)


PDF = FileType("application/pdf", (".pdf",), "PDF")
PNG = FileType("image/png", (".png",), "PNG")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), "JPEG")
GIF = FileType("image/gif", (".gif",), "GIF")
WEBP = FileType("image/webp", (".webp",), "WebP")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "DOCX")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "XLSX")
ODT = FileType("application/vnd.oasis.opendocument.text", (".odt",), "ODT")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", (".ods",), "ODS")
CSV = FileType("text/csv", (".csv",), "CSV")
TXT = FileType("text/plain", (".txt", ".md", ""), _("plain text"))

IMAGE_TYPES = frozenset({PNG, JPEG, GIF, WEBP})
SPREADSHEET_TYPES = frozenset({XLSX, ODS, CSV})
DOCUMENT_TYPES = frozenset({PDF, DOCX, ODT, TXT})
ALL_TYPES = IMAGE_TYPES | SPREADSHEET_TYPES | DOCUMENT_TYPES

_ZIP_MAGIC = b"PK\x03\x04"
_HEAD = 64


def _zip_type(file: IO[bytes]) -> FileType | None:
    """OOXML and OpenDocument files are zip archives; their member names say which kind they are."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return {ODT.media_type: ODT, ODS.media_type: ODS}.get(declared)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def _is_utf8_text(file: IO[bytes]) -> bool:
    file.seek(0)
    decoder = getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(64 * 1024):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_type(file: IO[bytes], name: str) -> FileType | None:
    """The type of `file` read from its bytes (magic numbers, zip members, UTF-8 text), or None if unknown.

    The name only tells CSV from other text, which no byte pattern can.
    """
    file.seek(0)
    head = file.read(_HEAD)
    if head.startswith(b"%PDF-"):
        found: FileType | None = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        found = GIF
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        found = WEBP
    elif head.startswith(_ZIP_MAGIC):
        found = _zip_type(file)
    elif _is_utf8_text(file):
        found = CSV if PurePath(name).suffix.lower() == ".csv" else TXT
    else:
        found = None
    file.seek(0)
    return found


@dataclass(frozen=True)
class _Guard:
    view: str
    change: str


_guards: dict[str, _Guard] = {}


def attachments_register(model: type[models.Model], *, view: str, change: str) -> None:
    """Allow attachments on `model`'s records, guarded by these permission names (checked on the record)."""
    _guards[model._meta.label_lower] = _Guard(view=view, change=change)


def _guard_for(record: models.Model) -> _Guard:
    guard = _guards.get(record._meta.label_lower)
    if guard is None:
        raise ImproperlyConfigured(
            f"{record._meta.label} does not take attachments: call attachments_register() for it first."
        )
    return guard


def attachment_max_bytes() -> int:
    return int(getattr(settings, "ARRIVAL_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def _check(file: Any, name: str, allowed: frozenset[FileType], max_bytes: int) -> FileType:
    size = file.size
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    found = sniff_type(file, name)
    accepted = ", ".join(sorted(str(t.label) for t in allowed))
    if found is None or found not in allowed:
        raise ValidationError(
            _("This kind of file is not accepted here. Accepted: %(types)s.") % {"types": accepted},
            code="type",
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in found.extensions:
        raise ValidationError(
            _("The file's content is %(type)s, but its name ends in “%(suffix)s”. Rename it or choose another file.")
            % {"type": found.label, "suffix": suffix or _("(nothing)")},
            code="extension",
        )
    return found


def _sha256(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


_AUDITED = ("original_name", "media_type", "size", "sha256", "content_type", "object_id")


def attachment_create(
    *,
    user: Any,
    file: Any,
    record: models.Model,
    allowed_types: frozenset[FileType] = ALL_TYPES,
    max_bytes: int | None = None,
    is_demo: bool = False,
) -> Attachment:
    """Attach an uploaded `file` to `record` for `user`.

    Refuses (ValidationError, nothing stored) a file over `max_bytes` (default `ARRIVAL_ATTACHMENT_MAX_BYTES`)
    or whose bytes are not one of `allowed_types` or do not match its name's extension.
    """
    require(user, _guard_for(record).change, record)
    name = PurePath(str(getattr(file, "name", "") or "file")).name[:255]
    found = _check(file, name, frozenset(allowed_types), max_bytes if max_bytes is not None else attachment_max_bytes())
    attachment = Attachment(
        original_name=name,
        media_type=found.media_type,
        size=file.size,
        sha256=_sha256(file),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        is_demo=is_demo,
    )
    suffix = PurePath(name).suffix.lower() or found.extensions[0]
    # The stored name is the attachment's id: user-chosen names never reach the storage's paths.
    attachment.file.save(f"{attachment.pk}{suffix}", File(file), save=False)
    try:
        with transaction.atomic():
            attachment.save()
            audit_record(user=user, action="attachment.create", target=attachment,
                         after=snapshot(attachment, _AUDITED))
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_delete(*, user: Any, attachment: Attachment) -> None:
    """Remove an attachment; its file leaves the storage once the deletion has committed."""
    record = attachment.record
    if record is not None:
        require(user, _guard_for(record).change, record)
    else:
        require(user, "core.delete_attachment", attachment)
    with transaction.atomic():
        audit_record(user=user, action="attachment.delete", target=attachment,
                     before=snapshot(attachment, _AUDITED))
        storage, path = attachment.file.storage, str(attachment.file.name)
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(path))


def attachment_get_for_download(*, user: Any, attachment_id: Any) -> Attachment:
    """The attachment if `user` may read its record (`view` permission); raises PermissionDenied otherwise."""
    attachment = Attachment.objects.select_related("content_type").get(pk=attachment_id)
    record = attachment.record
    if record is None:
        require(user, "core.view_attachment", attachment)
    else:
        require(user, _guard_for(record).view, record)
    return attachment


def attachment_list_for(*, record: models.Model) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).select_related("uploaded_by")
