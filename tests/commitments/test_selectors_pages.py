"""Reads behind the commitment page: which commitments say they match this one."""

from __future__ import annotations

from arrival.commitments import selectors
from tests.commitments.factories import city, draft_commitment, person, published_commitment


def test_only_public_commitments_are_listed_as_matching() -> None:
    target = published_commitment()["commitment"]
    matching = published_commitment(title="We host too")["commitment"]
    lead = city()
    draft = draft_commitment(user=person(lead), lead=lead, title="Still a draft")
    for commitment in (matching, draft):
        commitment.matches = target
        commitment.save(update_fields=["matches"])
    assert selectors.commitments_matching(commitment=target) == [matching]
