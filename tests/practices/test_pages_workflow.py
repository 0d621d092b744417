"""The practice workflow through the pages: write, submit, screen, assign, review, decide — with permissions,
reviewer anonymity and CSRF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from arrival.practices.models import Practice, ReviewAssignment, ReviewAssignmentStatus, ReviewStage
from tests.accounts.factories import UserFactory, sign_in_as
from tests.practices.factories import (
    assign_and_accept,
    curator,
    draft_practice,
    gcm_objective,
    government,
    in_review_practice,
    officer_for,
    peer_reviewer,
    published_practice,
    review,
    team_of,
)

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def _create_data(**overrides) -> dict:
    data = {
        "title": "Neighbourhood welcome walks",
        "summary": "Volunteers walk newcomers through their neighbourhood in their first week.",
        "language": "en",
        "status": "ongoing",
        "problem": "<p>Newcomers did not know the services near them.</p><script>alert(1)</script>",
        "approach": "<p>Weekly walks <a href=\"javascript:alert(1)\">led</a> by trained volunteers.</p>",
        "results": "<p>800 people joined a walk.</p>",
        "gcm_objectives": [str(gcm_objective(16).pk)],
        "target_groups": "newly arrived families, young people",
    }
    data.update(overrides)
    return data


def test_an_officer_creates_a_draft_with_sanitised_rich_text():
    city = government()
    officer = officer_for(city)
    client = _client(officer)
    form = client.get(reverse("practices:create"))
    assert form.status_code == 200
    html = form.content.decode()
    assert "<legend>Global Compact for Migration objectives</legend>" in html
    assert city.name in html

    response = client.post(reverse("practices:create"), _create_data(government=city.pk))
    practice = Practice.objects.get(title="Neighbourhood welcome walks")
    assert response.status_code == 302 and response["Location"] == reverse("practices:detail", args=[practice.slug])
    assert practice.stage == ReviewStage.DRAFT and list(practice.governments.all()) == [city]
    assert "<script" not in practice.problem and "javascript:" not in practice.approach
    assert practice.target_groups == ["newly arrived families", "young people"]
    page = client.get(response["Location"]).content.decode()
    assert "Neighbourhood welcome walks" in page and "Submit for peer review" in page


def test_creating_needs_a_government_role_and_bad_input_changes_nothing():
    assert _client(UserFactory()).get(reverse("practices:create")).status_code == 403
    assert Client().get(reverse("practices:create")).status_code == 302  # to sign-in
    city = government()
    response = _client(officer_for(city)).post(reverse("practices:create"), _create_data(government=city.pk, title=""))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Practice.objects.exists()


def test_only_the_team_edits_its_draft_and_only_while_editable():
    practice = draft_practice()
    team = team_of(practice)
    edit = reverse("practices:edit", args=[practice.slug])
    other_city_officer = officer_for(government())
    assert _client(other_city_officer).get(edit).status_code == 403
    assert _client(other_city_officer).post(edit, _create_data(title="Hijacked")).status_code == 403
    assert _client(curator()).post(edit, _create_data(title="Curated")).status_code == 403

    client = _client(team)
    assert client.get(edit).status_code == 200
    response = client.post(edit, _create_data(title="One-stop welcome desk, extended"))
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.title == "One-stop welcome desk, extended"

    client.post(reverse("practices:submit", args=[practice.slug]), {"call": ""})
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.SUBMITTED
    assert client.get(edit).status_code == 403


def test_drafts_are_hidden_from_everyone_but_the_team():
    practice = draft_practice()
    url = reverse("practices:detail", args=[practice.slug])
    assert Client().get(url).status_code == 404
    assert _client(officer_for(government())).get(url).status_code == 404
    assert _client(team_of(practice)).get(url).status_code == 200


def test_an_incomplete_practice_is_not_submitted_and_the_page_says_what_is_missing():
    practice = draft_practice(complete=False)
    client = _client(team_of(practice))
    response = client.post(reverse("practices:submit", args=[practice.slug]), {"call": ""}, follow=True)
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.DRAFT
    assert "Not submitted yet" in response.content.decode()


def test_results_links_and_origin_are_added_by_the_team():
    practice = draft_practice()
    client = _client(team_of(practice))
    extras = reverse("practices:extras", args=[practice.slug])
    assert client.get(extras).status_code == 200
    add = lambda kind: reverse("practices:extra_add", args=[practice.slug, kind])  # noqa: E731
    response = client.post(add("result"), {"result-label": "Waiting time", "result-value": "12", "result-unit": "days",
                                           "result-source": "City statistics 2024"})
    assert response.status_code == 302
    assert client.post(add("link"), {"link-url": "https://example.org/desk", "link-label": "The desk"}).status_code == 302
    bad = client.post(add("result"), {"result-label": "Waiting time", "result-value": "many", "result-unit": "days",
                                      "result-source": "x"})
    assert bad.status_code == 400
    assert practice.quantitative_results.count() == 1 and practice.links.count() == 1
    assert _client(officer_for(government())).get(extras).status_code == 403


def test_the_curator_screens_assigns_from_ranked_suggestions_and_the_reviewer_declares_conflicts():
    practice = draft_practice()
    team = team_of(practice)
    _client(team).post(reverse("practices:submit", args=[practice.slug]), {"call": ""})
    by = curator()
    client = _client(by)
    queue = client.get(reverse("practices:queue"))
    assert queue.status_code == 200 and practice.title in queue.content.decode()
    assert _client(team).get(reverse("practices:queue")).status_code == 403

    response = client.post(reverse("practices:screen", args=[practice.slug]), {"accept": "yes", "note": ""})
    assert response["Location"] == reverse("practices:reviewers", args=[practice.slug])
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.IN_REVIEW

    reviewer, reviewer_actor = peer_reviewer()
    page = client.get(reverse("practices:reviewers", args=[practice.slug])).content.decode()
    assert reviewer.public_name in page and "Why" in page
    assert "reads the practice&#x27;s language" in page or "reads the practice's language" in page
    assert _client(team).get(reverse("practices:reviewers", args=[practice.slug])).status_code == 403

    # The practice's own team is never assignable; a stranger's ids give a clear error and change nothing.
    own = client.post(reverse("practices:assign", args=[practice.slug]),
                      {"reviewer": team.pk, "reviewer_actor": practice.governments.first().pk, "role": "peer"})
    assert own.status_code == 400 and "cannot" in own.content.decode()
    client.post(reverse("practices:assign", args=[practice.slug]),
                {"reviewer": reviewer.pk, "reviewer_actor": reviewer_actor.pk, "role": "peer"})
    assignment = ReviewAssignment.objects.get(practice=practice)
    assert assignment.reviewer == reviewer

    reviewer_client = _client(reviewer)
    review_url = reverse("practices:review", args=[assignment.pk])
    assert _client(team).get(review_url).status_code == 404
    page = reviewer_client.get(review_url).content.decode()
    assert "Conflicts of interest" in page and "<legend>" in page
    missing = reviewer_client.post(reverse("practices:review_respond", args=[assignment.pk]), {"accept": "yes"})
    assert missing.status_code == 400 and "conflicts of interest" in missing.content.decode()
    reviewer_client.post(reverse("practices:review_respond", args=[assignment.pk]),
                         {"accept": "yes", "has_no_conflict": "on"})
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignmentStatus.ACCEPTED and assignment.has_no_conflict

    form = reviewer_client.get(review_url).content.decode()
    for legend in ("Relevance", "Evidence of results", "Replicability", "Sustainability", "Rights-based approach",
                   "Migrants&#x27; participation"):
        assert f"<legend>{legend}</legend>" in form
    assert form.count('type="radio"') == 6 * 5 + 3
    scores = dict.fromkeys(("relevance", "evidence", "replicability", "sustainability", "rights_based", "participation"), "4")
    incomplete = reviewer_client.post(reverse("practices:review_submit", args=[assignment.pk]),
                                      {**scores, "relevance": "", "comments": "Good.", "recommendation": "publish"})
    assert incomplete.status_code == 400
    assert 'name="language"' in form and '<option value="en" selected>' in form  # the reader's language first
    done = reviewer_client.post(reverse("practices:review_submit", args=[assignment.pk]),
                                {**scores, "comments": "Good evidence.", "recommendation": "publish", "language": "en"})
    assert done.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignmentStatus.SUBMITTED and assignment.review.language == "en"


def test_authors_never_see_reviewer_identities_curators_do():
    by = curator()
    practice = in_review_practice(by=by)
    reviewer_one = peer_reviewer()
    reviewer_two = peer_reviewer()
    review(assign_and_accept(practice, by=by, reviewer=reviewer_one, named=True))
    review(assign_and_accept(practice, by=by, reviewer=reviewer_two))
    url = reverse("practices:detail", args=[practice.slug])
    names = [reviewer_one[0].public_name, reviewer_two[0].public_name, reviewer_one[1].name, reviewer_two[1].name]

    author_page = _client(team_of(practice)).get(url).content.decode()
    assert "Review 1" in author_page and "Clear evidence of results." in author_page
    assert not any(name in author_page for name in names)

    curator_page = _client(by).get(url).content.decode()
    assert all(name in curator_page for name in names)
    assert "Declared no conflict of interest." in curator_page

    # Published: the one who chose to be named is named; the other stays anonymous, for everyone.
    _client(by).post(reverse("practices:decide", args=[practice.slug]), {"decision": "publish", "reasons": ""})
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.PUBLISHED
    for page in (Client().get(url).content.decode(), _client(team_of(practice)).get(url).content.decode()):
        assert reviewer_one[0].public_name in page
        assert reviewer_two[0].public_name not in page and reviewer_two[1].name not in page


def test_the_curator_cannot_publish_without_two_reviews_and_must_give_reasons_to_decline():
    by = curator()
    practice = in_review_practice(by=by)
    client = _client(by)
    response = client.post(reverse("practices:decide", args=[practice.slug]), {"decision": "publish"}, follow=True)
    assert "two submitted peer reviews" in response.content.decode()
    response = client.post(reverse("practices:decide", args=[practice.slug]), {"decision": "decline"}, follow=True)
    assert "Give the authors your reasons." in response.content.decode()
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.IN_REVIEW
    assert _client(team_of(practice)).post(reverse("practices:decide", args=[practice.slug]),
                                           {"decision": "decline", "reasons": "x"}).status_code == 403


def test_writes_need_the_csrf_token():
    city = government()
    officer = officer_for(city)
    client = Client(enforce_csrf_checks=True)
    sign_in_as(client, officer)
    assert client.post(reverse("practices:create"), _create_data(government=city.pk)).status_code == 403
    practice = published_practice()
    by = curator()
    strict = Client(enforce_csrf_checks=True)
    sign_in_as(strict, by)
    assert strict.post(reverse("practices:decide", args=[practice.slug]), {"decision": "decline"}).status_code == 403
    assert not Practice.objects.filter(title="Neighbourhood welcome walks").exists()


def test_calls_for_practices_are_opened_by_network_staff_and_show_what_came_in():
    by = curator()
    client = _client(by)
    assert client.get(reverse("practices:call_create")).status_code == 200
    owner = by.roles.first().actor
    response = client.post(reverse("practices:call_create"), {
        "owner": owner.pk, "title": "Housing newcomers", "description": "Practices on housing.",
        "deadline": "2099-01-31T12:00",
    })
    assert response.status_code == 302
    call_url = response["Location"]
    assert "Housing newcomers" in Client().get(reverse("practices:call_list")).content.decode()
    practice = draft_practice()
    _client(team_of(practice)).post(reverse("practices:submit", args=[practice.slug]),
                                    {"call": practice.__class__._meta.get_field("call").related_model.objects.get().pk})
    practice.refresh_from_db()
    assert practice.call is not None
    curator_view = client.get(call_url).content.decode()
    assert practice.title in curator_view and "Practices received" in curator_view
    assert practice.title not in Client().get(call_url).content.decode()  # not published yet
    assert _client(officer_for(government())).get(reverse("practices:call_create")).status_code == 403
    past = client.post(reverse("practices:call_create"), {
        "owner": owner.pk, "title": "Too late", "description": "x", "deadline": "2001-01-01T00:00"})
    assert past.status_code == 400 and "future" in past.content.decode()


def test_a_joint_practice_names_other_governments_by_their_address():
    practice = draft_practice()
    team = team_of(practice)
    partner_city = government()
    client = _client(team)
    edit = reverse("practices:edit", args=[practice.slug])
    unknown = client.post(edit, _create_data(joint_governments="no-such-town"))
    assert unknown.status_code == 400 and "No local or regional government at: no-such-town." in unknown.content.decode()
    client.post(edit, _create_data(joint_governments=f"/actors/{partner_city.slug}/"))
    assert set(practice.governments.all()) == {practice.governments.order_by("pk").first(), partner_city}
    assert partner_city.slug in client.get(edit).content.decode()
