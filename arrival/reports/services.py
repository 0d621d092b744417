"""Writes of prepared files: queue a build, refresh every file of a changed source, build one file.

Builds run in the project's job queue (`arrival.core.jobs`, task "reports.prepare_file"). A file waiting
for a build is queued once: asking again while its job waits adds nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation

from arrival.core.jobs import job_enqueue
from arrival.core.models import Job, JobStatus
from arrival.reports.models import PreparedFile
from arrival.reports.prepared import export_kind_get, export_kinds, file_key

TASK_PREPARE = "reports.prepare_file"


def _language(kind_name: str, language: str | None) -> str:
    kind = export_kind_get(kind_name)
    return (language or settings.LANGUAGE_CODE) if kind.per_language else settings.LANGUAGE_CODE


def prepared_file_queue(
    *, kind: str, params: dict[str, Any], fmt: str, language: str | None = None
) -> Job | None:
    """Queue the build of one file unless a build of it is already waiting; returns the waiting job, if new."""
    entry = export_kind_get(kind)
    if fmt not in entry.formats:
        raise ValueError(f"Export {kind!r} has no format {fmt!r}.")
    language = _language(kind, language)
    key = file_key(kind=kind, params=params, fmt=fmt, language=language)
    if Job.objects.filter(name=TASK_PREPARE, kwargs__key=key, status=JobStatus.QUEUED).exists():
        return None
    return job_enqueue(
        name=TASK_PREPARE,
        label=key[:200],
        kwargs={"key": key, "kind": kind, "params": params, "fmt": fmt, "language": language},
    )


def prepared_file_building(*, key: str) -> bool:
    return Job.objects.filter(
        name=TASK_PREPARE, kwargs__key=key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).exists()


def prepared_files_refresh(*, source: str, kinds: Iterable[tuple[str, dict[str, Any]]] = ()) -> int:
    """A source changed: rebuild every file made from it, and build each of `kinds` (kind, params) in every
    format in the default language. Returns how many builds were queued."""
    wanted: set[tuple[str, str, str, str]] = set()
    params_of: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in PreparedFile.objects.filter(source=source).only("kind", "params", "fmt", "language"):
        entry = (
            row.kind,
            file_key(kind=row.kind, params=row.params, fmt="", language=""),
            row.fmt,
            row.language,
        )
        wanted.add(entry)
        params_of[entry] = row.params
    for kind_name, params in kinds:
        kind = export_kind_get(kind_name)
        for fmt in kind.formats:
            entry = (
                kind_name,
                file_key(kind=kind_name, params=params, fmt="", language=""),
                fmt,
                settings.LANGUAGE_CODE,
            )
            wanted.add(entry)
            params_of[entry] = params
    queued = 0
    for entry in sorted(wanted):
        kind_name, _key, fmt, language = entry
        queued += (
            prepared_file_queue(kind=kind_name, params=params_of[entry], fmt=fmt, language=language)
            is not None
        )
    return queued


def prepared_file_build(*, kind: str, params: dict[str, Any], fmt: str, language: str) -> PreparedFile:
    """Build one file now and make it the one its address serves (the previous copy is removed after)."""
    entry = export_kind_get(kind)
    key = file_key(kind=kind, params=params, fmt=fmt, language=language)
    with translation.override(language):
        built = entry.build(dict(params), fmt)
        source = entry.source(dict(params))
    path = f"exports/{hashlib.sha256(key.encode()).hexdigest()[:24]}/{uuid.uuid4().hex}.{fmt}"
    digest = hashlib.sha256()
    if isinstance(built.content, bytes):
        digest.update(built.content)
        size = len(built.content)
        saved = default_storage.save(path, ContentFile(built.content))
    else:
        with built.content as stream:
            for block in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(block)
            size = stream.tell()
            stream.seek(0)
            saved = default_storage.save(path, File(stream))
    old_path = ""
    with transaction.atomic():
        row = PreparedFile.objects.select_for_update().filter(key=key).first()
        if row is None:
            row = PreparedFile(key=key, kind=kind, params=params, fmt=fmt, language=language, builds=0)
        else:
            old_path = row.path
        row.source, row.path, row.media_type, row.filename = source, saved, entry.formats[fmt], built.filename
        row.size, row.sha256, row.built_at, row.builds = (
            size,
            digest.hexdigest(),
            timezone.now(),
            row.builds + 1,
        )
        row.save()
    if old_path and old_path != saved:
        transaction.on_commit(lambda: default_storage.delete(old_path))
    return row


def prepared_files_queue_published(*, kind: str | None = None, rebuild: bool = False) -> int:
    """Queue the build of every public file (of `kind`, or of every kind) in the default language: those never
    built, or with `rebuild` all of them. For an upgrade or a new storage; returns how many builds were queued."""
    queued = 0
    language = settings.LANGUAGE_CODE
    for entry in export_kinds():
        if entry.published is None or (kind is not None and entry.name != kind):
            continue
        built = (
            set()
            if rebuild
            else set(
                PreparedFile.objects.filter(kind=entry.name, language=language).values_list("key", flat=True)
            )
        )
        for params in entry.published():
            for fmt in entry.formats:
                if file_key(kind=entry.name, params=params, fmt=fmt, language=language) in built:
                    continue
                queued += (
                    prepared_file_queue(kind=entry.name, params=params, fmt=fmt, language=language)
                    is not None
                )
    return queued
