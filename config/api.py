"""The one NinjaAPI: every app's router mounted under /api/v1/, with central error handling."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from arrival.accounts.api import router as accounts_router
from arrival.actors.api import router as actors_router
from arrival.assessments.api import router as assessments_router
from arrival.commitments.api import router as commitments_router
from arrival.consultations.api import router as consultations_router
from arrival.core.api import api_throttles, problem_payload
from arrival.engagement.api import router as engagement_router
from arrival.frameworks.api import router as frameworks_router
from arrival.participation.api import router as participation_router
from arrival.planning.api import router as planning_router
from arrival.practices.api import router as practices_router

api = NinjaAPI(
    title="Arrival API",
    version="1",
    description=(
        "Open data and actions of Arrival, the platform for city-led migration governance. "
        "Reads of published records are public; writes need a token (`Authorization: Bearer <key>`)."
    ),
    urls_namespace="api",
    throttle=api_throttles(),
)


def _problem(request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    response = api.create_response(
        request, problem_payload(request, status=status, title=title, detail=detail, **extra), status=status
    )
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _problem(request, 404, "Not found", str(exc) or "No such record.")


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _problem(request, 403, "Forbidden", str(exc) or "You may not do this.")


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _problem(request, 401, "Unauthorized", "A valid API token is required.")


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _problem(request, 400, "Invalid input", "; ".join(exc.messages))


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _problem(request, 422, "Invalid request", "The request does not match the schema.", errors=exc.errors)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _problem(request, 429, "Too many requests", "Slow down and retry later.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _problem(request, exc.status_code, str(exc))


api.add_router("/actors/", actors_router)
api.add_router("/frameworks/", frameworks_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/assessments/", assessments_router)
api.add_router("/practices/", practices_router)
api.add_router("/engagement/", engagement_router)
api.add_router("/consultations/", consultations_router)
api.add_router("/commitments/", commitments_router)
api.add_router("/participation/", participation_router)
api.add_router("/planning/", planning_router)
