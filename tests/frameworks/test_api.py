import pytest

from arrival.frameworks.selectors import CROSSWALK_STATUS

BASE = "/api/v1/frameworks"


@pytest.mark.parametrize(
    ("path", "count", "first_code", "version"),
    [
        ("gcm-objectives", 23, "1", "2018"),
        ("gcm-principles", 10, "a", "2018"),
        ("sdg-goals", 17, "1", "2015"),
        ("sdg-targets", 23, "1.3", "2015"),
        ("nua-paragraphs", 13, "20", "2016"),
        ("domains", 6, "D1", "MiGOF 2015"),
    ],
)
def test_item_lists_are_paginated_with_their_version(client, frameworks, path, count, first_code, version):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == count and body["page"] == 1 and len(body["items"]) == count
    first = body["items"][0]
    assert set(first) >= {"kind", "code", "label", "description", "note", "framework_version"}
    assert first["code"] == first_code and first["framework_version"] == version


def test_pages_of_a_list(client, frameworks):
    body = client.get(f"{BASE}/gcm-objectives", {"page": 3, "page_size": 10}).json()
    assert body["count"] == 23 and [item["code"] for item in body["items"]] == ["21", "22", "23"]


def test_sdg_targets_name_their_goal(client, frameworks):
    items = client.get(f"{BASE}/sdg-targets").json()["items"]
    target = next(item for item in items if item["code"] == "10.7")
    assert target["goal"] == {"kind": "sdg_goal", "code": "10", "label": "Reduced inequalities", "framework_version": "2015"}
    assert target["description"].startswith("the central migration target")


def test_nua_paragraphs_to_verify_say_so(client, frameworks):
    items = {item["code"]: item for item in client.get(f"{BASE}/nua-paragraphs").json()["items"]}
    assert items["148"]["note"] and items["155"]["note"] and not items["157"]["note"]


def test_crosswalk_rows_say_they_are_arrivals_proposal(client, frameworks):
    body = client.get(f"{BASE}/crosswalk").json()
    assert body["count"] == 6
    row = body["items"][0]
    assert row["domain"]["code"] == "D1" and row["domain"]["framework_version"] == "MiGOF 2015"
    assert row["gcm_objectives"] == ["4", "7", "13", "14", "15", "17", "22"]
    assert row["nua_paragraphs"] == ["20", "28", "34"]
    assert "10.7" in row["sdg_targets"]
    assert {r["status"] for r in body["items"]} == {CROSSWALK_STATUS} == {"Arrival's own proposal, not an official table"}


def test_item_detail(client, frameworks):
    body = client.get(f"{BASE}/items/gcm_objective/15").json()
    assert body["label"] == "Access to basic services for migrants" and body["framework_version"] == "2018"
    assert [link["code"] for link in body["crosswalk"]] == ["D1"]
    assert body["crosswalk_status"] == CROSSWALK_STATUS
    goal = client.get(f"{BASE}/items/sdg_goal/10").json()
    assert {child["code"] for child in goal["children"]} == {"10.2", "10.3", "10.7", "10.c"}
    domain = client.get(f"{BASE}/items/domain/D5", {"version": "MiGOF 2015"}).json()
    assert len(domain["crosswalk"]) == 7


@pytest.mark.parametrize(
    "path",
    ["items/gcm_objective/24", "items/planets/3", "gcm-objectives?version=1999", "items/domain/D1?version=2099"],
)
def test_unknown_things_are_problem_404s(client, frameworks, path):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Not found" and response.json()["detail"]


def test_framework_list(client, frameworks):
    body = client.get(f"{BASE}/").json()
    assert body["count"] == 6
    assert {(f["kind"], f["version"], f["item_count"]) for f in body["items"]} >= {("domain", "MiGOF 2015", 6), ("nua_paragraph", "2016", 13)}


def test_openapi_describes_the_schemas(client, frameworks):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ["gcm-objectives", "gcm-principles", "sdg-targets", "nua-paragraphs", "domains", "crosswalk", "items/{kind}/{code}"]:
        assert f"{BASE}/{path}" in schema["paths"]
    components = schema["components"]["schemas"]
    assert set(components["CrosswalkRowOut"]["properties"]) == {"domain", "gcm_objectives", "sdg_targets", "nua_paragraphs", "status"}
    assert "goal" in components["SdgTargetOut"]["properties"]
    assert "framework_version" in components["ItemOut"]["properties"]
