"""Curators find any eligible reviewer by name or government, not only the ten suggested; the conflict-of-interest
rule still holds in the service, and the search says why a conflicted person cannot be invited. The team records
an adaptation after publication from the practice's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arrival.accounts.models import RoleKind
from arrival.practices import selectors, services
from arrival.practices.models import ReviewAssignment, ReviewAssignmentStatus
from tests.accounts.factories import sign_in_as
from tests.actors.factories import OrganisationFactory
from tests.practices.factories import (
    curator,
    draft_practice,
    government,
    in_review_practice,
    officer_for,
    peer_reviewer,
    published_practice,
    team_of,
)


def _client(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


@pytest.fixture
def crowded():
    """A practice in review, eleven well-placed reviewers and one far down the ranking: Zora, busy elsewhere."""
    by = curator()
    practice = in_review_practice(by=by)
    for _n in range(11):
        peer_reviewer()
    zora, zora_city = peer_reviewer(actor__name="Tromsø")
    zora.display_name = "Zora Lindqvist"
    zora.save()
    for _n in range(3):
        busy = in_review_practice(by=by)
        services.review_assign(user=by, practice=busy, reviewer=zora, reviewer_actor=zora_city)
    return by, practice, zora, zora_city


def test_search_finds_reviewers_beyond_the_ten_suggested(crowded):
    by, practice, zora, zora_city = crowded
    suggested = selectors.reviewer_suggestions(practice=practice, limit=10)
    assert len(suggested) == 10 and zora not in [row["user"] for row in suggested]

    by_name = selectors.reviewer_search(practice=practice, q="zora lind")
    assert [(row["user"], row["actor"], row["role"], row["reason"]) for row in by_name] == [
        (zora, zora_city, "peer", None)]
    assert by_name[0]["open_assignments"] == 3
    # By the government they act for, too; one letter is not a search.
    assert [row["user"] for row in selectors.reviewer_search(practice=practice, q="Troms")] == [zora]
    assert selectors.reviewer_search(practice=practice, q="z") == []

    assignment = services.review_assign(user=by, practice=practice, reviewer=zora, reviewer_actor=zora_city)
    assert assignment.status == ReviewAssignmentStatus.INVITED
    assert selectors.reviewer_search(practice=practice, q="Zora")[0]["reason"] == "Already invited"


def test_search_lists_conflicted_people_with_the_reason_and_the_service_refuses_them():
    by = curator()
    partner = OrganisationFactory(actor__name="Refugee Law Clinic").actor
    practice = draft_practice(partners=[partner])
    city = practice.governments.get()
    colleague = officer_for(city, kind=RoleKind.REVIEWER, display_name="Colette Own-City")
    other_city = government(actor__name="Leuven")
    from tests.accounts.factories import RoleFactory

    RoleFactory(user=colleague, actor=other_city, kind=RoleKind.REVIEWER)
    lawyer = officer_for(partner, kind=RoleKind.REVIEWER, display_name="Lena Partner")
    practice = in_review_practice(practice=practice, by=by)

    rows = {(row["user"], row["actor"]): row["reason"] for row in selectors.reviewer_search(practice=practice, q="Colette")}
    assert rows == {(colleague, city): "Works for a government behind the practice",
                    (colleague, other_city): "Works for a government behind the practice"}
    rows = {row["user"]: row["reason"] for row in selectors.reviewer_search(practice=practice, q="Lena")}
    assert rows == {lawyer: "Works for a partner of the practice"}
    assert {colleague, lawyer}.isdisjoint(row["user"] for row in selectors.reviewer_suggestions(practice=practice))

    with pytest.raises(ValidationError, match="works for a government behind the practice and cannot review it"):
        services.review_assign(user=by, practice=practice, reviewer=colleague, reviewer_actor=other_city)
    with pytest.raises(ValidationError, match="works for a partner of the practice and cannot review it"):
        services.review_assign(user=by, practice=practice, reviewer=lawyer, reviewer_actor=partner, role="expert")
    assert not ReviewAssignment.objects.filter(practice=practice).exists()


def test_the_reviewers_page_searches_as_you_type_and_invites_with_a_due_date(crowded):
    by, practice, zora, zora_city = crowded
    client = _client(by)
    url = reverse("practices:reviewers", args=[practice.slug])

    # Typing asks for the matches only (htmx); without JavaScript the same search reloads the page.
    partial = client.get(url, {"q": "Zora"}, headers={"HX-Request": "true"}).content.decode()
    assert "<h1>" not in partial and "Zora Lindqvist" in partial
    assert f'value="{zora.pk}:{zora_city.pk}:peer"' in partial
    assert "Type at least two letters." in client.get(url, {"q": "Z"}, headers={"HX-Request": "true"}).content.decode()
    page = client.get(url, {"q": "Zora"}).content.decode()
    assert "<h1>" in page and "Zora Lindqvist" in page and 'role="search"' in page

    team = team_of(practice)
    refused = client.post(reverse("practices:assign", args=[practice.slug]),
                          {"candidate": f"{team.pk}:{practice.governments.get().pk}:peer"})
    assert refused.status_code == 400
    assert "cannot come from a government behind the practice" in refused.content.decode()

    due = (timezone.localtime() + dt.timedelta(days=14)).replace(second=0, microsecond=0)
    response = client.post(reverse("practices:assign", args=[practice.slug]),
                           {"candidate": f"{zora.pk}:{zora_city.pk}:peer", "due_at": due.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get(practice=practice, reviewer=zora)
    assert assignment.due_at == due and assignment.assigned_by == by
    # The reviewer sees the date on the invitation and in their list.
    assert "The curator asks for your review by" in _client(zora).get(
        reverse("practices:review", args=[assignment.pk])).content.decode()

    late, late_city = peer_reviewer()
    past = client.post(reverse("practices:assign", args=[practice.slug]),
                       {"candidate": f"{late.pk}:{late_city.pk}:peer", "due_at": "2000-01-01T09:00"})
    assert past.status_code == 400 and "must be in the future" in past.content.decode()
    assert not ReviewAssignment.objects.filter(reviewer=late).exists()
    # Only curators search: the team and reviewers cannot list people.
    assert _client(team).get(url, {"q": "Zora"}).status_code == 403


def test_the_team_records_an_adaptation_from_the_published_practices_page():
    source = published_practice()
    adaptation = published_practice()
    team = team_of(adaptation)
    client = _client(team)
    detail = client.get(reverse("practices:detail", args=[adaptation.slug])).content.decode()
    url = reverse("practices:adaptation", args=[adaptation.slug])
    assert url in detail and "Record the practice this one adapted" in detail

    bad = client.post(url, {"source": "/practices/no-such-practice/", "note": "x"})
    assert bad.status_code == 400 and "No practice has this address." in bad.content.decode()
    response = client.post(url, {"source": f"/practices/{source.slug}/", "note": "Run by volunteers here."})
    assert response.status_code == 302
    adaptation.refresh_from_db()
    assert adaptation.adapted_from == source
    # Both pages show the hop.
    assert source.title in client.get(reverse("practices:detail", args=[adaptation.slug])).content.decode()
    source_page = Client().get(reverse("practices:detail", args=[source.slug])).content.decode()
    assert "Governments that adapted this practice" in source_page and adaptation.title in source_page

    # Nobody else records it; removing it is the team's too.
    assert _client(officer_for(government())).get(url).status_code == 403
    assert _client(curator()).post(url, {"remove": "1"}).status_code == 403
    assert client.post(url, {"remove": "1"}).status_code == 302
    adaptation.refresh_from_db()
    assert adaptation.adapted_from is None
