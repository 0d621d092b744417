"""The API's published contract: the generated OpenAPI schema must match the committed snapshot.

A deliberate API change updates the snapshot: `UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py`,
and the diff of tests/snapshots/openapi.json shows reviewers exactly what clients will see change.
"""

import json
import os
import re
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
        if not get or "{" in path.rsplit("/", 1)[-1] or not path.startswith("/api/v1/"):
            continue
        ref = get["responses"]["200"]["content"]["application/json"]["schema"].get("$ref", "")
        body = components.get(ref.rsplit("/", 1)[-1], {})
        if body.get("properties", {}).get("items", {}).get("type") == "array":
            assert {"count", "page", "page_size"} <= set(body["properties"]), path


def _component_classes() -> dict[str, set[tuple[str, str, str]]]:
    """Every schema class the API publishes, by the component name OpenAPI gives it.

    A class is told apart by where it is defined and by the schema it generates, so two classes that
    happen to share a name — across apps, or two generated pages of different items — both show.
    """
    import enum
    import typing

    from pydantic import BaseModel

    from config.api import api

    found: dict[str, set[tuple[str, str, str]]] = {}
    seen: set[type] = set()

    def visit(annotation: object) -> None:
        for arg in typing.get_args(annotation):
            visit(arg)
        if not isinstance(annotation, type) or annotation in seen:
            return
        if issubclass(annotation, enum.Enum):
            seen.add(annotation)
            found.setdefault(annotation.__name__, set()).add(
                (annotation.__module__, annotation.__qualname__, repr([m.value for m in annotation]))
            )
        elif issubclass(annotation, BaseModel):
            seen.add(annotation)
            shape = json.dumps(annotation.model_json_schema(mode="serialization"), sort_keys=True)
            found.setdefault(annotation.__name__, set()).add(
                (annotation.__module__, annotation.__qualname__, shape)
            )
            for field in annotation.model_fields.values():
                visit(field.annotation)

    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                wrappers = [*operation.models, *operation.response_models.values()]
                for wrapper in wrappers:
                    # ninja's wrappers (the parameters of one operation, its response) are inlined, not components
                    for field in getattr(wrapper, "model_fields", {}).values():
                        visit(field.annotation)
    return found


def test_no_two_schemas_share_a_component_name(client):
    """openapi.json keeps one schema per name, so a second class of that name documents the wrong body."""
    shared = {
        name: sorted(f"{module}.{qualname}" for module, qualname, _ in classes)
        for name, classes in _component_classes().items()
        if len(classes) > 1
    }
    assert shared == {}
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(components) <= set(_component_classes()) | {"Input", "Output"}, set(components) - set(
        _component_classes()
    )


def test_the_document_names_the_data_licence_and_a_contact(client, settings):
    info = client.get("/api/v1/openapi.json").json()["info"]
    assert info["license"] == {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"}
    assert info["contact"]["email"] == settings.ARRIVAL_CONTACT_EMAIL and info["contact"]["name"]
    settings.ARRIVAL_DATA_LICENCE = "Licence ouverte 2.0"
    assert client.get("/api/v1/openapi.json").json()["info"]["license"] == {"name": "Licence ouverte 2.0"}


def _documented(schema: dict, address: str) -> bool:
    import re

    for path in schema["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"
        if re.match(pattern, address) and "get" in schema["paths"][path]:
            return True
    return False


# Every export the site serves, by URL name and arguments: each must be in the OpenAPI document.
EXPORTS = [
    ("assessments:questionnaire_xlsx", [1]),
    ("assessments:report_export", [1, "pdf"]),
    ("assessments:report_export", [1, "docx"]),
    ("assessments:open_data_export", [1, "csv"]),
    ("assessments:open_data_export", [1, "json"]),
    ("assessments:open_data_export", [1, "xlsx"]),
    ("assessments:open_data_all_export", ["csv"]),
    ("assessments:open_data_all_export", ["xlsx"]),
    ("practices:open_data_export", ["xlsx"]),
    ("consultations:version_export", [1, 1, "pdf"]),
    ("commitments:file_once_export", [1, "gcm", "csv"]),
    ("planning:funding_export", [1, "csv"]),
    ("practices:feed", []),
]


def test_every_registered_export_is_documented_with_its_formats_and_first_build_answer(client):
    """Each export address (arrival.reports.urls_exports) is listed with exactly its formats and the 503 of a
    file's first build."""
    from arrival.reports.urls_exports import export_patterns

    schema = client.get("/api/v1/openapi.json").json()
    exports = export_patterns()
    assert len(exports) >= 7
    for export in exports:
        path = "/" + re.sub(r"<(?:[^>:]+:)?(\w+)>", lambda m: "{" + m.group(1) + "}", export.route)
        operation = schema["paths"][path]["get"]
        fmt = next(p for p in operation["parameters"] if p["name"] == "fmt")
        assert fmt["schema"]["enum"] == list(export.formats), path
        assert "503" in operation["responses"] and "Retry-After" in operation["responses"]["503"]["headers"]


def test_every_export_address_is_in_the_document(client):
    from django.urls import reverse

    schema = client.get("/api/v1/openapi.json").json()
    for name, args in EXPORTS:
        address = reverse(name, args=args)
        assert _documented(schema, address), address


def test_every_file_address_of_the_site_is_in_the_document(client):
    """Read from the URL patterns: a new export (any route ending in a file extension) appears by itself."""
    import re

    from django.urls import URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    schema = client.get("/api/v1/openapi.json").json()
    files = [
        route
        for route in walk(get_resolver())
        if re.search(r"\.(csv|json|xlsx|pdf|docx|md|ics|xml|zip|<[^>]*fmt>)$", route)
        and not route.startswith("api/")
    ]
    assert len(files) >= 7
    for route in files:
        address = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) else "csv", route)
        assert _documented(schema, address), route
        operation = next(
            ops["get"]
            for path, ops in schema["paths"].items()
            if re.match("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$", address)
        )
        assert operation["tags"] == ["open data files"], route
