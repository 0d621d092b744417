from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "arrival.frameworks"
    label = "frameworks"
    verbose_name = _("Frameworks")

    def ready(self) -> None:
        from arrival.core.setup_steps import REFERENCE, register
        from arrival.frameworks.loader import load_frameworks

        register(
            "frameworks",
            order=REFERENCE,
            run=load_frameworks,
            label="Frameworks: GCM, SDG targets, New Urban Agenda, governance domains, crosswalk",
        )
