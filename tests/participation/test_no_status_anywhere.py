"""DESIGN.md rule 1: nothing a resident touches asks for or stores legal or migration status, nationality or
papers. This walks every model field, form field (with its choices), API schema property (from the OpenAPI
document of config.api.api) and personal-data export of `accounts`, `engagement` and `participation`, and fails
if a name, label, help text or option matches the word list."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.utils.encoding import force_str

from arrival.accounts.personal_data import personal_data_providers
from arrival.engagement import services as engagement
from arrival.participation import services
from tests.participation.factories import COLLECT_AT, SUPPORT_AT, open_process, posted, resident

APPS = ("accounts", "engagement", "participation")
FORBIDDEN = re.compile(
    r"legal[\s_-]*status|migration[\s_-]*status|migratory[\s_-]*status|immigration|nationalit|citizenship"
    r"|\bpapers?\b|\bvisas?\b|residen(ce|t|cy)[\s_-]*permit|asylum|passport|undocumented|refugee[\s_-]*status"
    r"|country[\s_-]*of[\s_-]*(birth|origin)",
    re.IGNORECASE,
)


def offending(texts: Iterator[tuple[str, str]]) -> list[str]:
    return [f"{where}: {text!r}" for where, text in texts if text and FORBIDDEN.search(text.replace("_", " "))]


def model_texts() -> Iterator[tuple[str, str]]:
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            yield f"{model._meta.label}", model.__name__
            yield f"{model._meta.label} verbose name", force_str(model._meta.verbose_name)
            for field in model._meta.get_fields():
                where = f"{model._meta.label}.{field.name}"
                yield where, field.name
                yield where, force_str(getattr(field, "verbose_name", "") or "")
                yield where, force_str(getattr(field, "help_text", "") or "")
                for _value, choice in getattr(field, "choices", None) or []:
                    yield where, force_str(choice)


def _form_instance(cls: type[forms.BaseForm]) -> forms.BaseForm | None:
    try:
        return cls()
    except TypeError:
        return None


def form_texts() -> Iterator[tuple[str, str]]:
    import importlib

    for label in APPS:
        module = importlib.import_module(f"arrival.{label}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            instance = _form_instance(cls)
            fields = instance.fields if instance is not None else cls.base_fields
            for field_name, field in fields.items():
                where = f"{module.__name__}.{name}.{field_name}"
                yield where, field_name
                yield where, force_str(field.label or "")
                yield where, force_str(field.help_text or "")
                for _value, choice in getattr(field, "choices", None) or []:
                    yield where, force_str(choice)


def _walk_schema(node: Any, where: str, components: dict[str, Any], seen: set[str]) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield f"{where} → {name}", name
                yield from _walk_schema(components.get(name, {}), f"{where} → {name}", components, seen)
        for key in ("title", "description"):
            if isinstance(node.get(key), str):
                yield where, node[key]
        for prop, sub in (node.get("properties") or {}).items():
            yield f"{where}.{prop}", prop
            yield from _walk_schema(sub, f"{where}.{prop}", components, seen)
        for key, sub in node.items():
            if key not in ("properties", "$ref"):
                yield from _walk_schema(sub, where, components, seen)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_schema(item, where, components, seen)


def api_texts() -> Iterator[tuple[str, str]]:
    from config.api import api

    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    prefixes = tuple(f"/api/v1/{label}/" for label in APPS)
    paths = {path: spec for path, spec in document["paths"].items() if path.startswith(prefixes)}
    assert any(path.startswith("/api/v1/participation/") for path in paths)
    for path, spec in paths.items():
        for method, operation in spec.items():
            for parameter in operation.get("parameters", []):
                yield f"{method} {path} ?{parameter.get('name')}", parameter.get("name", "")
            yield from _walk_schema(operation, f"{method} {path}", components, set())


def _keys(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{where}.{key}", str(key)
            yield from _keys(value, f"{where}.{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item, where)


def test_word_list_catches_what_it_must() -> None:
    planted = [("x", "nationality"), ("y", "Residence permit number"), ("z", "legal_status"), ("w", "Visa type"),
               ("v", "Immigration status"), ("u", "asylum_case"), ("t", "passport_no"), ("s", "Your papers")]
    assert len(offending(iter(planted))) == len(planted)
    assert not offending(iter([("ok", "visibility"), ("ok", "Answer status"), ("ok", "preferred language")]))


def test_no_model_field_about_status() -> None:
    assert not offending(model_texts())


def test_no_form_field_about_status() -> None:
    assert not offending(form_texts())


def test_no_api_schema_property_about_status() -> None:
    assert not offending(api_texts())


@pytest.mark.django_db
def test_no_export_key_about_status() -> None:
    process = open_process(demographics_enabled=True)
    author = resident(email="a@example.org")
    proposal = posted(process, author)
    services.support_create(user=author, proposal=posted(process, resident()), at=SUPPORT_AT)
    with time_machine.travel(COLLECT_AT, tick=False):
        engagement.comment_create(user=author, target=proposal, body="hi", process=process.process)
    from arrival.accounts.services import personal_data_export

    data = personal_data_export(user=author)
    assert {"account", "participation", "engagement"} <= set(data)
    assert not offending(_keys(data, "export"))
    for provider in personal_data_providers():
        assert not offending(_keys(provider.export(author), provider.key))


def test_demographic_questions_never_ask_about_status() -> None:
    texts = [("question", force_str(spec["label"])) for spec in services.DEMOGRAPHIC_QUESTIONS.values()]
    texts += [("option", force_str(label)) for spec in services.DEMOGRAPHIC_QUESTIONS.values()
              for label in spec["options"].values()]
    assert not offending(iter(texts))


def test_no_ip_address_or_precise_location_stored_with_content() -> None:
    from django.db import models

    suspicious = re.compile(r"(^|_)ip(_|$)|ip_address|remote_addr|user_agent|street|address_line|postcode|gps",
                            re.IGNORECASE)
    for label in ("engagement", "participation"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                assert not isinstance(field, models.GenericIPAddressField), f"{model._meta.label}.{field.name}"
                assert not suspicious.search(field.name), f"{model._meta.label}.{field.name}"
