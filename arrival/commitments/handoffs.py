"""What commitments hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs).

| step | who is told | whose "My work" |
| --- | --- | --- |
| sent for internal approval | the lead's administrators | theirs, until approved or sent back |
| submitted for publication | the publishing organisations' staff and administrators (site staff when none) | theirs, until published or sent back |
| approved / sent back / published | the filers (who drafted, sent or submitted it; never the decider) | sent back: to fix; approved: to submit |
| milestone due within 14 days or overdue | the lead's team (reminder, `tasks.py`) | until marked done |
| a forum's submission window open | the governments' teams (reminder before it closes) | each published commitment not yet reported in it |
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register, work_provider_register


def register() -> None:
    from arrival.commitments import selectors

    group = _("Commitments")
    notification_kind_register("commitments.approval_requested", group=group,
                               label=_("A commitment of your government or network waits for your approval"))
    notification_kind_register("commitments.publication_requested", group=group,
                               label=_("A commitment waits for you to publish it"))
    notification_kind_register("commitments.approved", group=group, label=_("Your commitment was approved"))
    notification_kind_register("commitments.returned", group=group, label=_("Your commitment was sent back to draft"))
    notification_kind_register("commitments.published", group=group, label=_("Your commitment was published"))
    notification_kind_register("commitments.milestone_due", group=group, label=_("A milestone of your commitment is due"))
    notification_kind_register("commitments.window_closing", group=group, label=_("A reporting window is closing"))

    work_provider_register("commitments.approve", label=_("Commitments to approve"),
                           items=selectors.approval_work_items, count=selectors.approval_work_count)
    work_provider_register("commitments.publish", label=_("Commitments to publish"),
                           items=selectors.publication_work_items, count=selectors.publication_work_count)
    work_provider_register("commitments.filed", label=_("Your commitments to fix or submit"),
                           items=selectors.filer_work_items, count=selectors.filer_work_count)
    work_provider_register("commitments.milestones", label=_("Milestones due"),
                           items=selectors.milestone_work_items, count=selectors.milestone_work_count)
    work_provider_register("commitments.reports", label=_("Commitments to report to a forum"),
                           items=selectors.report_work_items, count=selectors.report_work_count)
