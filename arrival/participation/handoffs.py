"""What participation hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs).

- a new need or proposal → the city's team (`participation.submitted`), and it waits in their "My work" until
  the city answers (`participation.answer`, the end of the answer phase as deadline);
- a comment on a proposal → its author and the supporters who follow it (`participation.commented`);
- the city's answer → the author and the supporters who follow it (`participation.answered`; a guest who left
  an e-mail address also gets an e-mail with the link); an accepted proposal then waits in the team's "My work"
  for its report-back (`participation.report_back`, the end of the report-back phase as deadline);
- the report-back (a newer answer to an accepted proposal) → the same people (`participation.reported_back`).

No notification copies what a resident wrote: they name the city's process and the status the city chose.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register, work_provider_register


def register() -> None:
    from arrival.engagement.services import on_comment_created
    from arrival.participation import selectors, services

    group = _("Resident participation")
    notification_kind_register(services.KIND_SUBMITTED, group=group,
                               label=_("A resident posts a need or a proposal in your city's process"))
    notification_kind_register(services.KIND_COMMENTED, group=group,
                               label=_("Someone comments on a proposal you wrote or follow"))
    notification_kind_register(services.KIND_ANSWERED, group=group,
                               label=_("The city answers a proposal you wrote or support"))
    notification_kind_register(services.KIND_REPORTED_BACK, group=group,
                               label=_("The city reports back on a proposal you wrote or support"))
    work_provider_register("participation.answer", label=_("Needs and proposals to answer"),
                           items=selectors.answer_work_items, count=selectors.answer_work_count)
    work_provider_register("participation.report_back", label=_("Accepted proposals to report back on"),
                           items=selectors.report_back_work_items, count=selectors.report_back_work_count)
    on_comment_created("participation.proposal", services.comment_handoff)
