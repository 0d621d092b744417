"""What planning hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs).

The round's dialogue, hand-off by hand-off (services.py writes each notification in the transaction of its change):

| when | who is told (kind) | what then waits in whose "My work" |
| --- | --- | --- |
| the round opens | each locality's team (`planning.round_opened`) | its declaration, until submitted (`planning.declare`) |
| a draft plan is published | each locality's team (`planning.plan_published`) | an answer to it (`planning.respond`) |
| a locality objects with a revised declaration | the round's planners (`planning.objection_received`) | a reply (`planning.reply`) |
| the planners reply | that locality's team (`planning.reply_received`) | — (the thread no longer waits) |
| the locality answers back | the round's planners (`planning.answer_received`) | a reply again (`planning.reply`) |
| every locality accepted | the localities' teams and the planners (`planning.plan_agreed`) | — |
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register, work_provider_register


def register() -> None:
    from arrival.planning import selectors

    group = _("Intake planning")
    notification_kind_register("planning.round_opened", group=group, label=_("An intake round opened for declarations"))
    notification_kind_register("planning.plan_published", group=group, label=_("A draft plan was published"))
    notification_kind_register("planning.objection_received", group=group,
                               label=_("A locality objected to a draft plan of your round"))
    notification_kind_register("planning.reply_received", group=group,
                               label=_("The planners replied to your locality's objection"))
    notification_kind_register("planning.answer_received", group=group,
                               label=_("A locality answered your reply to its objection"))
    notification_kind_register("planning.plan_agreed", group=group, label=_("A plan was agreed by every locality"))
    work_provider_register("planning.declare", label=_("Declarations due"),
                           items=selectors.declaration_work_items, count=selectors.declaration_work_count)
    work_provider_register("planning.respond", label=_("Draft plans to accept or object to"),
                           items=selectors.response_work_items, count=selectors.response_work_count)
    work_provider_register("planning.reply", label=_("Objections to reply to"),
                           items=selectors.objection_work_items, count=selectors.objection_work_count)
