"""Notifications of consultations, through engagement: phase changes, and comments on a contribution.

(A new consultation is announced by `services.consultation_create` itself.)
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from arrival.consultations.models import Consultation, Contribution
from arrival.consultations.phases import PROCESS_KIND
from arrival.consultations.selectors import audience_user_ids
from arrival.engagement.selectors import phase_label


def _users(ids: set[int]) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=ids)


def phase_started(process: Any, phase: Any) -> None:
    """Tell the owner's people, contributors and the networks' member governments that a phase began."""
    from arrival.engagement.services import notification_send

    consultation = Consultation.objects.filter(process=process).select_related("process__owner").first()
    if consultation is None:
        return
    title = consultation.title

    def text() -> str:
        return _("“%(title)s” is now in the phase “%(phase)s”.") % {"title": title, "phase": phase_label(phase)}

    notification_send(recipients=_users(audience_user_ids(consultation=consultation)),
                      kind="consultations.phase_changed", text=text, url=consultation.get_absolute_url())


def contribution_commented(comment: Any) -> None:
    """Tell a contribution's authors (everyone who saved a version of it) that someone commented on it."""
    from arrival.engagement.services import notification_send

    contribution = Contribution.objects.filter(pk=comment.target_id).first()
    if contribution is None:
        return
    recipients = contribution.authors.exclude(pk=comment.author_id)
    title = contribution.title
    notification_send(recipients=recipients, kind="consultations.contribution_commented",
                      text=lambda: _("New comment on your contribution “%(title)s”.") % {"title": title},
                      url=contribution.get_absolute_url())


def register() -> None:
    from arrival.engagement.services import on_comment_created, on_phase_started

    on_phase_started(PROCESS_KIND, phase_started)
    on_comment_created("consultations.contribution", contribution_commented)
