"""A database that cannot be reached is an outage, not a bug: pages and the API answer 503 with Retry-After and
a translated page, and the next request after the database is back is served as usual (each request opens its
own connection, or checks a kept one, so nothing needs restarting)."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 30

# Errors SQLite reports as OperationalError that are the site's own fault (a missing migration), not an outage.
_NOT_AN_OUTAGE = ("no such table", "no such column", "near ")


def database_unavailable(error: BaseException | None) -> bool:
    """True for a connection-level failure: the server is down or refuses us, the file cannot be opened, or the
    database stays locked. Integrity and programming errors are other classes and stay errors."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    return not str(error).lower().startswith(_NOT_AN_OUTAGE)


def outage_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: an RFC 7807 problem under /api/ (in English, as every API problem), else the page in
    the request's language. Rendered without the request's context, whose processors would ask the database."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"type": "about:blank", "title": "Service unavailable", "status": 503,
             "detail": "The database cannot be reached just now; retry after the time Retry-After gives."},
            status=503, content_type="application/problem+json",
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
