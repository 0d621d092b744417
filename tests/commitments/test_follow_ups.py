""""Make a commitment from this contribution / paragraph", the commitments side: the prefilled form, the source
paragraph kept on the commitment, and the provider that fills consultations' follow-ups extension point (forward
links to the public commitments made from a record, and the action for people who may make one)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from arrival.accounts.models import RoleKind
from arrival.commitments import services
from arrival.commitments.follow_ups import CommitmentFollowUps
from arrival.commitments.models import Commitment
from arrival.consultations.follow_ups import FollowUpAction, follow_up_actions, follow_ups_made_from
from arrival.frameworks.selectors import tags_for
from tests.accounts.factories import UserFactory, sign_in_as
from tests.commitments.factories import city, network, person, publish, staff
from tests.practices.factories import gcm_objective


@pytest.fixture
def flow():  # noqa: ANN201
    from tests.consultations.factories import adopted_flow

    return adopted_flow()


def _signed_in(user) -> Client:  # noqa: ANN001
    client = Client()
    sign_in_as(client, user)
    return client


def _complete(**fields):  # noqa: ANN003, ANN202
    return {"forms": ["policy"], "target_date": dt.date(2027, 6, 30), **fields}


def test_made_from_lists_the_public_commitments_of_each_contribution_in_one_query(flow, django_assert_num_queries):  # noqa: ANN001
    alpha, beta = flow["contributions"]
    officer = flow["users"][0]
    admin = person(flow["cities"][0], RoleKind.ADMINISTRATOR)
    public = services.commitment_create_from_contribution(user=officer, contribution=alpha, **_complete())
    publish(public, team=officer, admin=admin, publisher=flow["staff"])
    draft = services.commitment_create_from_contribution(user=officer, contribution=alpha, title="Still a draft")
    with django_assert_num_queries(1):
        found = follow_ups_made_from(kind="contribution", ids=[alpha.pk, beta.pk])
    public.refresh_from_db()
    assert list(found) == [alpha.pk]
    (link,) = found[alpha.pk]
    assert link.url == public.get_absolute_url()
    assert public.public_id in link.label and "Alpha City" in link.label
    assert link.status == "Published · Planning, 0%"
    # A draft is the team's own: shown only to someone who may see it, when the caller names the viewer.
    provider = CommitmentFollowUps()
    mine = provider.made_from(kind="contribution", ids=[alpha.pk], viewer=officer)[alpha.pk]
    assert [f.url for f in mine] == [public.get_absolute_url(), draft.get_absolute_url()]
    assert provider.made_from(kind="contribution", ids=[alpha.pk], viewer=flow["users"][1])[alpha.pk] == [link]


def test_the_contributor_and_a_co_signer_may_make_a_commitment_from_the_contribution_others_may_not(flow):  # noqa: ANN001
    from arrival.consultations import services as consultation_services
    from tests.consultations.factories import CALL
    from tests.consultations.factories import at as consultation_at

    alpha = flow["contributions"][0]
    author = flow["users"][0]
    cosigner_city = city("Gamma City")
    cosigner = person(cosigner_city)
    with consultation_at(CALL):
        consultation_services.contribution_cosign(user=cosigner, contribution=alpha, actor=cosigner_city)
    expected = [FollowUpAction(label="Make a commitment from this contribution",
                               url=f"{reverse('commitments:create')}?contribution={alpha.pk}")]
    assert follow_up_actions(kind="contribution", record=alpha, user=author) == expected
    assert follow_up_actions(kind="contribution", record=alpha, user=cosigner) == expected
    for outsider in (flow["users"][1], UserFactory(), staff(), person(network("A network"), RoleKind.STAFF)):
        assert follow_up_actions(kind="contribution", record=alpha, user=outsider) == []
    from django.contrib.auth.models import AnonymousUser

    assert follow_up_actions(kind="contribution", record=alpha, user=AnonymousUser()) == []


def test_any_government_team_may_make_a_commitment_from_an_adopted_paragraph_not_from_a_draft(flow):  # noqa: ANN001
    from arrival.consultations import services as consultation_services
    from tests.consultations.factories import SYNTHESIS, consultation, contribute
    from tests.consultations.factories import at as consultation_at

    paragraph = flow["version"].paragraphs.order_by("position").first()
    officer = person(city("Delta City"))
    assert follow_up_actions(kind="paragraph", record=paragraph, user=officer) == [FollowUpAction(
        label="Make a commitment from this paragraph", url=f"{reverse('commitments:create')}?paragraph={paragraph.pk}")]
    assert follow_up_actions(kind="paragraph", record=paragraph, user=UserFactory()) == []
    other = consultation(title="Another consultation")
    epsilon = city("Epsilon")
    contribute(other, epsilon, person(epsilon))
    with consultation_at(SYNTHESIS):
        draft = consultation_services.outcome_draft_compile(user=other.created_by, consultation=other)
    assert follow_up_actions(kind="paragraph", record=draft.paragraphs.first(), user=officer) == []


def test_the_form_prefilled_from_a_paragraph_makes_a_commitment_that_keeps_it(flow):  # noqa: ANN001
    paragraph = flow["version"].paragraphs.get(group_code="16")
    lead = city("Delta City")
    officer = person(lead)
    client = _signed_in(officer)
    url = f"{reverse('commitments:create')}?paragraph={paragraph.pk}"
    page = client.get(url).content.decode()
    assert "Prefilled from paragraph" in page and f'name="paragraph" value="{paragraph.pk}"' in page
    assert "Beta proposes neighbourhood welcome groups." in page  # the paragraph's text as the description
    assert f'<option value="{lead.pk}" selected translate="no">' in page  # the only government the officer works for
    form = client.get(url).context["form"]
    assert form.initial["gcm_objectives"] == [gcm_objective(16).pk]
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "pledge_forms": ["process"],
            "target_date": "2027-06-30", "paragraph": paragraph.pk, "partners": "", "matched_public_id": ""}
    data["gcm_objectives"] = [str(pk) for pk in data["gcm_objectives"]]
    response = client.post(reverse("commitments:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    commitment = Commitment.objects.get(source_paragraph=paragraph)
    assert commitment.lead == lead and commitment.consultation == flow["consultation"]
    assert commitment.source_contribution is None
    assert [t.item for t in tags_for(record=commitment)] == [gcm_objective(16)]
    detail = client.get(commitment.get_absolute_url()).content.decode()
    assert f"#p-{paragraph.key}" in detail and flow["document"].title in detail


def test_the_form_prefilled_from_a_contribution_offers_only_the_signers(flow):  # noqa: ANN001
    alpha = flow["contributions"][0]
    lead = flow["cities"][0]
    officer = flow["users"][0]
    page = _signed_in(officer).get(f"{reverse('commitments:create')}?contribution={alpha.pk}")
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["lead"] == lead.pk and initial["title"] == alpha.title
    assert "one desk for all services" in initial["description"]
    assert initial["gcm_objectives"] == [gcm_objective(15).pk]
    assert list(page.context["form"].fields["lead"].queryset) == [lead]
    assert _signed_in(flow["users"][1]).get(f"{reverse('commitments:create')}?contribution={alpha.pk}").status_code == 403


def test_a_paragraph_of_a_draft_version_cannot_become_a_commitment():
    from arrival.consultations import services as consultation_services
    from tests.consultations.factories import SYNTHESIS, consultation, contribute
    from tests.consultations.factories import at as consultation_at

    cons = consultation()
    lead = city("Zeta")
    officer = person(lead)
    contribute(cons, lead, officer)
    with consultation_at(SYNTHESIS):
        draft = consultation_services.outcome_draft_compile(user=cons.created_by, consultation=cons)
    with pytest.raises(ValidationError, match="adopted"):
        services.commitment_create_from_paragraph(user=officer, paragraph=draft.paragraphs.first(), lead=lead)
    assert _signed_in(officer).get(
        f"{reverse('commitments:create')}?paragraph={draft.paragraphs.first().pk}").status_code == 404


def test_the_api_creates_a_commitment_from_a_paragraph(flow):  # noqa: ANN001
    from arrival.accounts.services import api_token_create

    paragraph = flow["version"].paragraphs.first()
    lead = city("Delta City")
    _, key = api_token_create(user=person(lead), name="script", scope="write")
    response = Client().post("/api/v1/commitments/", {"lead": lead.pk, "source_paragraph": paragraph.pk},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content
    assert response.json()["source_paragraph"] == paragraph.pk
    assert response.json()["description"] == paragraph.text
