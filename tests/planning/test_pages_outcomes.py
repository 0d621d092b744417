"""Pages of the outcome model and of fairness floors: planners only, errors name the line, the plan page says
where its scores came from."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arrival.planning.models import IntakeRound
from tests.accounts.factories import StaffFactory, sign_in_as
from tests.planning.factories import ready_round
from tests.planning.outcome_records import outcome_lines


def _upload(lines):
    return SimpleUploadedFile("history.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_outcome_model_page_trains_shows_coefficients_and_refuses_bad_lines(client):
    world = ready_round(cases=20)
    url = reverse("planning:outcome_model", args=[world.round.pk])
    for user in (StaffFactory(), world.officers[world.cities[0].pk]):
        sign_in_as(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"model-file": _upload(outcome_lines()), "model-l2": "1"}).status_code == 403
    assert IntakeRound.objects.get(pk=world.round.pk).outcome_model == {}
    sign_in_as(client, world.planner)
    assert 'id="no-model"' in client.get(url).content.decode()
    lines = outcome_lines()
    bad = lines[:5] + [lines[5].replace(lines[5].split(",")[0], "many", 1)] + lines[6:]
    page = client.post(url, {"model-file": _upload(bad), "model-l2": "1"}).content.decode()
    assert "line 6" in page and "No model was trained" in page
    assert IntakeRound.objects.get(pk=world.round.pk).outcome_model == {}
    response = client.post(url, {"model-file": _upload(lines), "model-l2": "2"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'id="model-coefficients"' in page and "demand_match" in page and world.planner.display_name in page
    table = page[page.index('id="model-coefficients"'):]
    assert table.index("intercept") < table.index("demand_match") < table.index("first_preference")  # FEATURES order
    detail = client.get(reverse("planning:round_detail", args=[world.round.pk])).content.decode()
    assert "trained on 120 historical records" in detail


def test_compute_form_with_floors_and_the_plan_page_shows_source_and_floors(client):
    world = ready_round(cases=30)
    sign_in_as(client, world.planner)
    url = reverse("planning:outcome_model", args=[world.round.pk])
    client.post(url, {"model-file": _upload(outcome_lines()), "model-l2": "1"})
    detail = client.get(reverse("planning:round_detail", args=[world.round.pk])).content.decode()
    assert 'id="fairness-floors"' in detail and "group_a" in detail and "group_b" in detail
    compute = reverse("planning:plan_compute", args=[world.round.pk])
    response = client.post(compute, {"floor_0": "1.5"})  # out of range: refused, nothing computed
    assert response.status_code == 302 and not world.round.plans.exists()
    response = client.post(compute, {"floor_0": "0.05"}, follow=True)
    plan = world.round.plans.get()
    assert plan.inputs["fairness_floors"] == {"group_a": 0.05}
    page = response.content.decode()
    assert "Outcome model trained on historical records" in page and 'id="plan-model"' in page
    assert 'id="fairness-floors"' in page and "0.050" in page
    staff = StaffFactory()  # site staff compute plans but read no case data: no floor fields for them
    sign_in_as(client, staff)
    assert 'id="fairness-floors"' not in client.get(reverse("planning:round_detail",
                                                            args=[world.round.pk])).content.decode()
