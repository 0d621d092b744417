"""The data migration that carries stored declarations and case records over to the new meaning (issue 13 §2)."""

from __future__ import annotations

import importlib

from django.apps import apps

from arrival.planning.models import DeclaredCapacity
from tests.planning.factories import compute, ready_round

migration = importlib.import_module("arrival.planning.migrations.0005_carry_declarations_and_cases_over")


def test_stored_not_provided_becomes_capacity_zero_and_free_text_is_cleared():
    world = ready_round(cases=12)
    plan = compute(world)
    # As main stored them: "not provided" with no value, and free text in case records.
    DeclaredCapacity.objects.filter(service="interpreter").update(state="not_provided", value=None)
    first = world.round.cases.order_by("id").first()
    old_id = first.pseudonym
    world.round.cases.filter(pk=first.pk).update(
        pseudonym="Amina Haddad",
        origin="Passport N1234567",
        group="asylum seeker",
        category="asylum seeker",
        languages=["arabic", "ar"],
        skills={"care": 0.5, "cooking": 1},
    )
    plan.assignment = [["Amina Haddad" if p == old_id else p, a] for p, a in plan.assignment]
    plan.save()
    migration.forwards(apps, None)
    assert set(DeclaredCapacity.objects.filter(service="interpreter").values_list("value", flat=True)) == {
        0.0
    }
    first.refresh_from_db()
    assert first.pseudonym == f"case-{first.pk}"
    assert (first.origin, first.group, first.category) == ("", "", "")
    assert first.languages == ["ar"] and first.skills == {"care": 0.5}
    plan.refresh_from_db()
    assert f"case-{first.pk}" in {p for p, _a in plan.assignment}
    assert "Amina Haddad" not in {p for p, _a in plan.assignment}
    world.round.refresh_from_db()
    assert "ar" in world.round.case_languages
