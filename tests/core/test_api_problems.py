"""The API's shared behaviour: RFC 7807 problems and rate limits."""

from django.conf import settings


def test_unknown_record_is_a_problem_document(client):
    response = client.get("/api/v1/actors/local-governments/999999999")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found"


def test_wrong_type_is_a_problem_document_naming_the_field(client):
    response = client.get("/api/v1/actors/local-governments?page=zero")
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Invalid request"
    assert any("page" in str(error.get("loc")) for error in body["errors"])


def test_anonymous_reads_are_rate_limited(client):
    allowed = int(settings.ARRIVAL_API_RATE_ANON.split("/")[0])
    statuses = [client.get("/api/v1/actors/countries?page_size=1").status_code for _ in range(allowed + 1)]
    assert statuses[:allowed] == [200] * allowed
    assert statuses[-1] == 429
    assert client.get("/api/v1/actors/countries").json()["title"] == "Too many requests"
