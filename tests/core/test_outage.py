"""A database outage: pages and the API answer 503 with Retry-After and a translated page, then recover alone."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from django.db import IntegrityError, OperationalError

from arrival.core.outage import database_unavailable
from tests.core.served import request


def test_pages_and_api_answer_503_during_an_outage_and_recover(served, tmp_path: Path):
    port = served()
    page, api = "/networks/", "/api/v1/actors/countries?page_size=1"
    assert request(port, "GET", page).status == 200
    assert request(port, "GET", api).status == 200

    (tmp_path / "db").rename(tmp_path / "db-away")  # the database file cannot be opened any more
    down_page = request(port, "GET", page, Accept_Language="fr")
    assert down_page.status == 503, down_page.body[:500]
    assert down_page.headers["Retry-After"] == "30"
    assert 'lang="fr"' in down_page.body and "Arrival est momentanément indisponible" in down_page.body
    down_api = request(port, "GET", api)
    assert down_api.status == 503 and down_api.headers["Retry-After"] == "30"
    assert down_api.headers["Content-Type"] == "application/problem+json"
    assert json.loads(down_api.body)["status"] == 503

    (tmp_path / "db-away").rename(tmp_path / "db")
    assert request(port, "GET", page).status == 200
    assert request(port, "GET", api).status == 200


@pytest.mark.parametrize(("error", "outage"), [
    (OperationalError("unable to open database file"), True),
    (OperationalError("database is locked"), True),
    (OperationalError('connection failed: connection to server at "127.0.0.1", port 5999 failed'), True),
    (OperationalError("no such table: actors_actor"), False),  # a missing migration is a bug, not an outage
    (IntegrityError("UNIQUE constraint failed"), False),
    (ValueError("unrelated"), False),
])
def test_only_connection_level_errors_are_outages(error, outage):
    assert database_unavailable(error) is outage


def test_an_unreachable_postgresql_is_an_outage_too(served):
    """The same answers when the database is a PostgreSQL server that does not answer (its port closed)."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    port = served(DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/arrival")
    page = request(port, "GET", "/networks/", Accept_Language="es")
    assert page.status == 503 and page.headers["Retry-After"] == "30", page.body[:500]
    assert 'lang="es"' in page.body
    api = request(port, "GET", "/api/v1/actors/countries?page_size=1")
    assert api.status == 503 and api.headers["Content-Type"] == "application/problem+json"
