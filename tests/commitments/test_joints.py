"""The joints of issue 12 on the commitments side: a milestone is done on a date the team chooses (back-dated
like a progress update, never in the future, never before the commitment was made), and an indicator keeps its
series of dated values, shown as a chart with a table and given by the API."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from arrival.accounts.services import api_token_create
from arrival.commitments import services
from tests.accounts.factories import sign_in_as
from tests.commitments.factories import T0, at, city, published_commitment


def _token(user) -> dict[str, str]:  # noqa: ANN001
    _, key = api_token_create(user=user, name="script", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _signed_in(user) -> Client:  # noqa: ANN001
    client = Client()
    sign_in_as(client, user)
    return client


# --- A milestone's completion date -------------------------------------------------------------------------


def test_a_milestone_is_done_on_the_date_the_team_chooses():
    parts = published_commitment()  # made on T0 (2 March 2026), starts on 1 January 2026
    milestone = parts["commitment"].milestones.get()
    with at(T0 + dt.timedelta(days=30)):
        services.milestone_complete(user=parts["team"], milestone=milestone, done_on=dt.date(2026, 3, 20),
                                    note="Twenty hosts trained.")
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 3, 20)
    assert milestone.done_at == T0 + dt.timedelta(days=30)  # when it was recorded
    assert milestone.done_note == "Twenty hosts trained."


def test_a_milestone_is_never_done_in_the_future_nor_before_the_commitment_was_made():
    parts = published_commitment()
    milestone = parts["commitment"].milestones.get()
    with at(T0 + dt.timedelta(days=30)):
        with pytest.raises(ValidationError, match="future"):
            services.milestone_complete(user=parts["team"], milestone=milestone, done_on=dt.date(2026, 4, 2))
        # The commitment starts on 1 January 2026: a date before it is refused, the start date itself is accepted.
        with pytest.raises(ValidationError, match="before the commitment was made"):
            services.milestone_complete(user=parts["team"], milestone=milestone, done_on=dt.date(2025, 12, 31))
        milestone.refresh_from_db()
        assert milestone.done_at is None and milestone.done_on is None
        services.milestone_complete(user=parts["team"], milestone=milestone, done_on=dt.date(2026, 1, 1))
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 1, 1)


def test_without_a_start_date_a_milestone_is_not_done_before_the_commitment_was_recorded():
    parts = published_commitment(starts_on=None)
    milestone = parts["commitment"].milestones.get()
    with at(T0 + dt.timedelta(days=30)), pytest.raises(ValidationError, match="before the commitment was made"):
        services.milestone_complete(user=parts["team"], milestone=milestone, done_on=dt.date(2026, 3, 1))


def test_the_commitment_page_asks_for_the_completion_date_and_keeps_it():
    parts = published_commitment()
    commitment, milestone = parts["commitment"], parts["commitment"].milestones.get()
    client = _signed_in(parts["team"])
    with at(T0 + dt.timedelta(days=30)):
        page = client.get(reverse("commitments:detail", args=[commitment.pk])).content.decode()
        assert f'name="done_on" id="done-on-{milestone.pk}"' in page and 'max="2026-04-01"' in page
        response = client.post(reverse("commitments:milestone_done", args=[commitment.pk, milestone.pk]),
                               {"done_on": "2026-03-15", "note": "On time."})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 3, 15) and milestone.done_note == "On time."
    page = Client().get(reverse("commitments:detail", args=[commitment.pk])).content.decode()
    assert "Done on 15 March 2026" in page


def test_the_api_completes_a_milestone_on_a_chosen_date():
    parts = published_commitment()
    commitment, milestone = parts["commitment"], parts["commitment"].milestones.get()
    with at(T0 + dt.timedelta(days=30)):
        response = Client().post(f"/api/v1/commitments/{commitment.pk}/milestones/{milestone.pk}/complete",
                                 {"done_on": "2026-03-10"}, content_type="application/json", **_token(parts["team"]))
    assert response.status_code == 200, response.content
    assert response.json()["done_on"] == "2026-03-10"
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 3, 10)


def test_the_data_migration_gives_milestones_already_done_their_day_in_the_leads_zone():
    from django.apps import apps

    from arrival.commitments.models import Milestone

    parts = published_commitment(city("Auckland", timezone="Pacific/Auckland"))
    milestone = parts["commitment"].milestones.get()
    # Recorded at 20:00 UTC on 9 March: already 10 March in Auckland (UTC+13 in March).
    Milestone.objects.filter(pk=milestone.pk).update(done_at=dt.datetime(2026, 3, 9, 20, 0, tzinfo=dt.UTC), done_on=None)
    migration = importlib.import_module("arrival.commitments.migrations.0002_milestone_done_on")
    migration.done_on_from_done_at(apps, None)
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 3, 10)


# --- An indicator's series of dated values -----------------------------------------------------------------


def _series(indicator) -> list[tuple[dt.date, float]]:  # noqa: ANN001
    from arrival.commitments.selectors import indicator_series

    return [(point.measured_on, point.value) for point in indicator_series(indicators=[indicator])[indicator.pk]]


def test_an_indicator_keeps_every_dated_value_and_its_latest_is_the_latest_measured():
    parts = published_commitment()
    indicator = parts["commitment"].indicators.get()
    with at(T0 + dt.timedelta(days=300)):
        for value, day in ((120, "2026-06-30"), (40, "2026-03-31"), (260, "2026-12-01")):
            services.indicator_value_set(user=parts["team"], indicator=indicator, value=value, measured_on=day)
        # A value measured earlier than the latest one, recorded late, takes its place in the series.
        services.indicator_value_set(user=parts["team"], indicator=indicator, value=180, measured_on="2026-09-30")
        # A second value for a day already measured replaces it (the audit log keeps the old one).
        services.indicator_value_set(user=parts["team"], indicator=indicator, value=45, measured_on="2026-03-31")
    assert _series(indicator) == [(dt.date(2026, 3, 31), 45.0), (dt.date(2026, 6, 30), 120.0),
                                  (dt.date(2026, 9, 30), 180.0), (dt.date(2026, 12, 1), 260.0)]
    indicator.refresh_from_db()
    assert (indicator.latest_value, indicator.latest_on) == (260.0, dt.date(2026, 12, 1))


def _measured_twice():  # noqa: ANN202
    """A published commitment whose indicator was measured on 30 June (120) and 1 December 2026 (260)."""
    parts = published_commitment()
    commitment, indicator = parts["commitment"], parts["commitment"].indicators.get()
    with at(T0 + dt.timedelta(days=300)):
        services.indicator_value_set(user=parts["team"], indicator=indicator, value=120, measured_on="2026-06-30")
        services.indicator_value_set(user=parts["team"], indicator=indicator, value=260, measured_on="2026-12-01")
    return parts, commitment, indicator


def test_the_commitment_page_shows_the_series_as_a_chart_with_a_table():
    _parts, commitment, indicator = _measured_twice()
    page = Client().get(reverse("commitments:detail", args=[commitment.pk])).content.decode()
    chart = page[page.index(f'id="indicator-{indicator.pk}-series"'):]
    assert "<svg" in chart and "<script" not in chart and "http" not in chart.split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", "")
    table = chart[chart.index("<table"):chart.index("</table>")]
    assert "2026-06-30" in table and "120" in table and "2026-12-01" in table and "260" in table
    assert "Newcomers met by a host" in table  # the caption names the indicator


def test_the_api_gives_the_series():
    parts, commitment, indicator = _measured_twice()
    detail = Client().get(f"/api/v1/commitments/{commitment.pk}").json()
    expected = [{"measured_on": "2026-06-30", "value": 120.0}, {"measured_on": "2026-12-01", "value": 260.0}]
    assert detail["indicators"][0]["values"] == expected
    assert Client().get(f"/api/v1/commitments/{commitment.pk}/indicators/{indicator.pk}/values").json() == expected
    with at(T0 + dt.timedelta(days=300)):
        added = Client().post(f"/api/v1/commitments/{commitment.pk}/indicators/{indicator.pk}/values",
                              {"value": 90, "measured_on": "2026-04-01"}, content_type="application/json",
                              **_token(parts["team"]))
    assert added.status_code == 201, added.content
    assert [point["measured_on"] for point in added.json()] == ["2026-04-01", "2026-06-30", "2026-12-01"]


def test_the_data_migration_carries_each_latest_value_into_the_series():
    from django.apps import apps

    from arrival.commitments.models import CommitmentIndicator

    parts = published_commitment()
    indicator = parts["commitment"].indicators.get()
    undated = services.indicator_add(user=parts["team"], commitment=parts["commitment"], name="Hosts")
    CommitmentIndicator.objects.filter(pk=indicator.pk).update(latest_value=75, latest_on=dt.date(2026, 2, 1))
    CommitmentIndicator.objects.filter(pk=undated.pk).update(latest_value=12, latest_on=None,
                                                              updated_at=dt.datetime(2026, 4, 5, 10, tzinfo=dt.UTC))
    migration = importlib.import_module("arrival.commitments.migrations.0003_indicator_value_series")
    migration.series_from_latest_values(apps, None)
    migration.series_from_latest_values(apps, None)  # a second run adds nothing
    assert _series(indicator) == [(dt.date(2026, 2, 1), 75.0)]
    assert _series(undated) == [(dt.date(2026, 4, 5), 12.0)]
