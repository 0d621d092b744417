"""API building blocks every app's router uses: one paginator and RFC 7807 problem responses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import AnonRateThrottle, AuthRateThrottle, BaseThrottle, SimpleRateThrottle

from arrival.core.dates import YEAR_MAX, YEAR_MIN
from arrival.core.http import client_address
from arrival.core.ratelimit import rate_hit, rate_parse

# --- Bounds of what a request may say ---------------------------------------------------------------
# Beyond these a request is a 422 naming the field, before any query: both databases store ids as 64-bit
# integers (PostgreSQL raises on a larger one, SQLite overflows), and counts in 32-bit columns.
MAX_RECORD_ID = 2**63 - 1
MAX_INT32 = 2**31 - 1
MAX_PAGE = 10_000_000

RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
"""A record's id, in a path, a filter or a body."""
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
"""A calendar year."""
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
"""A page of a list, from 1."""


class Problem(Schema):
    """RFC 7807 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, Any]] | None = None


MAX_PAGE_SIZE = 500


class PageNumberWithTotal(PaginationBase):
    """`?page=N&page_size=M` → `{count, page, page_size, items}`; the total lets clients plan their paging."""

    class Input(Schema):
        page: PageNumber = 1
        page_size: int = Field(settings.ARRIVAL_API_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        count: int
        page: int
        page_size: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        # Some lists are ranked in Python (search) and come as a list: it is counted the same way.
        offset = (pagination.page - 1) * pagination.page_size
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "items": list(queryset[offset : offset + pagination.page_size]),
        }


def problem_payload(
    request: HttpRequest, *, status: int, title: str, detail: str = "", **extra: Any
) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}


# --- Authentication for writes -------------------------------------------------------------------
# accounts owns API tokens; it registers the function that checks a bearer key, so routers of apps below
# accounts can require authentication without importing it.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class TokenCheck:
    """What a known bearer key allows: the user it acts for and whether it may write, or why it is refused."""

    user: Any = None
    may_write: bool = False
    refusal: str = ""  # e.g. "This API token expired on …": said to the client in the 401


class TokenRefused(AuthenticationError):
    """A known key that no longer works (expired, revoked): a 401 that says why."""


TokenResolver = Callable[[str], TokenCheck | None]  # the key → its check, or None for an unknown key
_token_resolver: TokenResolver | None = None


def register_token_resolver(resolver: TokenResolver) -> None:
    global _token_resolver  # noqa: PLW0603 - one resolver per process, set once at start-up
    _token_resolver = resolver


class BearerToken(HttpBearer):
    """A machine client's key. A read-scoped key is refused (403) on any method that is not safe."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        check = _token_resolver(token) if _token_resolver else None
        if check is None:
            return None
        if check.refusal:
            raise TokenRefused(message=check.refusal)
        if request.method not in SAFE_METHODS and not check.may_write:
            raise PermissionDenied(_("This API token may only read. Create a token with the write scope to "
                                     "change anything."))
        request.user = check.user
        return check.user


def refuse_bearer_token(request: HttpRequest) -> None:
    """Account-level powers (creating tokens, granting access) need the signed-in person, never a token: a
    token that has leaked must not make more tokens or hand out access. A plain function, so the OpenAPI
    document lists only the session for these operations."""
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        raise PermissionDenied(_("An API token cannot do this: do it while signed in, on your account page."))


# Writes accept a bearer token (machine clients) or the signed-in session with its CSRF token (pages).
write_auth = [BearerToken(), SessionAuth(csrf=True)]
# Account-level powers: the signed-in session with its CSRF token only; a bearer token is a 403.
session_only_auth = [refuse_bearer_token, SessionAuth(csrf=True)]

# The error responses every router declares: RFC 7807 problems from the central handlers in config/api.py.
PROBLEM_RESPONSES: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem}


def request_auth(request: HttpRequest) -> Any:
    """What the operation's authentication let through — the signed-in user — which ninja keeps on the request."""
    return getattr(request, "auth", None)


def api_reader(request: HttpRequest) -> Any:
    """The person reading a public endpoint: a bearer token's user when one is sent, else the session's (maybe
    anonymous) — so reads show a token holder what their roles let them see."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        user = BearerToken()(request)
        if user is not None:
            return user
    return request.user


# --- Rate limits ------------------------------------------------------------------------------------
class _SharedCount(SimpleRateThrottle):
    """ninja's throttle keys (client address, or the token's user), counted by core.ratelimit: one count for
    every process instead of ninja's per-process cache."""

    def __init__(self, rate: str) -> None:
        self.limit, self.window = rate_parse(rate)
        self.retry_after: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None:
            return True
        decision = rate_hit(f"api:{key}", limit=self.limit, window=self.window)
        self.retry_after = decision.retry_after
        return decision.allowed

    def wait(self) -> float | None:
        return self.retry_after

    # Anonymous clients are counted by `client_address`: ninja's own reading believes any X-Forwarded-For.
    def get_ident(self, request: HttpRequest) -> str | None:
        return client_address(request)


class AnonymousRate(_SharedCount, AnonRateThrottle):
    pass


class AuthenticatedRate(_SharedCount, AuthRateThrottle):
    pass


def api_throttles() -> list[BaseThrottle]:
    return [AnonymousRate(settings.ARRIVAL_API_RATE_ANON), AuthenticatedRate(settings.ARRIVAL_API_RATE_USER)]
