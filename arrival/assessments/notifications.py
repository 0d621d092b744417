"""The hand-offs of an assessment (issue 12), sent by the services inside their transaction:

- submitted (or resubmitted, or a validator named while it waits) → the people validating for the named
  validators (`assessments.submitted`) and the city's team (`assessments.team_submitted`);
- changes requested, validated, published → the city's team.

Each text is rendered in the recipient's language and names the assessment by its government and cycle and the
validators by their names; never a validator's summary or comments (they are read on the assessment's pages).
The one who acted is not told of their own act.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from arrival.assessments.models import Assessment, NamedValidator
from arrival.assessments.selectors.validation import team_members, validator_people
from arrival.engagement.services import notification_send


def _names(actor_ids: Iterable[int] | None, assessment: Assessment) -> str:
    rows = NamedValidator.objects.filter(assessment=assessment).select_related("actor")
    if actor_ids is not None:
        rows = rows.filter(actor_id__in=list(actor_ids))
    return ", ".join(sorted(row.actor.name for row in rows))


def _team(assessment: Assessment, acting: Any) -> list[Any]:
    return [person for person in team_members(assessment=assessment) if person.pk != getattr(acting, "pk", None)]


def _what(assessment: Assessment) -> dict[str, Any]:
    return {"government": assessment.government.name, "cycle": assessment.cycle}


def submitted(*, assessment: Assessment, by: Any, resubmitted: bool = False,
              actor_ids: Iterable[int] | None = None) -> None:
    """Tell the validators (all named ones, or those of `actor_ids` when named later) and the team."""
    actor_ids = list(actor_ids) if actor_ids is not None else None
    validators = _names(actor_ids, assessment)
    what = {**_what(assessment), "validators": validators}

    def for_validators() -> str:
        if resubmitted:
            return _("%(government)s resubmitted its %(cycle)s assessment with the requested changes, for validation "
                     "by %(validators)s.") % what
        return _("%(government)s submitted its %(cycle)s assessment for validation by %(validators)s.") % what

    notification_send(recipients=validator_people(assessment=assessment, actor_ids=actor_ids),
                      kind="assessments.submitted", text=for_validators,
                      url=reverse("assessments:validation", args=[assessment.pk]), target=assessment)
    if actor_ids is not None:
        return  # a validator named later: the team already knows it was submitted

    def for_team() -> str:
        return _("The %(cycle)s assessment of %(government)s was submitted for validation by %(validators)s.") % what

    notification_send(recipients=_team(assessment, by), kind="assessments.team_submitted", text=for_team,
                      url=reverse("assessments:detail", args=[assessment.pk]), target=assessment)


def decided(*, assessment: Assessment, by: Any, validator: Any, accepted: bool) -> None:
    """Tell the team that `validator` (the actor) accepted the assessment or asked for changes."""
    what = {**_what(assessment), "validator": validator.name}

    def text() -> str:
        if accepted:
            return _("%(validator)s validated the %(cycle)s assessment of %(government)s: it can now be published.") % what
        return _("%(validator)s asked for changes to the %(cycle)s assessment of %(government)s.") % what

    notification_send(recipients=_team(assessment, by),
                      kind="assessments.validated" if accepted else "assessments.changes_requested", text=text,
                      url=reverse("assessments:detail", args=[assessment.pk]), target=assessment)


def published(*, assessment: Assessment, by: Any) -> None:
    what = _what(assessment)

    def text() -> str:
        return _("The %(cycle)s assessment of %(government)s was published.") % what

    notification_send(recipients=_team(assessment, by), kind="assessments.published", text=text,
                      url=reverse("assessments:detail", args=[assessment.pk]), target=assessment)
