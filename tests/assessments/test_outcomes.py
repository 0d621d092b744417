"""The outcome panel: the team's page and the API, all-or-nothing saves, permissions, aggregates only."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from arrival.assessments.models import AssessmentStatus, OutcomeValue
from arrival.assessments.selectors.outcomes import ALL, BORN_ABROAD, BORN_IN_COUNTRY, outcome_groups
from arrival.assessments.selectors.records import assessment_get, framework_parsed
from arrival.assessments.services import (
    assessment_publish,
    assessment_submit,
    validation_decide,
    validation_start,
)
from arrival.core.models import AuditEvent
from tests.accounts.factories import UserFactory, sign_in_as
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish, validator_for

pytestmark = pytest.mark.django_db
API = "/api/v1/assessments/assessments"
SOURCE = "National statistical office, labour force survey"
# Words that would ask about a person's status: none may appear in a form field or a schema property.
PERSONAL = re.compile(r"status|nationality|citizen|papers|permit|visa|legal|undocumented|irregular|asylum|name|birth_date",
                      re.IGNORECASE)


@pytest.fixture
def draft():
    return AssessmentFactory()


def _client(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def _audits() -> int:
    return AuditEvent.objects.filter(action="assessments.outcome_value_save").count()


def _url(assessment) -> str:
    return reverse("assessments:outcomes", args=[assessment.pk])


def test_groups_follow_each_definition(draft):
    panel = {o.code: o for o in framework_parsed(framework=draft.framework).outcome_panel}
    assert outcome_groups(panel["OP01"]) == (BORN_IN_COUNTRY, BORN_ABROAD)  # "born in the country minus born abroad"
    assert outcome_groups(panel["OP02"]) == (BORN_ABROAD, BORN_IN_COUNTRY)
    assert outcome_groups(panel["OP04"]) == (BORN_IN_COUNTRY, BORN_ABROAD)  # children by their parents' birth
    assert outcome_groups(panel["OP12"]) == (BORN_ABROAD,)  # a share among residents born abroad
    assert outcome_groups(panel["OP13"]) == (ALL,)  # course participants
    assert outcome_groups(panel["OP15"]) == (ALL,)  # population against staff: one gap figure
    assert {g for o in panel.values() for g in outcome_groups(o)} == {BORN_ABROAD, BORN_IN_COUNTRY, ALL}


def test_the_team_sees_a_labelled_form(draft):
    client = _client(officer_for(draft.government))
    html = client.get(_url(draft)).content.decode()
    assert "csrfmiddlewaretoken" in html and "<caption>" in html
    for n in range(1, 17):
        assert f"OP{n:02d}" in html
    assert "Employment rate gap" in html and "8.5.2" in html and "percentage points" in html
    assert "lower is better" in html and "Born abroad (aggregate)" in html
    # Every input has a label naming its indicator and group.
    inputs = re.findall(r'<input type="(?:number|text)"[^>]* id="([^"]+)"', html)
    assert len(inputs) > 16 * 3
    for input_id in inputs:
        label = re.search(rf'<label for="{re.escape(input_id)}"[^>]*>(.*?)</label>', html, re.DOTALL)
        assert label is not None, input_id
        assert input_id.split("-")[1] in label.group(1)  # the indicator code
    assert 'id="id-OP01-born_abroad"' in html and 'id="id-OP13-all"' in html
    # The workspace links to the page next to the questionnaire.
    detail = client.get(reverse("assessments:detail", args=[draft.pk])).content.decode()
    assert _url(draft) in detail


def test_others_are_refused(client, draft):
    url = _url(draft)
    assert client.get(url).status_code == 302  # to the sign-in page
    assert _client(UserFactory()).get(url).status_code == 403
    assert _client(officer_for(AssessmentFactory(cycle=2023).government)).get(url).status_code == 403
    validator, _actor = validator_for(draft.government)
    assert _client(validator).post(url, {"OP02-born_abroad": "12"}).status_code == 403
    assert _client(officer_for(draft.government)).get(reverse("assessments:outcomes", args=[999999])).status_code == 404
    assert not OutcomeValue.objects.exists()


def test_a_save_stores_figures_and_audit_rows(draft):
    client = _client(officer_for(draft.government))
    data = {"OP01-born_in_country": "74.5", "OP01-born_abroad": "61", "OP01-year": "2023", "OP01-source": SOURCE,
            "OP12-born_abroad": "18.2", "OP12-year": "2022", "OP12-source": "City residents' survey"}
    response = client.post(_url(draft), data)
    assert response.status_code == 302 and response["Location"] == _url(draft)
    stored = {(v.indicator.code, v.population_group): (v.value, v.year, v.source)
              for v in OutcomeValue.objects.select_related("indicator")}
    assert stored == {("OP01", "born_in_country"): (74.5, 2023, SOURCE), ("OP01", "born_abroad"): (61.0, 2023, SOURCE),
                      ("OP12", "born_abroad"): (18.2, 2022, "City residents' survey")}
    assert _audits() == 3
    html = client.get(_url(draft)).content.decode()
    assert "3 figures changed" in html and "13.50 percentage points" in html  # the gap: 74.5 - 61
    assert 'value="74.5"' in html
    # The same form again changes nothing and writes no audit row; a corrected figure writes one.
    assert client.post(_url(draft), data).status_code == 302 and _audits() == 3
    assert client.post(_url(draft), {**data, "OP01-born_abroad": "63"}).status_code == 302 and _audits() == 4
    assert OutcomeValue.objects.get(indicator__code="OP01", population_group="born_abroad").value == 63.0


def test_bad_input_changes_nothing_and_names_the_indicator(draft):
    client = _client(officer_for(draft.government))
    good = {"OP01-born_in_country": "74.5", "OP01-year": "2023", "OP01-source": SOURCE}
    response = client.post(_url(draft), {**good, "OP02-born_abroad": "twelve", "OP02-year": "2023",
                                         "OP02-source": SOURCE,
                                         "OP03-born_abroad": "9", "OP03-year": "2023", "OP03-source": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html and "OP02: the value must be a number" in html
    assert "OP03: name the source" in html and 'aria-invalid="true"' in html
    assert 'value="twelve"' in html  # what was typed is kept for correction
    assert not OutcomeValue.objects.exists() and _audits() == 0
    # A year after the cycle, a year or source without figures, and a blanked figure are refused too.
    assert client.post(_url(draft), {**good, "OP01-year": "2031"}).status_code == 400
    assert client.post(_url(draft), {"OP05-year": "2023", "OP05-source": SOURCE}).status_code == 400
    assert not OutcomeValue.objects.exists()
    assert client.post(_url(draft), good).status_code == 302
    blanked = client.post(_url(draft), {**good, "OP01-born_in_country": ""})
    assert blanked.status_code == 400 and "OP01: a recorded figure cannot be removed" in blanked.content.decode()
    assert OutcomeValue.objects.get().value == 74.5 and _audits() == 1


def test_read_only_once_submitted_and_shown_on_the_published_page(draft):
    officer = officer_for(draft.government)
    client = _client(officer)
    answer_all(draft, level=3, user=officer)
    client.post(_url(draft), {"OP02-born_abroad": "11.5", "OP02-born_in_country": "6", "OP02-year": "2023",
                              "OP02-source": SOURCE})
    validator, validator_actor = validator_for(draft.government)
    assessment_submit(user=officer, assessment=draft, validators=[validator_actor])
    page = client.get(_url(draft)).content.decode()
    assert "read-only" in page and "<input" not in page.split("<main", 1)[-1].split("</table>", 1)[0]
    assert "11.5" in page and "5.50 percentage points" in page
    refused = client.post(_url(draft), {"OP02-born_abroad": "30", "OP02-year": "2023", "OP02-source": SOURCE})
    assert refused.status_code == 400 and OutcomeValue.objects.get(population_group="born_abroad").value == 11.5
    validation = validation_start(user=validator, assessment=draft, validator_actor=validator_actor)
    validation_decide(user=validator, validation=validation, decision="accepted")
    published = assessment_publish(user=officer, assessment=assessment_get(pk=draft.pk))
    assert published.status == AssessmentStatus.PUBLISHED
    html = Client().get(reverse("assessments:detail", args=[published.pk])).content.decode()
    assert "OP02" in html and "11.50" in html and "Born abroad (aggregate)" in html and "born_abroad" not in html


def test_api_reads_follow_the_assessment_visibility(client, draft):
    officer = officer_for(draft.government)
    _client(officer).post(_url(draft), {"OP01-born_in_country": "74.5", "OP01-born_abroad": "61", "OP01-year": "2023",
                                        "OP01-source": SOURCE})
    assert client.get(f"{API}/{draft.pk}/outcomes").status_code == 404
    rows = _client(officer).get(f"{API}/{draft.pk}/outcomes").json()
    assert [r["indicator_code"] for r in rows] == [f"OP{n:02d}" for n in range(1, 17)]
    first = rows[0]
    assert first["population_groups"] == ["born_in_country", "born_abroad"] and first["gap"] == 13.5
    assert first["sdg_indicators"] == ["8.5.2"] and first["unit"] == "percentage points"
    assert {f["population_group"]: f["value"] for f in first["figures"]} == {"born_in_country": 74.5,
                                                                            "born_abroad": 61.0}
    assert rows[1]["figures"] == [] and rows[1]["gap"] is None
    answer_all(draft, level=2, user=officer)
    published = publish(draft, team=officer)
    public = client.get(f"{API}/{published.pk}/outcomes")
    assert public.status_code == 200 and public.json()[0]["gap"] == 13.5


def test_api_writes_by_the_team_only(client, draft):
    url = f"{API}/{draft.pk}/outcomes/OP02"
    body = {"year": 2023, "source": SOURCE, "figures": [{"population_group": "born_abroad", "value": 12.5},
                                                        {"population_group": "born_in_country", "value": 7}]}
    assert client.put(url, body, content_type="application/json").status_code == 401
    assert _client(officer_for(AssessmentFactory(cycle=2023).government)).put(
        url, body, content_type="application/json").status_code == 403
    team = _client(officer_for(draft.government))
    saved = team.put(url, body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["gap"] == 5.5 and len(saved.json()["figures"]) == 2 and _audits() == 2
    # One group alone keeps the other's figure; the year and source move with the figures written.
    one = team.put(url, {**body, "year": 2024, "figures": [{"population_group": "born_in_country", "value": 8}]},
                   content_type="application/json").json()
    assert one["gap"] == 4.5 and {f["year"] for f in one["figures"]} == {2023, 2024}
    # Bad input: a group the indicator has not, a missing source, text, a policy indicator.
    wrong = team.put(url, {**body, "figures": [{"population_group": "refugees", "value": 3}]},
                     content_type="application/json")
    assert wrong.status_code == 400 and "OP02" in wrong.json()["detail"]
    unsourced = team.put(url, {**body, "source": " "}, content_type="application/json")
    assert unsourced.status_code == 400 and unsourced.json()["detail"].startswith("OP02: name the source")
    text = team.put(url, {**body, "figures": [{"population_group": "born_abroad", "value": "many"}]},
                    content_type="application/json")
    assert text.status_code == 422
    assert team.put(f"{API}/{draft.pk}/outcomes/D1.1.1", body, content_type="application/json").status_code == 404
    assert OutcomeValue.objects.get(population_group="born_abroad").value == 12.5 and _audits() == 3


def test_api_token_clients_write_and_submitted_assessments_refuse(client, draft):
    from arrival.accounts.services import api_token_create

    officer = officer_for(draft.government)
    _, key = api_token_create(user=officer, name="statistics import", scope="write")
    url = f"{API}/{draft.pk}/outcomes/OP13"
    body = {"year": 2024, "source": "Language course register", "figures": [{"population_group": "all", "value": 71}]}
    assert client.put(url, body, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    answer_all(draft, level=2, user=officer)
    assessment_submit(user=officer, assessment=draft, validators=[validator_for(draft.government)[1]])
    refused = client.put(url, {**body, "figures": [{"population_group": "all", "value": 90}]},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert refused.status_code == 400 and OutcomeValue.objects.get().value == 71.0


def test_nothing_asks_about_a_person(client, draft):
    html = _client(officer_for(draft.government)).get(_url(draft)).content.decode()
    names = set(re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', html)) - {
        "csrfmiddlewaretoken", "language", "next"}
    assert names and not [n for n in names if PERSONAL.search(n)]
    odd = [n for n in names if not re.fullmatch(r"OP\d\d-(born_abroad|born_in_country|all|year|source)", n)]
    assert not odd, odd
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("OutcomeFiguresIn", "OutcomeFigureIn", "OutcomePanelRowOut", "OutcomeFigureOut"):
        properties = schema[name]["properties"]
        assert not [p for p in properties if PERSONAL.search(p)], name


def test_the_public_page_shows_the_panel_with_group_labels_and_the_gap(draft):
    officer = officer_for(draft.government)
    _client(officer).post(_url(draft), {"OP01-born_in_country": "71.5", "OP01-born_abroad": "60", "OP01-year": "2024",
                                        "OP01-source": SOURCE})
    answer_all(draft, level=2)
    publish(draft)
    html = Client().get(reverse("assessments:detail", args=[draft.pk])).content.decode()
    assert "Born abroad (aggregate)" in html and "Born in the country (aggregate)" in html
    assert ">11.50<" in html  # born in the country minus born abroad, as OP01 defines its gap
    assert "born_abroad" not in html
