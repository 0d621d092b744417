"""Reads behind the consultation pages: who signed a contribution, and which version is the latest."""

from __future__ import annotations

from arrival.consultations import selectors, services
from arrival.consultations.models import DocumentVersion
from tests.consultations.factories import CALL, adopted_flow, at, city, consultation, contribute, person


def test_signers_are_the_contributor_and_every_cosigner() -> None:
    cons = consultation()
    author, cosigner, bystander = city("Alpha City"), city("Beta City"), city("Gamma City")
    contribution = contribute(cons, author, person(author))
    assert selectors.contribution_signer_ids(contribution=contribution) == {author.pk}
    with at(CALL):
        services.contribution_cosign(user=person(cosigner), contribution=contribution, actor=cosigner)
    contribution = selectors.contribution_get(pk=contribution.pk)
    assert selectors.contribution_signer_ids(contribution=contribution) == {author.pk, cosigner.pk}
    assert bystander.pk not in selectors.contribution_signer_ids(contribution=contribution)


def test_latest_version_is_the_highest_number_even_when_an_earlier_one_is_adopted() -> None:
    flow = adopted_flow()
    document, adopted = flow["document"], flow["version"]
    later = DocumentVersion.objects.create(document=document, number=adopted.number + 1)
    assert selectors.version_current(document=document) == adopted
    assert selectors.version_latest(document=document) == later


def test_questions_come_in_their_order() -> None:
    cons = consultation(questions=["What works?", "What is missing?"])
    assert [q.text for q in selectors.question_list(consultation=cons)] == ["What works?", "What is missing?"]
