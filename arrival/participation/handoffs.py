"""What participation hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register


def register() -> None:
    group = _("Resident participation")
    notification_kind_register("participation.answered", group=group, label=_("The city answered your proposal"))
