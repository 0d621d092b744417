"""The one NinjaAPI: every app's router mounted under /api/v1/, with central error handling.

Its OpenAPI document (`/api/v1/openapi.json`) says under which licence the data may be reused and whom to
ask, documents the problems every operation may answer (422 for a request that does not match the schema,
429 when rate-limited), and lists the open-data files the site serves outside the API (exports in CSV, JSON,
XLSX, PDF, …), read from the URL patterns so a new export appears in it by itself.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from arrival.accounts.api import router as accounts_router
from arrival.actors.api import router as actors_router
from arrival.assessments.api import router as assessments_router
from arrival.commitments.api import router as commitments_router
from arrival.consultations.api import router as consultations_router
from arrival.core.api import Problem, TokenRefused, api_throttles, problem_payload
from arrival.engagement.api import router as engagement_router
from arrival.frameworks.api import router as frameworks_router
from arrival.participation.api import router as participation_router
from arrival.planning.api import router as planning_router
from arrival.practices.api import router as practices_router
from arrival.reports.urls_exports import ExportURLPattern

OPEN_DATA_TAG = "open data files"
# Licences the OpenAPI document can name with their SPDX identifier; any other is named as the deployment says.
KNOWN_LICENCES = {
    "CC BY 4.0": "CC-BY-4.0",
    "CC BY-SA 4.0": "CC-BY-SA-4.0",
    "CC0 1.0": "CC0-1.0",
    "ODbL 1.0": "ODbL-1.0",
    "ODC-By 1.0": "ODC-By-1.0",
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# Django path converters → the OpenAPI schema of the parameter.
_CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
    "str": {"type": "string", "pattern": "^[^/]+$"},
    "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    "uuid": {"type": "string", "format": "uuid"},
    "path": {"type": "string"},
}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_FILE_ROUTE = re.compile(r"\.(?:[a-z0-9]+|<[^>]+>)/?$")


def _licence() -> dict[str, str]:
    name = str(settings.ARRIVAL_DATA_LICENCE)
    identifier = KNOWN_LICENCES.get(name)
    return {"name": name, "identifier": identifier} if identifier else {"name": name}


def _routes(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def open_data_routes() -> list[tuple[str, URLPattern]]:
    """The site's addresses that serve data files: a route ending in a file extension (fixed, or a format
    chosen by a parameter such as `report.<str:fmt>`), and the feeds. The API and the admin are not among them."""
    found = []
    for route, pattern in _routes(get_resolver()):
        if route.startswith(("api/", "admin/")):
            continue
        if route.endswith(".html"):  # a page, not a data file
            continue
        if isinstance(pattern, ExportURLPattern) or _FILE_ROUTE.search(route) or isinstance(pattern.callback, Feed):
            found.append((route, pattern))
    return sorted(found, key=lambda item: item[0])


def _media_type(extension: str) -> str:
    return mimetypes.guess_type(f"file.{extension}")[0] or "application/octet-stream"


def _open_data_operation(route: str, pattern: URLPattern) -> dict[str, Any]:
    formats = pattern.export_formats if isinstance(pattern, ExportURLPattern) else ()
    parameters = [
        {
            "in": "path",
            "name": match["name"],
            "required": True,
            "schema": {"type": "string", "enum": list(formats)}
            if formats and match["name"] == "fmt"
            else {**_CONVERTER_SCHEMAS.get(match["converter"] or "str", {"type": "string"})},
        }
        for match in _PARAMETER.finditer(route)
    ]
    extension = route.rstrip("/").rsplit(".", 1)[-1] if "." in route.rsplit("/", 1)[-1] else ""
    content: dict[str, dict[str, Any]]
    if formats:
        content = {_media_type(fmt): {} for fmt in formats}
    elif isinstance(pattern.callback, Feed):
        content = {"application/atom+xml": {}}
    elif extension and not extension.startswith("<"):
        content = {_media_type(extension): {}}
    else:
        content = {"*/*": {}}
    name = pattern.name or route
    return {
        "operationId": f"open_data_{re.sub(r'[^a-zA-Z0-9]+', '_', route).strip('_')}",
        "summary": f"Open data file: {name}",
        "description": (
            "A file the site serves outside the API, with the permissions of the page it belongs to: files of "
            "published records are public, under the licence in `info.license`; others need the signed-in "
            "session. A parameter named `fmt` is the file format (its extension)."
        ),
        "tags": [OPEN_DATA_TAG],
        "parameters": parameters,
        "responses": {
            "200": {"description": "The file", "content": content},
            "403": {"description": "Forbidden"},
            "404": {"description": "No such record or format"},
            **(
                {
                    "503": {
                        "description": "The file's first build is running: ask again after `Retry-After` seconds "
                        "(later changes are served from the previous build while the new one runs)",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    }
                }
                if formats
                else {}
            ),
        },
    }


class ArrivalAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["info"]["license"] = _licence()
        schema["info"]["contact"] = {
            "name": str(settings.ARRIVAL_CONTACT_NAME),
            "email": str(settings.ARRIVAL_CONTACT_EMAIL),
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                # The central handlers below may answer any operation with these problems.
                statuses = [400, 401, 403, 404, 429]
                if operation.get("parameters") or operation.get("requestBody"):
                    statuses.append(422)
                for status in statuses:
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": HTTPStatus(status).phrase,
                            "content": {"application/json": {"schema": _PROBLEM_REF}},
                        },
                    )
        schema["components"]["schemas"].setdefault("Problem", Problem.model_json_schema())
        for route, pattern in open_data_routes():
            path = "/" + _PARAMETER.sub(lambda match: "{" + match["name"] + "}", route)
            schema["paths"].setdefault(path, {})["get"] = _open_data_operation(route, pattern)
        schema.setdefault("tags", []).append(
            {
                "name": OPEN_DATA_TAG,
                "description": f"Files of published records, under {settings.ARRIVAL_DATA_LICENCE}.",
            }
        )
        return schema


api = ArrivalAPI(
    title="Arrival API",
    version="1",
    description=(
        "Open data and actions of Arrival, the platform for city-led migration governance. "
        "Reads of published records are public; writes need a token with the write scope "
        "(`Authorization: Bearer <key>`; a read-scoped token is refused every method but GET, HEAD and OPTIONS "
        "with 403, an expired or revoked one with 401). Tokens are created while signed in, never with a token. "
        "Errors are RFC 7807 problems; a request that does not match the schema is a 422 naming each field. "
        "The files of open data the site serves outside the API are listed under the tag "
        f"'{OPEN_DATA_TAG}'."
    ),
    urls_namespace="api",
    throttle=api_throttles(),
)


def _problem(request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    payload = problem_payload(request, status=status, title=title, detail=detail, **extra)
    response = api.create_response(request, payload, status=status)
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
    # A known key that no longer works says why (expired, revoked); anything else asks for a valid one.
    detail = str(exc) if isinstance(exc, TokenRefused) else "A valid API token is required."
    return _problem(request, 401, "Unauthorized", detail)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _problem(request, 400, "Invalid input", "; ".join(exc.messages))


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _problem(
        request, 422, "Invalid request", "The request does not match the schema.", errors=exc.errors
    )


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
