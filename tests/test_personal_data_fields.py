"""DESIGN.md rule 1, walked everywhere: no model, form, API schema or export has a field that could hold a person's
name, legal or migration status, nationality or papers, outside the places the rule allows (ALLOWED, each with
its reason); and no planning case record has a free-text field (every one is closed by a check, CLOSED_CASE_FIELDS).

The walk reads names, labels, help texts and options of every model field (every installed app), every form of
`arrival` (any `forms.BaseForm` subclass, from each app's forms and views modules), every property of the OpenAPI
document, every CSV header and JSON key of every registered export with a CSV or JSON format, and one's own
personal-data export."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.test.utils import isolate_apps
from django.utils.encoding import force_str

from tests.accounts.factories import sign_in_as

STATUS_OR_PAPERS = re.compile(
    r"legal[\s_-]*status|migration[\s_-]*status|migratory[\s_-]*status|immigration|nationalit|citizenship"
    r"|(?<!position )\bpapers?\b|\bvisas?\b|residen(ce|t|cy)[\s_-]*permit|asylum|passport|undocumented|refugee[\s_-]*status"
    r"|country[\s_-]*of[\s_-]*(birth|origin)|\borigins?\b|ethnicit|\brace\b",
    re.IGNORECASE,
)
PERSON_NAME = re.compile(
    r"\b(first|last|given|family|full|middle|maiden|legal|real|birth|display|user|person'?s?|contact|author)"
    r"[\s_-]*name\b|\bsurname|\bforename|\bname[\s_-]*of[\s_-]*(the[\s_-]*)?(person|resident|applicant)",
    re.IGNORECASE,
)

# Where DESIGN.md rule 1 allows such a field: (where, what matched) → why. `where` is the walker's label up to the
# field; an entry that no longer matches anything fails the test, so the list stays true.
ALLOWED: dict[str, str] = {
    # The account: a sign-in handle and a display name that "may be a pseudonym" (DESIGN.md, shared mechanisms).
    "accounts.User.username": "the sign-in handle a person chooses; never exported with content",
    "accounts.User.display_name": "rule 1: people take part under a pseudonym if they wish; only this is shown",
    "arrival.accounts.forms.SignUpForm.username": "the account's own handle (accounts.User.username)",
    "arrival.accounts.forms.SignInForm.username": "the account's own handle (accounts.User.username)",
    "arrival.accounts.forms.SignUpForm.display_name": "the account's own display name, a pseudonym is fine",
    "arrival.accounts.forms.ProfileForm.display_name": "the account's own display name, a pseudonym is fine",
    "arrival.participation.forms.GuestProposalForm.display_name": "a guest's name to show, its label asks for a "
                                                                   "pseudonym; empty shows “Guest”",
    "schema MeOut.username": "one's own account, to oneself",
    "schema MeOut.display_name": "one's own account, to oneself",
    "schema ProposalOut.author_name": "the author's display name (a pseudonym if they wish), as the page shows it",
    "schema ProposalDetailOut.author_name": "the author's display name (a pseudonym if they wish), as on the page",
    # Staff and officials by account, never residents' identity.
    "arrival.planning.forms.CaseGrantForm.username": "the account of site staff a planner lets read the cases",
    "schema PlanningCaseGrantOut.user_name": "the staff account given case access, shown to the round's planners",
    "arrival.practices.forms.ReviewerSearchForm.q (label)": "finds peer reviewers (government officials) by "
                                                            "display name, to invite them",
    # django-axes keeps the handle typed at sign-in for the lockout.
    "axes.AccessAttempt.username": "lockout: failed attempts, short retention (docs/operations.md)",
    "axes.AccessFailureLog.username": "lockout: failed attempts, short retention (docs/operations.md)",
    "axes.AccessLog.username": "lockout records, pruned and erased with the account (issue 14 §1)",
    # Texts that match the words but say the opposite, or are reference content.
    "commitments.Commitment.contact_role (label)": "its label says it: an office or role, not a person's name",
    "arrival.practices.forms.PracticeForm.contact_role (help)": "its help says it: a role or office, never a "
                                                                "person's name",
    "arrival.commitments.forms.CreateForm.gcm_objectives (option)": "GCM objective titles (reference content)",
    "arrival.commitments.forms.CommitmentEditForm.gcm_objectives (option)": "GCM objective titles (reference "
                                                                            "content)",
    "schema CommitmentDetailOut.origins": "the consultations or proposals a commitment comes from, not a person's",
    # Pseudonymous planning case records: only the round's national planners see them, never joined elsewhere.
    "planning.Case.origin": "rule 1 exception: pseudonymous planning case record, an ISO 3166/M49 code",
}

# Case-record fields typed as text that take no free text: the check that closes each (a test feeds it free text).
CLOSED_CASE_FIELDS: dict[str, str] = {
    "pseudonym": "an opaque code, letters, digits, - and _ (cases.CASE_ID)",
    "origin": "an ISO 3166-1 or UN M49 code (cases.origin_codes)",
    "tied_to": "a locality of the round (services.cases_import)",
    "group": "one of the round's group codes (cases.groups_clean)",
    "category": "one of the round's categories (cases.case_rules)",
}


def offending(texts: Iterable[tuple[str, str]], *, allowed: dict[str, str] | None = None) -> list[str]:
    """Every (where, text) whose text names a status, nationality, papers or a person's name, unless allowed."""
    allowed = ALLOWED if allowed is None else allowed
    found = []
    for where, text in texts:
        if not text:
            continue
        plain = text.replace("_", " ")
        if (STATUS_OR_PAPERS.search(plain) or PERSON_NAME.search(plain)) and not _allowed(where, allowed):
            found.append(f"{where}: {text!r}")
    return found


