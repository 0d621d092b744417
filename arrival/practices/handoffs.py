"""What practices hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs).

A practice passes from its authors to the curators (screening), to the reviewers they invite, back to the curators
(decision) and to the authors (published, revision requested, declined). Who is told what is in
`notifications.py`; what waits on whom is read in `selectors.py`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register, work_provider_register


def register() -> None:
    from arrival.practices import selectors

    group = _("Practices")
    notification_kind_register("practices.submitted", group=group,
                               label=_("A practice is submitted for your screening"))
    notification_kind_register("practices.review_invited", group=group,
                               label=_("You are invited to review a practice"))
    notification_kind_register("practices.review_declined", group=group,
                               label=_("A reviewer you invited declined"))
    notification_kind_register("practices.review_submitted", group=group,
                               label=_("A peer review of your practice, or of one you curate, is submitted"))
    notification_kind_register("practices.decided", group=group,
                               label=_("A curator decides on your practice, or on one you curate"))
    notification_kind_register("practices.adapted", group=group,
                               label=_("Another government adapted your practice"))

    work_provider_register("practices.screen", label=_("Practices to screen"),
                           items=selectors.screening_work_items, count=selectors.screening_work_count)
    work_provider_register("practices.decide", label=_("Practices in peer review waiting on you"),
                           items=selectors.decision_work_items, count=selectors.decision_work_count)
    work_provider_register("practices.invitation", label=_("Invitations to review a practice"),
                           items=selectors.invitation_work_items, count=selectors.invitation_work_count)
    work_provider_register("practices.review", label=_("Reviews to write"),
                           items=selectors.review_work_items, count=selectors.review_work_count)
    work_provider_register("practices.revise", label=_("Your practices to revise"),
                           items=selectors.revision_work_items, count=selectors.revision_work_count)
