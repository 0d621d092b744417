"""Background task: computing a large round's plan, with progress shown on the job's page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from arrival.core.jobs import task


@task("planning.plan_compute", max_attempts=1)
def plan_compute_task(progress: Any, *, round_id: int, user_id: int, time_limit: float = 60.0,
                      fairness_floors: dict[str, float] | None = None) -> dict[str, Any]:
    from arrival.planning import selectors, services

    user = get_user_model().objects.get(pk=user_id)
    intake_round = selectors.round_get(pk=round_id)
    plan = services.plan_compute_run(user=user, intake_round=intake_round, progress=progress, time_limit=time_limit,
                                     fairness_floors=fairness_floors)
    return {"url": reverse("planning:plan_detail", args=[intake_round.pk, plan.version]),
            "label": _("Open version %(version)s of the plan") % {"version": plan.version}}
