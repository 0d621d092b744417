"""What consultations hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register


def register() -> None:
    group = _("Consultations")
    notification_kind_register("consultations.new_consultation", group=group, label=_("A consultation opened that you can contribute to"))
    notification_kind_register("consultations.phase_changed", group=group, label=_("A consultation you take part in moved to its next phase"))
    notification_kind_register("consultations.contribution_commented", group=group, label=_("Someone commented on your contribution"))
