from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "arrival.practices"
    label = "practices"
    verbose_name = _("Practices")

    def ready(self) -> None:
        from arrival.actors.selectors import register_record_provider
        from arrival.assessments.gap_providers import register_gap_provider
        from arrival.core.attachments import attachments_register
        from arrival.core.setup_steps import DEMO, register
        from arrival.frameworks.selectors import register_public_records
        from arrival.practices import exports, handoffs, phases, profile, search
        from arrival.practices.demo import load_demo_practices
        from arrival.practices.models import Practice, ReviewStage
        from arrival.practices.selectors import practice_actor_ids, practices_for_gap
        from arrival.practices.services import on_practice_changed

        # A call for practices is an engagement process: submissions → review → results.
        phases.register()
        register("practices.demo", order=DEMO + 20, run=load_demo_practices,
                 label="Demo practices in four languages, peer-reviewed and in review (labelled demo)")
        # Images hang on the practice: readable with it, changed by its team while it is editable.
        attachments_register(Practice, view="practices.view_practice", change="practices.change_practice")
        register_record_provider(practice_actor_ids)
        # Framework item pages list tagged practices: only published ones, never a draft's title.
        register_public_records(Practice, lambda: Practice.objects.filter(stage=ReviewStage.PUBLISHED))
        register_gap_provider(practices_for_gap)
        # Search follows every committed change: published practices are indexed, others taken out.
        on_practice_changed(search.practice_changed)
        # The open-data files follow every committed change to a published practice.
        on_practice_changed(exports.practice_changed)
        profile.register()
        handoffs.register()