def _allowed(where: str, allowed: dict[str, str]) -> bool:
    return any(where == place or where.startswith(place + " ") for place in allowed)


# --- walkers: each yields (where, text) ----------------------------------------------------------------------


def model_texts(models_to_walk: Iterable[type[models.Model]] | None = None) -> Iterator[tuple[str, str]]:
    for model in apps.get_models() if models_to_walk is None else models_to_walk:
        label = model._meta.label
        yield label, model.__name__
        yield f"{label} (verbose name)", force_str(model._meta.verbose_name)
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue  # a reverse relation: walked on the model that declares it
            where = f"{label}.{field.name}"
            yield where, field.name
            yield f"{where} (label)", force_str(getattr(field, "verbose_name", "") or "")
            yield f"{where} (help)", force_str(getattr(field, "help_text", "") or "")
            for _value, choice in getattr(field, "flatchoices", None) or []:
                yield f"{where} (option)", force_str(choice)


def _arrival_forms() -> list[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if config.name.startswith("arrival."):
            for module in ("forms", "views"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.{module}":
                        raise
    found: list[type[forms.BaseForm]] = []
    pending = list(forms.BaseForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("arrival.") and cls not in found:
            found.append(cls)
    return found


def form_texts(form_classes: Iterable[type[forms.BaseForm]] | None = None) -> Iterator[tuple[str, str]]:
    for cls in _arrival_forms() if form_classes is None else form_classes:
        try:
            fields = cls().fields  # choices a form fills in its __init__ are walked too
        except TypeError:
            fields = cls.base_fields
        for field_name, field in fields.items():
            where = f"{cls.__module__}.{cls.__name__}.{field_name}"
            yield where, field_name
            yield f"{where} (label)", force_str(field.label or "")
            yield f"{where} (help)", force_str(field.help_text or "")
            if isinstance(field, forms.ModelChoiceField):
                continue  # its options are rows (walked as models), not texts of the form
            for _value, choice in getattr(field, "choices", None) or []:
                yield f"{where} (option)", force_str(choice)


def _schema_texts(node: Any, where: str, components: dict[str, Any], seen: set[str]) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield f"{where} → {name}", name
                yield from _schema_texts(components.get(name, {}), f"{where} → {name}", components, seen)
        for key in ("title", "description"):
            if isinstance(node.get(key), str):
                yield f"{where} ({key})", node[key]
        for option in node.get("enum") or []:
            yield f"{where} (option)", str(option)
        for prop, sub in (node.get("properties") or {}).items():
            yield f"{where}.{prop}", prop
            yield from _schema_texts(sub, f"{where}.{prop}", components, seen)
        for key, sub in node.items():
            if key not in ("properties", "$ref", "enum"):
                yield from _schema_texts(sub, where, components, seen)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_texts(item, where, components, seen)


def api_texts(document: dict[str, Any] | None = None) -> Iterator[tuple[str, str]]:
    if document is None:
        from config.api import api

        document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    for name, schema in components.items():
        # Every component is walked once here; a reference elsewhere names it only.
        yield from _schema_texts(schema, f"schema {name}", components, set(components))
    for path, spec in document["paths"].items():
        for method, operation in spec.items():
            for parameter in operation.get("parameters", []):
                yield f"{method} {path} ?{parameter.get('name')}", parameter.get("name", "")
            yield from _schema_texts(operation, f"{method} {path}", components, set(components))


def _keys(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{where}.{key}", str(key)
            yield from _keys(value, f"{where}.{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item, where)


def export_texts(kind: str, fmt: str, body: bytes) -> Iterator[tuple[str, str]]:
    """The CSV header or the JSON keys of one export file."""
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))), [])
        yield from ((f"export {kind}.csv column {column}", column) for column in header)
    else:
        yield from _keys(json.loads(body), f"export {kind}.json")


# --- the walker flags what it must --------------------------------------------------------------------------


def test_word_lists_catch_what_they_must() -> None:
    planted = ["nationality", "Residence permit number", "legal_status", "Visa type", "Immigration status",
               "asylum_case", "passport_no", "Your papers", "country_of_origin", "first_name", "last_name",
               "Family name", "surname", "full_name", "contact_person_name"]
    assert len(offending((("x", text) for text in planted), allowed={})) == len(planted)
    harmless = ["visibility", "Answer status", "preferred language", "name", "title", "Name of the practice",
                "original language", "status", "country", "contact e-mail", "Position paper"]
    assert not offending((("ok", text) for text in harmless), allowed={})


@isolate_apps("arrival.participation")
def test_a_model_with_a_nationality_field_is_flagged() -> None:
    class Applicant(models.Model):  # noqa: DJ008 - planted in the walk, never saved
        nickname = models.CharField(max_length=40)
        nationality = models.CharField(max_length=2)
        status = models.CharField(max_length=10, choices=[("a", "Asylum seeker"), ("b", "Other")])

        class Meta:
            app_label = "participation"
            managed = False

    found = offending(model_texts([Applicant]))
    assert any("Applicant.nationality" in line for line in found)
    assert any("Applicant.status (option)" in line and "Asylum" in line for line in found)
    assert not any("nickname" in line for line in found)


def test_a_form_with_a_nationality_field_is_flagged() -> None:
    class SignUp(forms.Form):
        full_name = forms.CharField()
        papers = forms.ChoiceField(choices=[("y", "I have a residence permit"), ("n", "No")], label="Documents")

    found = offending(form_texts([SignUp]))
    assert any("SignUp.full_name" in line for line in found)
    assert any("SignUp.papers" in line for line in found)


def test_an_api_schema_with_a_nationality_property_is_flagged() -> None:
    document = {
        "paths": {"/api/v1/x/": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ResidentOut"}}}}}}}},
        "components": {"schemas": {"ResidentOut": {"properties": {
            "id": {"type": "integer"}, "nationality": {"type": "string"}}}}},
    }
    found = offending(api_texts(document))
    assert any("ResidentOut.nationality" in line for line in found)


def test_an_export_with_a_nationality_column_is_flagged() -> None:
    assert offending(export_texts("x", "csv", b"id,nationality,licence\r\n1,SY,CC BY 4.0\r\n"))
    assert offending(export_texts("x", "json", b'{"rows": [{"id": 1, "legal_status": "x"}]}'))


@pytest.mark.django_db
def test_every_allowed_place_exists_and_has_a_reason() -> None:
    from tests.practices.factories import ensure_frameworks

    ensure_frameworks()  # forms offer framework items as options
    places = {where for where, _text in [*model_texts(), *form_texts(), *api_texts()]}
    for place, reason in ALLOWED.items():
        assert reason.strip(), place
        assert place in places, f"{place} is allowed but no longer exists: remove it from ALLOWED"


# --- the walk -----------------------------------------------------------------------------------------------


def test_no_model_field_names_a_person_or_their_status() -> None:
    assert not offending(model_texts())


@pytest.mark.django_db
def test_every_app_form_is_walked_and_none_asks_for_a_name_or_status() -> None:
    from tests.practices.factories import ensure_frameworks

    ensure_frameworks()  # forms offer framework items as options: walk them too
    walked = _arrival_forms()
    modules = {cls.__module__.split(".")[1] for cls in walked}
    assert {"accounts", "participation", "engagement", "planning", "assessments"} <= modules
    assert not offending(form_texts(walked))


def test_no_api_schema_property_names_a_person_or_their_status() -> None:
    texts = list(api_texts())
    assert any(where.startswith("get /api/v1/participation/") for where, _text in texts)
    assert not offending(texts)


@pytest.mark.django_db
def test_no_export_column_names_a_person_or_their_status(settings: Any) -> None:
    """Build a file of every export address with a CSV or JSON format and read its header or keys."""
    from arrival.reports.models import PreparedFile
    from arrival.reports.prepared import export_kinds
    from tests.reports.test_export_addresses import ADDRESSES, _url

    settings.ARRIVAL_JOBS_EAGER = False
    texts: list[tuple[str, str]] = []
    for route, make in ADDRESSES.items():
        user, kwargs, formats = make()
        client = Client()
        if user is not None:
            sign_in_as(client, user)
        for fmt in set(formats) & {"csv", "json"}:
            url = _url(route, kwargs, fmt)
            response = client.get(url)
            if response.status_code == 503:
                call_command("worker", "--once", stdout=io.StringIO())
                response = client.get(url)
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            texts += export_texts(route, fmt, body)
    walked = set(PreparedFile.objects.values_list("kind", flat=True))
    with_tables = {kind.name for kind in export_kinds() if {"csv", "json"} & set(kind.formats)}
    assert with_tables <= walked, f"export kinds not walked: {sorted(with_tables - walked)}"
    assert not offending(texts)


@pytest.mark.django_db
def test_no_personal_data_export_key_names_a_status() -> None:
    from arrival.accounts.personal_data import personal_data_providers
    from arrival.accounts.services import personal_data_export
    from arrival.engagement import services as engagement
    from arrival.participation import services
    from tests.participation.factories import COLLECT_AT, SUPPORT_AT, open_process, posted, resident

    process = open_process(demographics_enabled=True)
    author = resident(email="a@example.org")
    proposal = posted(process, author)
    services.support_create(user=author, proposal=posted(process, resident()), at=SUPPORT_AT)
    with time_machine.travel(COLLECT_AT, tick=False):
        engagement.comment_create(user=author, target=proposal, body="hi", process=process.process)

    data = personal_data_export(user=author)
    assert {"account", "participation", "engagement"} <= set(data)
    own_account = {"export.account.username": "one's own handle, to oneself",
                   "export.account.display_name": "one's own display name, to oneself"}
    assert not offending(_keys(data, "export"), allowed={**ALLOWED, **own_account})
    for provider in personal_data_providers():
        assert not offending(_keys(provider.export(author), provider.key))


def test_demographic_questions_never_ask_about_status() -> None:
    from arrival.participation import services

    texts = [("question", force_str(spec["label"])) for spec in services.DEMOGRAPHIC_QUESTIONS.values()]
    texts += [("option", force_str(label)) for spec in services.DEMOGRAPHIC_QUESTIONS.values()
              for label in spec["options"].values()]
    assert not offending(texts)


def test_no_ip_address_or_precise_location_stored_with_content() -> None:
    suspicious = re.compile(r"(^|_)ip(_|$)|ip_address|remote_addr|user_agent|street|address_line|postcode|gps",
                            re.IGNORECASE)
    for label in ("engagement", "participation"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                assert not isinstance(field, models.GenericIPAddressField), f"{model._meta.label}.{field.name}"
                assert not suspicious.search(field.name), f"{model._meta.label}.{field.name}"


# --- planning case records: no free text --------------------------------------------------------------------


def _case_record_models() -> list[type[models.Model]]:
    """The planning models whose rows are about one case: Case, and any model pointing to it."""
    from arrival.planning.models import Case

    return [Case] + [model for model in apps.get_app_config("planning").get_models()
                     if any(getattr(f, "related_model", None) is Case for f in model._meta.get_fields()
                            if f.concrete)]


def _text_fields(model: type[models.Model]) -> list[str]:
    return [field.name for field in model._meta.get_fields()
            if isinstance(field, models.TextField)
            or (isinstance(field, models.CharField) and not field.choices)]


def test_case_records_have_no_free_text_field() -> None:
    for model in _case_record_models():
        open_fields = [name for name in _text_fields(model) if name not in CLOSED_CASE_FIELDS]
        assert not open_fields, f"{model._meta.label}: free-text field(s) {open_fields}"
    from arrival.planning.models import Case

    assert set(CLOSED_CASE_FIELDS) == set(_text_fields(Case)), "CLOSED_CASE_FIELDS names a field Case no longer has"


@isolate_apps("arrival.planning")
def test_a_case_record_with_a_free_text_field_is_flagged() -> None:
    class Case(models.Model):  # noqa: DJ008 - planted in the walk, never saved
        pseudonym = models.CharField(max_length=64)
        notes = models.TextField()

        class Meta:
            app_label = "planning"
            managed = False

    assert _text_fields(Case) == ["pseudonym", "notes"]
    assert [name for name in _text_fields(Case) if name not in CLOSED_CASE_FIELDS] == ["notes"]


@pytest.mark.django_db
def test_every_closed_case_field_refuses_free_text() -> None:
    """Each field CLOSED_CASE_FIELDS lets through is really closed: a cases file with a name or a status in it is
    refused, naming the field, and nothing is stored."""
    from django.core.exceptions import ValidationError

    from arrival.planning import services
    from tests.planning.factories import open_round, round_world

    world = round_world()
    open_round(world)
    free_text = "Amina Haddad SY passport"
    good = {"id": "c1", "size": "2", "languages": "", "preferences": "", "origin": "SY", "tied_to": "",
            "group": "", "category": "Resettlement"}
    expected = {"pseudonym": "case id", "origin": "origin", "tied_to": "tie", "group": "group",
                "category": "category"}
    assert set(expected) == set(CLOSED_CASE_FIELDS)
    for field, message in expected.items():
        row = {**good, ("id" if field == "pseudonym" else field): free_text}
        data = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
        with pytest.raises(ValidationError) as refused:
            services.cases_import(user=world.planner, intake_round=world.round, file=data.encode())
        assert message in " ".join(refused.value.messages), (field, refused.value.messages)
        assert not world.round.cases.exists()

