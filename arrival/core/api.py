"""API building blocks every app's router uses: one paginator and RFC 7807 problem responses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import AnonRateThrottle, AuthRateThrottle


class Problem(Schema):
    """RFC 7807 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, Any]] | None = None


class PageNumberWithTotal(PaginationBase):
    """`?page=N&page_size=M` → `{count, page, page_size, items}`; the total lets clients plan their paging."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(settings.ARRIVAL_API_PAGE_SIZE, ge=1, le=500)

    class Output(Schema):
        count: int
        page: int
        page_size: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet | list, pagination: Input, **params: Any) -> dict[str, Any]:
        offset = (pagination.page - 1) * pagination.page_size
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "items": list(queryset[offset : offset + pagination.page_size]),
        }


def problem_payload(request: HttpRequest, *, status: int, title: str, detail: str = "", **extra: Any) -> dict:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}


# --- Authentication for writes -------------------------------------------------------------------
# accounts owns API tokens; it registers the function that turns a bearer key into a user, so routers
# of apps below accounts can require authentication without importing it.
TokenResolver = Any  # Callable[[str], User | None]
_token_resolver: TokenResolver | None = None


def register_token_resolver(resolver: TokenResolver) -> None:
    global _token_resolver  # noqa: PLW0603 - one resolver per process, set once at start-up
    _token_resolver = resolver


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _token_resolver(token) if _token_resolver else None
        if user is not None:
            request.user = user
        return user


# Writes accept a bearer token (machine clients) or the signed-in session with its CSRF token (pages).
write_auth = [BearerToken(), SessionAuth(csrf=True)]

# The error responses every router declares: RFC 7807 problems from the central handlers in config/api.py.
PROBLEM_RESPONSES: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem}


def api_reader(request: HttpRequest) -> Any:
    """The person reading a public endpoint: a bearer token's user when one is sent, else the session's (maybe
    anonymous) — so reads show a token holder what their roles let them see."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        user = BearerToken()(request)
        if user is not None:
            return user
    return request.user


# --- Rate limits ------------------------------------------------------------------------------------
class AnonymousRate(AnonRateThrottle):
    cache = caches["throttle"]


class AuthenticatedRate(AuthRateThrottle):
    cache = caches["throttle"]


def api_throttles() -> list[AnonRateThrottle | AuthRateThrottle]:
    return [AnonymousRate(settings.ARRIVAL_API_RATE_ANON), AuthenticatedRate(settings.ARRIVAL_API_RATE_USER)]
