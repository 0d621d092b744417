"""The phases of a call for practices (registered with engagement in AppConfig.ready).

submissions → review → results. Only the submissions phase lets a government attach a practice to the call
("submit:practices.practice"); `services.practice_submit` asks `arrival.engagement.services.phase_require`.
The call's deadline is the end of its submissions phase.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

PROCESS_KIND = "practices.callforpractices"

SUBMIT_PRACTICE = "submit:practices.practice"

SUBMISSIONS = "practices.submissions"
REVIEW = "practices.review"
RESULTS = "practices.results"

PHASE_TYPES: list[tuple[str, object, list[str]]] = [
    (SUBMISSIONS, _("Submissions"), [SUBMIT_PRACTICE]),
    (REVIEW, _("Review"), []),
    (RESULTS, _("Results"), []),
]

# After the deadline the curators screen and peer-review what came in, then the call shows its results.
REVIEW_PERIOD = dt.timedelta(days=90)
RESULTS_PERIOD = dt.timedelta(days=365)


def register() -> None:
    from arrival.engagement.phases import phase_type_register

    for key, label, actions in PHASE_TYPES:
        phase_type_register(key, label=label, actions=actions, kind=PROCESS_KIND)


def call_phase_windows(opens: dt.datetime, deadline: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(phase type, starts, ends) of a call open for submissions on [opens, deadline), then review and results."""
    review_ends = deadline + REVIEW_PERIOD
    return [
        (SUBMISSIONS, opens, deadline),
        (REVIEW, deadline, review_ends),
        (RESULTS, review_ends, review_ends + RESULTS_PERIOD),
    ]


def call_phase_specs(opens: dt.datetime, deadline: dt.datetime) -> list:
    from arrival.engagement.phases import PhaseSpec

    return [PhaseSpec(key, starts, ends) for key, starts, ends in call_phase_windows(opens, deadline)]
