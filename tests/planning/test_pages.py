"""Planning pages: who sees what, the forms write through the services, case data stays with planners."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from arrival.planning import services
from arrival.planning.models import Declaration, LocalityResponse, RoundLocality
from tests.accounts.factories import StaffFactory, UserFactory, sign_in_as
from tests.planning.factories import open_round, ready_round, round_world


def _declaration_post(**overrides):
    data = {}
    for service in ("housing_1br", "housing_2br", "housing_3br", "school_6_11", "school_12_17", "childcare",
                    "language_course", "health", "interpreter"):
        data[f"value_{service}"] = "30"
        data[f"state_{service}"] = "provided"
    data["state_health"], data["value_health"] = "not_provided", ""
    data["state_childcare"] = "partial"
    data["labour_care"] = "12"
    data["places_volunteered"] = "10"
    data.update(overrides)
    return data


def test_round_pages_for_planner(client):
    world = round_world()
    sign_in_as(client, world.planner)
    for name in ("round_detail", "localities", "keys", "cases", "funding", "round_edit"):
        response = client.get(reverse(f"planning:{name}", args=[world.round.pk]))
        assert response.status_code == 200, name
    page = client.get(reverse("planning:round_list")).content.decode()
    assert world.round.title in page


def test_draft_round_hidden_from_localities_and_strangers(client):
    world = round_world()
    officer = world.officers[world.cities[0].pk]
    sign_in_as(client, officer)
    assert client.get(reverse("planning:round_detail", args=[world.round.pk])).status_code == 403
    assert world.round.title not in client.get(reverse("planning:round_list")).content.decode()
    open_round(world)
    assert client.get(reverse("planning:round_detail", args=[world.round.pk])).status_code == 200
    sign_in_as(client, UserFactory())
    assert client.get(reverse("planning:round_detail", args=[world.round.pk])).status_code == 403


def test_locality_sees_only_its_own_declaration_and_no_cases(client):
    world = ready_round(cases=10)
    a, b = world.cities[0], world.cities[1]
    sign_in_as(client, world.officers[a.pk])
    assert client.get(reverse("planning:declaration", args=[world.round.pk, a.pk])).status_code == 200
    assert client.get(reverse("planning:declaration", args=[world.round.pk, b.pk])).status_code == 403
    page = client.get(reverse("planning:round_detail", args=[world.round.pk])).content.decode()
    assert b.name not in page  # the declarations table lists only its own row
    for name in ("cases", "keys", "localities", "funding"):
        assert client.get(reverse(f"planning:{name}", args=[world.round.pk])).status_code == 403, name
    assert "C00001" not in page


def test_declaration_form_saves_partial_and_not_provided(client):
    world = round_world()
    open_round(world)
    city = world.cities[0]
    sign_in_as(client, world.officers[city.pk])
    url = reverse("planning:declaration", args=[world.round.pk, city.pk])
    response = client.post(url, _declaration_post(submit="1"))
    assert response.status_code == 302
    declaration = Declaration.objects.get(round=world.round, actor=city)
    assert declaration.status == "submitted"
    states = {c.service: (c.value, c.state) for c in declaration.capacities.all()}
    assert states["health"] == (0, "not_provided") and states["childcare"] == (30, "partial")
    detail = client.get(reverse("planning:round_detail", args=[world.round.pk])).content.decode()
    assert "Submitted" in detail


def test_region_table_page_shows_line_errors_and_saves_nothing(client):
    world = round_world()
    sign_in_as(client, world.planner)
    before = RoundLocality.objects.filter(round=world.round).count()
    response = client.post(reverse("planning:localities", args=[world.round.pk]),
                           {"table": f"locality,region\n{world.cities[0].slug},North\nnowhere,North\n"})
    assert response.status_code == 200
    assert "line 3" in response.content.decode()
    assert RoundLocality.objects.filter(round=world.round).count() == before


def test_keys_page_compares_keys(client):
    world = round_world()
    for city in world.cities:
        services.key_inputs_set(user=world.planner, intake_round=world.round,
                                rows={city.pk: {"tax_revenue": 1000 + city.pk, "gdp": 10, "unemployment_rate": 5,
                                                "past_effort": 3}})
    sign_in_as(client, world.planner)
    page = client.get(reverse("planning:keys", args=[world.round.pk])).content.decode()
    assert "Königstein" in page and "tax_revenue" in page and "EU-2015" in page
    assert "2/3" in page  # the formula is shown


def test_cases_page_for_planners_only_even_for_site_staff(client):
    world = ready_round(cases=5)
    sign_in_as(client, world.planner)
    assert "C00001" in client.get(reverse("planning:cases", args=[world.round.pk])).content.decode()
    sign_in_as(client, StaffFactory())
    assert client.get(reverse("planning:cases", args=[world.round.pk])).status_code == 403
    assert client.get(reverse("planning:round_detail", args=[world.round.pk])).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_plan_flow_pages_and_transfer_export(client, fmt):
    world = ready_round(cases=30)
    sign_in_as(client, world.planner)
    response = client.post(reverse("planning:plan_compute", args=[world.round.pk]))
    assert response.status_code == 302
    plan = world.round.plans.get()
    page = client.get(reverse("planning:plan_detail", args=[world.round.pk, plan.version])).content.decode()
    assert "Certificate" in page and "<svg" in page and "Upper bound" in page
    assert client.get(reverse("planning:plan_assignment", args=[world.round.pk, plan.version])).status_code == 200
    client.post(reverse("planning:funding", args=[world.round.pk]), {"person": "100"})
    call_command("worker", "--once", stdout=io.StringIO())  # the new plan and rates queued the file's build
    export = client.get(reverse("planning:funding_export", args=[world.round.pk, fmt]))
    assert export.status_code == 200
    if fmt == "csv":
        assert "locality" in b"".join(export.streaming_content).decode("utf-8-sig").splitlines()[0]
    client.post(reverse("planning:plan_publish", args=[world.round.pk, plan.version]))
    city = world.cities[0]
    sign_in_as(client, world.officers[city.pk])
    assert client.get(reverse("planning:plan_assignment", args=[world.round.pk, plan.version])).status_code == 403
    mine = client.get(reverse("planning:allocation", args=[world.round.pk, city.pk])).content.decode()
    assert "C000" not in mine and "By category" in mine
    response = client.post(reverse("planning:respond", args=[world.round.pk, city.pk]),
                           {"decision": "object", "object-reasons": "Too many.",
                            **{f"object-{k}": v for k, v in _declaration_post().items()}})
    assert response.status_code == 302
    assert LocalityResponse.objects.get(actor=city).decision == "object"


def test_admin_never_shows_case_data_to_site_staff(client):
    world = ready_round(cases=10)
    plan = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=10).plan
    staff = StaffFactory(is_superuser=True)
    sign_in_as(client, staff)
    page = client.get(reverse("admin:planning_plan_change", args=[plan.pk])).content.decode()
    assert "C00001" not in page
    assert client.get("/admin/planning/").status_code == 200
    assert "/admin/planning/case/" not in client.get("/admin/planning/").content.decode()
