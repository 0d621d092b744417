"""Case records are pseudonymous by construction (issue 13 §1): opaque ids, closed codes, numbers — any other
value is refused with the line, and nothing is stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from arrival.planning import services
from tests.planning.factories import round_world

HEADER = "id,size,need_interpreter,skill_care,languages,origin,group,category\n"


def _world():
    world = round_world()
    services.round_update(
        user=world.planner,
        intake_round=world.round,
        case_languages=["ar", "uk", "fa"],
        case_groups=["group_a", "group_b"],
    )
    return world


def _import(world, text: str) -> int:
    return services.cases_import(user=world.planner, intake_round=world.round, file=text.encode())


def test_a_row_with_a_name_passport_and_status_is_refused_and_nothing_is_stored():
    world = _world()
    good = "C-001,2,1,0.5,ar;uk,SY,group_a,resettlement\n"
    bad = "Amina Haddad,3,1,0.5,ar,Passport N1234567,asylum seeker,asylum seeker\n"
    with pytest.raises(ValidationError) as error:
        _import(world, HEADER + good + bad)
    text = " ".join(error.value.messages)
    assert "line 3" in text
    assert "case id" in text and "origin" in text and "group" in text and "category" in text
    assert not world.round.cases.exists()


@pytest.mark.parametrize(
    ("cell", "column", "value"),
    [
        ("id", "id", "C 001"),
        ("origin", "origin", "Syria"),
        ("origin", "origin", "XX"),
        ("languages", "languages", "arabic"),
        ("languages", "languages", "de"),  # a real code, but not in the round's list
        ("group", "group", "christians"),
        ("category", "category", "asylum_seeker"),
    ],
)
def test_each_closed_field_refuses_values_outside_its_list(cell, column, value):
    world = _world()
    row = {
        "id": "C-001",
        "size": "2",
        "need_interpreter": "1",
        "skill_care": "0.5",
        "languages": "ar",
        "origin": "SY",
        "group": "group_a",
        "category": "resettlement",
    }
    row[cell] = value
    with pytest.raises(ValidationError) as error:
        _import(world, HEADER + ",".join(row.values()) + "\n")
    assert "line 2" in " ".join(error.value.messages)
    assert not world.round.cases.exists()


def test_unknown_columns_are_refused():
    world = _world()
    with pytest.raises(ValidationError, match="notes"):
        _import(world, "id,size,notes\nC-1,1,speaks softly\n")
    assert not world.round.cases.exists()


def test_valid_codes_are_stored():
    world = _world()
    text = (
        HEADER + "C-001,2,1,0.5,ar;uk,SY,group_a,resettlement\nC_002,1,,,fa,145,group_b,relocation\n"
        "c3,1,,,,SYR,,\n"
    )
    assert _import(world, text) == 3
    origins = sorted(world.round.cases.values_list("origin", flat=True))
    assert origins == ["145", "SY", "SYR"]


def test_synthetic_cases_follow_the_rule():
    world = _world()
    services.cases_generate_synthetic(user=world.planner, intake_round=world.round, count=40, seed=2)
    world.round.refresh_from_db()
    from arrival.planning.cases import case_row_errors

    for case in world.round.cases.all():
        assert case_row_errors(case=case, intake_round=world.round) == []
