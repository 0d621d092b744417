"""The API's published contract: the generated OpenAPI schema must match the committed snapshot.

A deliberate API change updates the snapshot: `UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py`,
and the diff of tests/snapshots/openapi.json shows reviewers exactly what clients will see change.
"""

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def test_openapi_schema_matches_the_committed_snapshot(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    rendered = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert SNAPSHOT.exists(), "No snapshot yet: run UPDATE_SNAPSHOTS=1 pytest tests/test_openapi.py"
    assert rendered == SNAPSHOT.read_text(encoding="utf-8"), (
        "The API schema changed. If that is intended, run UPDATE_SNAPSHOTS=1 pytest tests/test_openapi.py "
        "and commit tests/snapshots/openapi.json."
    )


def test_every_list_endpoint_is_paginated_with_a_total(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path.rsplit("/", 1)[-1]:
            continue
        ref = get["responses"]["200"]["content"]["application/json"]["schema"].get("$ref", "")
        body = components.get(ref.rsplit("/", 1)[-1], {})
        if body.get("properties", {}).get("items", {}).get("type") == "array":
            assert {"count", "page", "page_size"} <= set(body["properties"]), path
