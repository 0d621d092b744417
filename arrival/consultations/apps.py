from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "arrival.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from arrival.accounts.personal_data import register_personal_data
        from arrival.actors.selectors import register_record_provider
        from arrival.consultations import handoffs, personal_data, phases, profile
        from arrival.consultations.demo import load_demo_consultation
        from arrival.consultations.loaders import load_forums
        from arrival.consultations.models import Contribution, Paragraph
        from arrival.consultations.selectors import (
            comment_consultation,
            consultation_actor_ids,
            consultation_admits_user,
            paragraph_in_latest_version,
        )
        from arrival.core.attachments import attachments_register
        from arrival.core.setup_steps import DEMO, REFERENCE, register
        from arrival.engagement.targets import comment_target_register

        phases.register()
        register("consultations.forums", order=REFERENCE + 60, run=load_forums,
                 label="Forums and review meetings (data/forums.csv, a source per row)")
        register("consultations.demo", order=DEMO + 30, run=load_demo_consultation,
                 label="Demo consultation modelled on the 2017 local input to the GCM stocktaking (labelled demo)")
        # Evidence files hang on the contribution: readable with it, changed by its team.
        attachments_register(Contribution, view="consultations.view_contribution",
                             change="consultations.change_contribution")
        register_record_provider(consultation_actor_ids)
        # Comments on contributions and draft paragraphs: gated by the phase, open to whom the consultation admits.
        for label in ("consultations.contribution", "consultations.paragraph"):
            comment_target_register(
                label,
                process=lambda record: comment_consultation(record).process,
                can_view=lambda user, record: not isinstance(record, Contribution)
                or user.has_perm("consultations.view_contribution", record),
                # Comments go to the latest version of a draft; earlier ones keep theirs, shown where they went.
                can_comment=lambda user, record: consultation_admits_user(
                    consultation=comment_consultation(record), user=user)
                and (not isinstance(record, Paragraph) or paragraph_in_latest_version(paragraph=record)),
            )
        profile.register()
        register_personal_data("consultations", export=personal_data.personal_data_export,
                               erase=personal_data.personal_data_erase)
        handoffs.register()
