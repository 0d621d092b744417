"""Commitments' answer to consultations' follow-ups extension point (`arrival.consultations.follow_ups`): the
commitments made from a contribution or an outcome paragraph (forward links), and "Make a commitment from this
contribution / paragraph" for the people who may make one. Registered in `apps.py`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from arrival.commitments.models import PUBLIC_STATUSES, Commitment
from arrival.commitments.selectors import lead_choices
from arrival.consultations.follow_ups import FollowUp, FollowUpAction
from arrival.core.templatetags.arrival import content
from arrival.core.translations import marked_name, sentence_with_names

_SOURCE_FIELDS = {"contribution": "source_contribution_id", "paragraph": "source_paragraph_id"}


def _status(commitment: Commitment) -> str:
    if commitment.is_public:
        return _("%(status)s · %(progress)s, %(percent)d%%") % {
            "status": commitment.get_status_display(), "progress": commitment.get_progress_status_display(),
            "percent": commitment.progress_percent}
    return str(commitment.get_status_display())


def _message(commitment: Commitment) -> str:
    if commitment.public_id:
        return _("Commitment %(id)s “%(title)s” (%(lead)s)")
    return _("Draft commitment “%(title)s” (%(lead)s)")


def _label(commitment: Commitment) -> str:
    return _message(commitment) % {"title": commitment.title, "lead": commitment.lead.name, "id": commitment.public_id}


def _label_html(commitment: Commitment) -> str:
    """The label for pages: the title in the reader's language or marked with its own, the lead as a name."""
    return sentence_with_names(_message(commitment), title=content(commitment, "title"),
                               lead=marked_name(commitment.lead), id=commitment.public_id)


class CommitmentFollowUps:
    """The commitments made from consultation records (`FollowUpProvider`)."""

    def made_from(self, *, kind: str, ids: list[int], viewer: Any = None) -> dict[int, list[FollowUp]]:
        """The public commitments made from each record, oldest first, in one query. With `viewer` (not part of
        the shared contract), the drafts of the governments they work for are listed too."""
        field = _SOURCE_FIELDS.get(kind)
        if field is None or not ids:
            return {}
        shown = Q(status__in=PUBLIC_STATUSES)
        if viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active:
            shown |= Q(lead__roles__user_id=viewer.pk, lead__roles__ended_at__isnull=True)
        commitments = (Commitment.objects.filter(shown, **{f"{field}__in": list(ids)}).select_related("lead")
                       .distinct().order_by("created_at", "pk"))
        found: dict[int, list[FollowUp]] = {}
        for commitment in commitments:
            found.setdefault(getattr(commitment, field), []).append(
                FollowUp(label=_label(commitment), url=commitment.get_absolute_url(), status=_status(commitment),
                         label_html=_label_html(commitment)))
        return found

    def actions(self, *, kind: str, record: Any, user: Any) -> list[FollowUpAction]:
        """"Make a commitment from this contribution" for the team of a government or network that signed it;
        "… from this paragraph" (of an adopted outcome document) for the team of any government or network."""
        if not (getattr(user, "is_authenticated", False) and user.is_active):
            return []
        leads = lead_choices(user=user)
        url = reverse("commitments:create")
        if kind == "contribution":
            from arrival.consultations import selectors as consultation_selectors

            if record.status != "submitted" or record.visibility != "visible":
                return []
            if not leads.filter(pk__in=consultation_selectors.contribution_signer_ids(contribution=record)).exists():
                return []
            return [FollowUpAction(label=_("Make a commitment from this contribution"),
                                   url=f"{url}?contribution={record.pk}")]
        if kind == "paragraph" and record.version.frozen_at is not None and leads.exists():
            return [FollowUpAction(label=_("Make a commitment from this paragraph"), url=f"{url}?paragraph={record.pk}")]
        return []


provider = CommitmentFollowUps()
