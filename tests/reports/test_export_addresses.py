"""Every export address answers a GET with the file itself: walk the site's URL patterns, find each address
that names a file (a `.csv`, `.json`, `.xlsx`, `.pdf`, `.docx` or `.md` suffix, fixed or as `<fmt>`), make a
published object for it, and GET each format — 503 with Retry-After while its first build runs, then the file
with its media type; never 200 with an HTML page."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.accounts.factories import sign_in_as

CSV, JSON, PDF, MD = (
    "text/csv; charset=utf-8",
    "application/json",
    "application/pdf",
    "text/markdown; charset=utf-8",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_SUFFIX = re.compile(r"\.(<[^>]*fmt>|csv|json|xlsx|pdf|docx|md)$")


def _routes(patterns: Any, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def file_routes() -> list[str]:
    """Every route of the site that names a file, with its format parameter written `<fmt>`."""
    routes = {re.sub(r"<[^>]*fmt>", "<fmt>", route) for route in _routes(get_resolver().url_patterns)}
    return sorted(route for route in routes if FILE_SUFFIX.search(route) and not route.startswith("api/"))


# --- one published object per address: (who asks, URL kwargs, {format: media type}) -------------------------


def _assessment() -> Any:
    from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish

    assessment = AssessmentFactory()
    team = officer_for(assessment.government)
    answer_all(assessment, level=3, user=team)
    return publish(assessment, team=team), team


def _assessment_report() -> tuple[Any, dict[str, Any], dict[str, str]]:
    assessment, _team = _assessment()
    return None, {"pk": assessment.pk}, {"pdf": PDF, "docx": DOCX}


def _assessment_open_data() -> tuple[Any, dict[str, Any], dict[str, str]]:
    assessment, _team = _assessment()
    return None, {"pk": assessment.pk}, {"csv": CSV, "json": JSON, "xlsx": XLSX}


def _all_scores() -> tuple[Any, dict[str, Any], dict[str, str]]:
    _assessment()
    return None, {}, {"csv": CSV, "json": JSON, "xlsx": XLSX}


def _questionnaire() -> tuple[Any, dict[str, Any], dict[str, str]]:
    from tests.assessments.factories import AssessmentFactory, officer_for

    assessment = AssessmentFactory()
    return officer_for(assessment.government), {"pk": assessment.pk}, {"": XLSX}


def _file_once() -> tuple[Any, dict[str, Any], dict[str, str]]:
    from tests.commitments.factories import published_commitment

    commitment = published_commitment()["commitment"]
    return None, {"pk": commitment.pk, "form": "un_gcm_pledge"}, {"csv": CSV, "json": JSON, "docx": DOCX}


def _outcome_document() -> tuple[Any, dict[str, Any], dict[str, str]]:
    from tests.consultations.factories import adopted_flow

    flow = adopted_flow()
    return (
        None,
        {"pk": flow["document"].pk, "number": flow["version"].number},
        {"pdf": PDF, "docx": DOCX, "md": MD, "csv": CSV, "json": JSON},
    )


def _transfers() -> tuple[Any, dict[str, Any], dict[str, str]]:
    from arrival.planning import services
    from arrival.planning.models import FUNDING_PERSON
    from tests.planning.factories import ready_round

    world = ready_round(cases=20)
    services.plan_compute(user=world.planner, intake_round=world.round, background=False)
    services.funding_rates_set(
        user=world.planner,
        intake_round=world.round,
        rates=[{"service": FUNDING_PERSON, "basis": "person", "amount": "100"}],
    )
    return world.planner, {"pk": world.round.pk}, {"csv": CSV, "xlsx": XLSX}


def _practices_open_data() -> tuple[Any, dict[str, Any], dict[str, str]]:
    from tests.practices.factories import published_practice

    published_practice()
    return None, {}, {"csv": CSV, "json": JSON, "xlsx": XLSX}


ADDRESSES: dict[str, Callable[[], tuple[Any, dict[str, Any], dict[str, str]]]] = {
    "assessments/<int:pk>/report.<fmt>": _assessment_report,
    "assessments/<int:pk>/open-data.<fmt>": _assessment_open_data,
    "assessments/open-data/scores.<fmt>": _all_scores,
    "assessments/<int:pk>/questionnaire.xlsx": _questionnaire,
    "commitments/<int:pk>/file-once/<str:form>.<fmt>": _file_once,
    "consultations/documents/<int:pk>/versions/<int:number>/export.<fmt>": _outcome_document,
    "planning/<int:pk>/funding/transfers.<fmt>": _transfers,
    "practices/open-data.<fmt>": _practices_open_data,
}


def _url(route: str, kwargs: dict[str, Any], fmt: str) -> str:
    path = route.replace("<fmt>", fmt)
    for name, value in kwargs.items():
        path = re.sub(rf"<(?:[^>:]+:)?{name}>", str(value), path)
    assert "<" not in path, path
    return "/" + path


def test_every_file_address_is_covered() -> None:
    assert set(file_routes()) == set(ADDRESSES), "add each new export address to ADDRESSES"


@pytest.mark.parametrize("route", sorted(ADDRESSES))
def test_a_get_on_a_published_object_returns_the_file(route: str, settings: Any) -> None:
    settings.ARRIVAL_JOBS_EAGER = False
    user, kwargs, formats = ADDRESSES[route]()
    client = Client()
    if user is not None:
        sign_in_as(client, user)
    for fmt, media_type in formats.items():
        url = _url(route, kwargs, fmt)
        response = client.get(url)
        if response.status_code == 503:
            assert int(response["Retry-After"]) > 0, url
            call_command("worker", "--once", stdout=io.StringIO())
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response["Content-Type"] == media_type, (url, response["Content-Type"])
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert not body.lstrip().lower().startswith((b"<!doctype", b"<html")), url


def test_export_patterns_lists_every_format_address() -> None:
    from arrival.reports.urls_exports import export_patterns

    listed = {re.sub(r"<[^>]*fmt>", "<fmt>", address.route) for address in export_patterns()}
    assert listed == {route for route in ADDRESSES if "<fmt>" in route}
    for address in export_patterns():
        assert address.name.endswith("_export") and address.formats
        reverse(
            address.name,
            kwargs={
                **({"pk": 1} if "<int:pk>" in address.route else {}),
                **({"number": 1} if "<int:number>" in address.route else {}),
                **({"form": "un_gcm_pledge"} if "form>" in address.route else {}),
                "fmt": address.formats[0],
            },
        )
