from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "arrival.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from arrival.accounts.selectors import register_second_factor_reason
        from arrival.core.setup_steps import DEMO, register
        from arrival.planning import (
            handoffs,
            tasks,  # noqa: F401 - registers the background task
        )
        from arrival.planning.demo import load_demo_planning, load_demo_planning_accounts
        from arrival.planning.selectors import case_grant_list_running_for

        register("planning.demo", order=DEMO + 70, run=load_demo_planning,
                 label="Demo intake round in Germany: real cities, illustrative figures, a draft plan (labelled demo)")
        register("planning.demo_accounts", order=DEMO + 75, run=load_demo_planning_accounts,
                 label="Demo sign-ins for the intake round: a national planner and a city officer (not in production)")
        handoffs.register()
        # Whoever a planner lets read case records must use a second factor while the grant runs.
        register_second_factor_reason("planning.case_grant", case_grant_list_running_for)
