"""Answering a GET on an export address: the latest prepared file, or 503 while its very first build runs."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from arrival.reports.models import PreparedFile
from arrival.reports.prepared import export_kind_get, file_key
from arrival.reports.services import _language, prepared_file_building, prepared_file_queue

# Seconds a client is told to wait before asking again while a file's first build runs.
RETRY_AFTER_SECONDS = 10


def prepared_file_response(*, kind: str, params: dict[str, Any], fmt: str, public: bool) -> HttpResponseBase:
    """The prepared file of `kind`/`params` as `fmt` in the request's language.

    A file that was ever built is served as it was last built (a rebuild replaces it only when done); a file
    never built answers 503 with Retry-After, and its build is queued unless it already waits or runs.
    The caller has checked that the reader may see the source and that `fmt` is one of the kind's formats.
    """
    export_kind_get(kind)  # an unknown kind is a programming error, raised here
    language = _language(kind, get_language())
    key = file_key(kind=kind, params=params, fmt=fmt, language=language)
    row = PreparedFile.objects.filter(key=key).first()
    if row is not None and default_storage.exists(row.path):
        response = FileResponse(
            default_storage.open(row.path, "rb"),
            as_attachment=fmt != "json",
            filename=row.filename,
            content_type=row.media_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
        response["Last-Modified"] = http_date(row.built_at.timestamp())
        response["Content-Language"] = language
        return response
    if not prepared_file_building(key=key):
        prepared_file_queue(kind=kind, params=params, fmt=fmt, language=language)
    message = _("This file is being prepared for the first time. Ask again in %(seconds)s seconds.") % {
        "seconds": RETRY_AFTER_SECONDS
    }
    waiting = HttpResponse(message + "\n", status=503, content_type="text/plain; charset=utf-8")
    waiting["Retry-After"] = str(RETRY_AFTER_SECONDS)
    waiting["Cache-Control"] = "no-store"
    # An expected answer, not a server fault: keep it out of the error log (and the admins' mail).
    waiting._has_been_logged = True  # type: ignore[attr-defined]  # the mark Django's log_response reads
    return waiting
