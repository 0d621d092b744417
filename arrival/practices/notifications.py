"""Who is told what when a practice changes hands (kinds registered in `handoffs.py`).

Called by the services inside their transaction, so a notification lands with the change it announces. Texts are
rendered per recipient language (`gettext` inside the callables) and name the practice by the title its
government wrote; a review's comments or a curator's reasons stay on the practice's page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from arrival.core.languages import quoted
from arrival.core.time_zones import datetime_with_zone
from arrival.engagement.services import notification_send
from arrival.practices import selectors
from arrival.practices.models import Practice, ReviewAssignment, ReviewAssignmentStatus, ReviewStage


def _send(kind: str, recipients: Iterable[Any], text: Callable[[], str], practice: Practice, url: str = "",
          target: Any = None) -> int:
    return notification_send(recipients=recipients, kind=kind, text=text, url=url or practice.get_absolute_url(),
                             target=target if target is not None else practice)


def _title(practice: Practice) -> str:
    """The practice's title as its authors wrote it, marked with its language for the notification's readers."""
    return quoted(practice.title, practice.language)


def _governments(practice: Practice) -> str:
    return ", ".join(practice.governments.order_by("name").values_list("name", flat=True))


def practice_submitted(*, practice: Practice, by: Any, resubmitted: bool) -> int:
    """The curators are asked to screen it: the call's organisers, the organisation chosen, or the site's staff."""
    fields = {"title": _title(practice), "governments": _governments(practice),
              "call": practice.call.title if practice.call is not None else ""}

    def text() -> str:
        if resubmitted:
            return _("The practice “%(title)s” (%(governments)s) was revised and submitted again: screen it.") % fields
        if practice.call_id:
            return _("The practice “%(title)s” (%(governments)s) answers the call “%(call)s”: screen it.") % fields
        return _("The practice “%(title)s” (%(governments)s) was submitted for screening.") % fields

    return _send("practices.submitted", selectors.practice_curators(practice=practice).exclude(pk=by.pk), text,
                 practice)


def practice_screened(*, practice: Practice, by: Any) -> int:
    """The authors learn whether it went on to peer review or came back to them."""
    title = {"title": _title(practice)}

    def text() -> str:
        if practice.stage == ReviewStage.IN_REVIEW:
            return _("Your practice “%(title)s” passed screening and is now in peer review.") % title
        return _("The curator returned your practice “%(title)s” before peer review: read why on its page, "
                 "revise it and submit it again.") % title

    return _send("practices.decided", selectors.practice_team(practice=practice).exclude(pk=by.pk), text, practice)


def reviewer_invited(*, assignment: ReviewAssignment) -> int:
    """The invited reviewer, with the date the review is due when the curator set one."""
    practice = assignment.practice
    fields = {"title": _title(practice), "actor": assignment.reviewer_actor.name}

    def text() -> str:
        if assignment.due_at is not None:
            return _("You are invited to review the practice “%(title)s” for %(actor)s, by %(due)s. Accept or "
                     "decline.") % {**fields, "due": datetime_with_zone(assignment.due_at)}
        return _("You are invited to review the practice “%(title)s” for %(actor)s. Accept or decline.") % fields

    return _send("practices.review_invited", [assignment.reviewer], text, practice,
                 url=reverse("practices:review", args=[assignment.pk]), target=assignment)


def _asked_by(assignment: ReviewAssignment) -> list[Any]:
    """The curator who invited the reviewer; the practice's curators when that person is gone."""
    if assignment.assigned_by is not None and assignment.assigned_by.is_active:
        return [assignment.assigned_by]
    return list(selectors.practice_curators(practice=assignment.practice))


def invitation_declined(*, assignment: ReviewAssignment) -> int:
    """The curator who invited them, to invite someone else."""
    practice = assignment.practice
    fields = {"name": assignment.reviewer.public_name, "title": _title(practice)}

    def text() -> str:
        if assignment.conflicts_declared:
            return _("%(name)s declined to review “%(title)s”, declaring a conflict of interest: invite another "
                     "reviewer.") % fields
        return _("%(name)s declined to review “%(title)s”: invite another reviewer.") % fields

    return _send("practices.review_declined", _asked_by(assignment), text, practice,
                 url=reverse("practices:reviewers", args=[practice.slug]))


def review_submitted(*, assignment: ReviewAssignment) -> int:
    """The authors (who read the review without the reviewer's name) and the curator who asked for it."""
    practice = assignment.practice
    title = {"title": _title(practice), "name": assignment.reviewer.public_name}
    all_in = not practice.review_assignments.filter(
        status__in=(ReviewAssignmentStatus.INVITED, ReviewAssignmentStatus.ACCEPTED)).exists()

    def to_authors() -> str:
        return _("A peer review of your practice “%(title)s” was submitted: read it on its page.") % title

    def to_curator() -> str:
        if all_in:
            return _("%(name)s reviewed “%(title)s”; all its reviews are in and it waits on your decision.") % title
        return _("%(name)s reviewed “%(title)s”.") % title

    sent = _send("practices.review_submitted", selectors.practice_team(practice=practice), to_authors, practice)
    return sent + _send("practices.review_submitted", _asked_by(assignment), to_curator, practice)


def practice_decided(*, practice: Practice, by: Any) -> int:
    """The authors, and the other curators of the practice (its organisation's and those who invited reviewers)."""
    fields = {"title": _title(practice), "name": by.public_name}

    def to_authors() -> str:
        if practice.stage == ReviewStage.PUBLISHED:
            return _("Your practice “%(title)s” is published as a peer-reviewed practice.") % fields
        if practice.stage == ReviewStage.REVISION_REQUESTED:
            return _("A revision of your practice “%(title)s” is requested: read the reasons on its page, revise "
                     "it and submit it again.") % fields
        return _("Your practice “%(title)s” was declined: the reasons are on its page.") % fields

    def to_curators() -> str:
        return _("%(name)s decided on the practice “%(title)s”: %(stage)s.") % {
            **fields, "stage": str(ReviewStage(practice.stage).label)}

    team = selectors.practice_team(practice=practice)
    curators = {user.pk: user for user in selectors.practice_curators(practice=practice)}
    for assignment in practice.review_assignments.select_related("assigned_by"):
        if assignment.assigned_by is not None:
            curators.setdefault(assignment.assigned_by.pk, assignment.assigned_by)
    curators.pop(by.pk, None)
    return (_send("practices.decided", team.exclude(pk=by.pk), to_authors, practice)
            + _send("practices.decided", curators.values(), to_curators, practice))


def practice_adapted(*, practice: Practice) -> int:
    """The team of the practice it adapted: their idea travelled (once the adaptation is published)."""
    source = practice.adapted_from
    if source is None:
        return 0
    fields = {"title": source.title, "adaptation": practice.title, "governments": _governments(practice)}

    def text() -> str:
        return _("%(governments)s adapted your practice “%(title)s”: see “%(adaptation)s”.") % fields

    return _send("practices.adapted", selectors.practice_team(practice=source), text, practice)
