"""What assessments hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs). The services send them (arrival/assessments/notifications.py); the queues are
read by arrival/assessments/selectors/validation.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_register, work_provider_register


def register() -> None:
    from arrival.assessments.selectors import validation

    group = _("Assessments")
    notification_kind_register("assessments.submitted", group=group,
                               label=_("An assessment is submitted for your validation"))
    notification_kind_register("assessments.team_submitted", group=group,
                               label=_("Your government's assessment was submitted for validation"))
    notification_kind_register("assessments.changes_requested", group=group,
                               label=_("A validator asked for changes to your government's assessment"))
    notification_kind_register("assessments.validated", group=group,
                               label=_("Your government's assessment was validated"))
    notification_kind_register("assessments.published", group=group,
                               label=_("Your government's assessment was published"))
    work_provider_register("assessments.validate", label=_("Assessments to validate"),
                           items=validation.validation_work_items, count=validation.validation_work_count)
    work_provider_register("assessments.correct", label=_("Assessments returned with changes to make"),
                           items=validation.correction_work_items, count=validation.correction_work_count)
    work_provider_register("assessments.publish", label=_("Validated assessments to publish"),
                           items=validation.publication_work_items, count=validation.publication_work_count)
