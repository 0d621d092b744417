from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActorsConfig(AppConfig):
    name = "arrival.actors"
    label = "actors"
    verbose_name = _("Actors")

    def ready(self) -> None:
        from arrival.actors import loaders
        from arrival.core.setup_steps import DEMO, PLACES, REFERENCE, register

        register("actors.countries", order=REFERENCE, run=loaders.load_countries,
                 label="Countries and national governments")
        register("actors.places", order=PLACES, run=loaders.load_places, label="Real places (GeoNames)")
        register("actors.networks", order=PLACES + 10, run=loaders.load_networks,
                 label="City networks, their relations, international organisations")
        register("actors.demo_memberships", order=DEMO, run=loaders.load_demo_memberships,
                 label="Demo memberships (labelled demo)")
