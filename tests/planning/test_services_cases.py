"""Case files: imported through the core's reader, all lines or none, for the round's planners only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arrival.core.models import AuditEvent
from arrival.planning import services
from tests.planning.factories import round_world


def _file(world, rows: list[str]) -> bytes:
    header = "id,size,need_housing_2br,need_school_6_11,skill_care,languages,preferences,tied_to,group,category"
    return ("\n".join([header, *rows]) + "\n").encode()


def test_import_maps_localities_and_categories():
    world = round_world()
    a, b = world.cities[0], world.cities[1]
    local_b = b.local.geonames_id
    count = services.cases_import(user=world.planner, intake_round=world.round, file=_file(world, [
        f"F1,3,1,1,0.5,ar;fr,{a.slug};{local_b},,group_a,resettlement",
        f"F2,1,,,,,,{a.pk},group_b,relocation",
    ]))
    assert count == 2
    first, second = world.round.cases.order_by("pseudonym")
    assert first.preferences == [str(a.pk), str(b.pk)]
    assert first.needs == {"housing_2br": 1.0, "school_6_11": 1.0} and first.languages == ["ar", "fr"]
    assert second.tied_to == str(a.pk)
    assert AuditEvent.objects.filter(action="planning.import_cases").count() == 1


def test_bad_lines_are_named_and_nothing_changes():
    world = round_world()
    services.cases_generate_synthetic(user=world.planner, intake_round=world.round, count=7)
    with pytest.raises(ValidationError) as info:
        services.cases_import(user=world.planner, intake_round=world.round, file=_file(world, [
            "F1,2,1,,,,,,,resettlement",
            "F2,2,1,,,,nowhere,,,resettlement",
            "F3,2,1,,,,,,,tourism",
        ]))
    text = " ".join(info.value.messages)
    assert "line 3" in text and "nowhere" in text and "line 4" in text and "tourism" in text
    assert world.round.cases.count() == 7
    with pytest.raises(ValidationError) as info:  # the core's reader names the line too
        services.cases_import(user=world.planner, intake_round=world.round, file=_file(world, ["F1,zero,1"]))
    assert "line 2" in info.value.messages[0]
    assert world.round.cases.count() == 7


def test_import_is_for_the_round_planners_only():
    world = round_world()
    with pytest.raises(PermissionDenied):
        services.cases_import(user=world.officers[world.cities[0].pk], intake_round=world.round,
                              file=_file(world, ["F1,2,1,,,,,,,"]))
    assert not world.round.cases.exists()


def test_synthetic_cases_are_seeded_and_labelled_demo():
    world = round_world()
    services.cases_generate_synthetic(user=world.planner, intake_round=world.round, count=15, seed=9)
    first = list(world.round.cases.values_list("pseudonym", "size", "needs", "preferences"))
    services.cases_generate_synthetic(user=world.planner, intake_round=world.round, count=15, seed=9)
    assert list(world.round.cases.values_list("pseudonym", "size", "needs", "preferences")) == first
    assert all(world.round.cases.values_list("is_demo", flat=True))
    assert not world.round.cases.filter(size__lt=1).exists()
