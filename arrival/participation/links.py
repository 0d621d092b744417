"""Links shown on the other side: a commitment page says "from resident proposal X", an assessment answer
lists the resident proposals given as its evidence. Both apps sit below participation, so participation
fills the registries they offer (commitments' origin providers, assessments' evidence-link providers).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from arrival.participation import selectors
from arrival.participation.models import LinkKind

COMMITMENT_TYPE = "commitments.commitment"
ASSESSMENT_ANSWER_TYPE = "assessments.answer"


def _rows(target_type: str, target_id: Any) -> list[tuple[str, str]]:
    return [(_("From resident proposal “%(title)s”") % {"title": link.proposal.title}, link.proposal.get_absolute_url())
            for link in selectors.links_to(target_type=target_type, target_id=target_id)]


def commitment_origins(commitment: Any) -> list[tuple[str, str]]:
    return _rows(COMMITMENT_TYPE, commitment.pk)


def evidence_origins(answer: Any) -> list[tuple[str, str]]:
    return _rows(ASSESSMENT_ANSWER_TYPE, answer.pk)


LINK_TARGETS = {LinkKind.COMMITMENT: COMMITMENT_TYPE, LinkKind.EVIDENCE: ASSESSMENT_ANSWER_TYPE}


def register() -> None:
    from arrival.assessments.evidence_links import register_evidence_link_provider
    from arrival.commitments.selectors import register_origin_provider

    register_evidence_link_provider(evidence_origins)
    register_origin_provider(commitment_origins)
