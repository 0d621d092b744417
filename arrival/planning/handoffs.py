"""What planning hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register


def register() -> None:
    group = _("Intake planning")
    notification_kind_register("planning.round_opened", group=group, label=_("An intake round opened for declarations"))
    notification_kind_register("planning.plan_published", group=group, label=_("A draft plan was published"))
