"""The user model holds nothing about a person's legal or migration status, nationality or papers."""

from __future__ import annotations

import re

from arrival.accounts.models import ApiToken, Invitation, Role, RoleRequest, User

DENIED = (
    "legal_status", "migration_status", "immigration", "migrant", "residency", "visa", "asylum", "refugee",
    "nationality", "citizenship", "citizen", "passport", "papers", "documented", "residence_permit",
    "work_permit", "permit", "birth_country", "country_of_origin", "origin", "ethnicity",
)


def _words(text: str) -> str:
    return re.sub(r"[^a-z]+", "_", text.lower())


def _offending(model, *, extra: tuple[str, ...] = ()) -> list[str]:
    found = []
    for field in model._meta.get_fields():
        # Field names must not even say "status"; labels are checked against the specific words only
        # (Django's own "superuser status" label is about site permissions, not about a person).
        if any(word in _words(field.name) for word in (*DENIED, *extra)):
            found.append(field.name)
        if any(word in _words(str(getattr(field, "verbose_name", ""))) for word in DENIED):
            found.append(f"{field.name} ({field.verbose_name})")
    return found


def test_user_model_has_no_status_or_nationality_field():
    assert _offending(User, extra=("status",)) == []


def test_role_models_hold_no_such_field_either():
    # RoleRequest.status is the state of the request itself, so bare "status" is allowed on these.
    for model in (Role, RoleRequest, Invitation, ApiToken):
        assert _offending(model) == [], model.__name__
