"""The extension point behind "Make a commitment from this contribution": later apps register a provider; the
contribution page and each paragraph of the current outcome version show its actions and its forward links."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from arrival.consultations import services
from arrival.consultations.follow_ups import (
    FollowUp,
    FollowUpAction,
    follow_up_actions,
    follow_up_provider_register,
    follow_up_provider_unregister,
    follow_ups_made_from,
)
from tests.accounts.factories import sign_in_as
from tests.consultations.factories import COMMENTS, at, city, consultation, contribute, draft, person


class Pledges:
    """A provider like the commitments app's: what was made from which record, and a button for team members."""

    def __init__(self) -> None:
        self.made: dict[tuple[str, int], list[FollowUp]] = {}
        self.calls: list[tuple[str, list[int]]] = []

    def made_from(self, *, kind: str, ids: list[int]) -> dict[int, list[FollowUp]]:
        self.calls.append((kind, sorted(ids)))
        return {i: self.made[(kind, i)] for i in ids if (kind, i) in self.made}

    def actions(self, *, kind: str, record: Any, user: Any) -> list[FollowUpAction]:
        what = "contribution" if kind == "contribution" else "paragraph"
        return [FollowUpAction(label=f"Make a commitment from this {what}", url=f"/commitments/new/?{kind}={record.pk}")]


class Reports:
    def made_from(self, *, kind: str, ids: list[int]) -> dict[int, list[FollowUp]]:
        return {i: [FollowUp(label="Report: follow-up", url=f"/reports/{i}/")] for i in ids}

    def actions(self, *, kind: str, record: Any, user: Any) -> list[FollowUpAction]:
        return []


@pytest.fixture
def pledges():
    provider = Pledges()
    follow_up_provider_register(provider)
    yield provider
    follow_up_provider_unregister(provider)


def _signed_in(user: Any) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def test_the_contribution_page_offers_the_action_and_links_what_was_made_from_it(pledges) -> None:  # noqa: ANN001
    cons = consultation()
    town = city("Mechelen")
    officer = person(town)
    contribution = contribute(cons, town, officer)
    pledges.made[("contribution", contribution.pk)] = [
        FollowUp(label="Commitment: Open a welcome centre (Mechelen)", url="/commitments/7/", status="Published")]
    page = _signed_in(officer).get(contribution.get_absolute_url()).content.decode()
    assert f'href="/commitments/new/?contribution={contribution.pk}"' in page
    assert "Make a commitment from this contribution" in page
    assert "Made from this contribution:" in page and 'href="/commitments/7/"' in page
    assert "Commitment: Open a welcome centre (Mechelen)" in page and "Published" in page
    # A visitor reads the forward link, with no button.
    page = Client().get(contribution.get_absolute_url()).content.decode()
    assert 'href="/commitments/7/"' in page and "Make a commitment" not in page


def test_each_current_paragraph_shows_actions_and_what_was_made_from_it_or_its_earlier_versions(pledges) -> None:  # noqa: ANN001
    _cons, staff, v1 = draft(["Alpha proposes one desk.", "Beta proposes welcome groups."])
    first, second = v1.paragraphs.order_by("position")
    pledges.made[("paragraph", first.pk)] = [FollowUp(label="Commitment: One desk", url="/commitments/1/")]
    with at(COMMENTS):
        v2 = services.document_version_create(user=staff, document=v1.document, paragraphs=[
            services.ParagraphEdit(key=first.key, text="Rewritten."), services.ParagraphEdit(key=second.key,
                                                                                             text=second.text)])
    rewritten = v2.paragraphs.get(key=first.key)
    client = _signed_in(staff)
    pledges.calls.clear()
    page = client.get(v2.document.get_absolute_url()).content.decode()
    # Made from version 1's paragraph, shown beside the paragraph it became; asked for in one batch.
    assert page.count('href="/commitments/1/"') == 1
    assert f'href="/commitments/new/?paragraph={rewritten.pk}"' in page
    assert [kind for kind, _ids in pledges.calls] == ["paragraph"]
    assert set(pledges.calls[0][1]) == set(v1.paragraphs.values_list("pk", flat=True)) | set(
        v2.paragraphs.values_list("pk", flat=True))
    # An earlier version shows neither.
    old = client.get(v1.get_absolute_url()).content.decode()
    assert "/commitments/1/" not in old and "Make a commitment" not in old


def test_providers_are_merged_replaced_on_registering_again_and_kinds_checked(pledges) -> None:  # noqa: ANN001
    pledges.made[("contribution", 3)] = [FollowUp(label="Commitment: A", url="/commitments/3/")]
    reports = Reports()
    follow_up_provider_register(reports)
    follow_up_provider_register(Reports())  # the same provider again: replaced, not doubled
    try:
        merged = follow_ups_made_from(kind="contribution", ids=[3, 4, 3])
    finally:
        follow_up_provider_unregister(reports)
    assert merged == {3: [FollowUp(label="Commitment: A", url="/commitments/3/"),
                          FollowUp(label="Report: follow-up", url="/reports/3/")],
                      4: [FollowUp(label="Report: follow-up", url="/reports/4/")]}
    assert follow_ups_made_from(kind="contribution", ids=[]) == {}
    with pytest.raises(ValueError, match="contribution or paragraph"):
        follow_ups_made_from(kind="commitment", ids=[1])
    assert follow_up_actions(kind="contribution", record=object(), user=None) == []
