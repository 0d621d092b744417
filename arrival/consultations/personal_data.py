"""Personal data in consultations, for "download my data" and "delete my account" (accounts' registry).

Contributions, co-signatures, drafts, the editors' answers to comments and endorsements are records of governments
and networks, not of the person who typed them: erasing an account detaches the person (author, signer, editor)
and keeps the institutional record, whatever `keep_content_anonymised` says. Signatory names on endorsements are the public
act of an office holder and stay with the endorsement.
"""

from __future__ import annotations

from typing import Any

from arrival.consultations.models import (
    CommentAnswer,
    Contribution,
    ContributionVersion,
    Cosignature,
    DocumentVersion,
    Endorsement,
)


def personal_data_export(user: Any) -> dict[str, Any]:
    return {
        "contributions": [
            {"id": c.pk, "title": c.title, "for": c.actor.name, "consultation": c.consultation.title}
            for c in Contribution.objects.filter(authors=user).select_related("actor", "consultation")
        ],
        "cosignatures": [{"contribution": s.contribution_id, "for": s.actor.name, "at": s.created_at.isoformat()}
                         for s in Cosignature.objects.filter(signed_by=user).select_related("actor")],
        "endorsements_recorded": [
            {"document": e.document_id, "for": e.actor.name, "signatory": e.signatory_name,
             "endorsed_at": e.endorsed_at.isoformat()}
            for e in Endorsement.objects.filter(endorsed_by=user).select_related("actor")
        ],
        "document_versions_written": list(DocumentVersion.objects.filter(author=user).values("document_id", "number")),
        "comment_answers_given": [{"comment": a.comment_id, "answer": a.state, "reason": a.reason}
                                  for a in CommentAnswer.objects.filter(answered_by=user).order_by("pk")],
    }


def personal_data_erase(user: Any, *, keep_content_anonymised: bool = True) -> None:
    Contribution.authors.through.objects.filter(user_id=user.pk).delete()
    Contribution.objects.filter(created_by=user).update(created_by=None)
    ContributionVersion.objects.filter(author=user).update(author=None)
    Cosignature.objects.filter(signed_by=user).update(signed_by=None)
    Endorsement.objects.filter(endorsed_by=user).update(endorsed_by=None)
    DocumentVersion.objects.filter(author=user).update(author=None)
    CommentAnswer.objects.filter(answered_by=user).update(answered_by=None)
