"""Refuse a request body too large to accept before anything reads it.

Django reads a form's body in the first middleware or view that asks for request.POST (the CSRF check does), and
writes files above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file whatever their size: a 300 MB upload was
written to disk, then refused by the attachment check. This middleware, first in the chain, answers 413 from the
announced Content-Length alone, so nothing of such a body is read or spooled. A body sent without a length
(chunked) is refused with 411: Django would read nothing of it anyway and take it as empty.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation


def request_max_bytes() -> int:
    return int(settings.ARRIVAL_REQUEST_MAX_BYTES)


def _refusal(request: HttpRequest, status: int, detail: str, template: str) -> HttpResponse:
    if request.path.startswith("/api/"):  # an RFC 7807 problem, in English as every API problem
        titles = {411: "Length required", 413: "Request too large"}
        return JsonResponse({"type": "about:blank", "title": titles[status], "status": status, "detail": detail},
                            status=status, content_type="application/problem+json")
    # LocaleMiddleware has not run yet: the page is in the language the request asks for.
    with translation.override(translation.get_language_from_request(request)):
        page = render_to_string(template, {
            "request_max": filesizeformat(request_max_bytes()),
            "file_max": filesizeformat(settings.ARRIVAL_ATTACHMENT_MAX_BYTES),
        })
    return HttpResponse(page, status=status)


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        announced = request.META.get("CONTENT_LENGTH") or ""
        if not announced and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return _refusal(request, 411, "Send the body with a Content-Length header.", "411.html")
        if announced.isascii() and announced.isdigit() and int(announced) > request_max_bytes():
            response = _refusal(request, 413, f"A request may carry at most {request_max_bytes()} bytes.", "413.html")
            response["Connection"] = "close"  # the unread body must not be taken for the next request
            return response
        return self.get_response(request)
