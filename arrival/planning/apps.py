from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "arrival.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from arrival.core.setup_steps import DEMO, register
        from arrival.planning import tasks  # noqa: F401 - registers the background task
        from arrival.planning.demo import load_demo_planning

        register("planning.demo", order=DEMO + 70, run=load_demo_planning,
                 label="Demo intake round in Germany: real cities, illustrative figures, a draft plan (labelled demo)")
