"""What commitments hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register


def register() -> None:
    group = _("Commitments")
    notification_kind_register("commitments.milestone_due", group=group, label=_("A milestone of your commitment is due"))
    notification_kind_register("commitments.window_closing", group=group, label=_("A reporting window is closing"))
