from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "arrival.commitments"
    label = "commitments"
    verbose_name = _("Commitments")

    def ready(self) -> None:
        from arrival.accounts.personal_data import register_personal_data
        from arrival.actors.selectors import register_record_provider
        from arrival.commitments import handoffs, profile
        from arrival.commitments.demo import load_demo_commitments
        from arrival.commitments.follow_ups import provider
        from arrival.commitments.models import PUBLIC_STATUSES, Commitment, ProgressUpdate
        from arrival.commitments.selectors import commitment_lead_ids
        from arrival.commitments.services import personal_data_erase, personal_data_export
        from arrival.consultations.follow_ups import follow_up_provider_register
        from arrival.core.attachments import attachments_register
        from arrival.core.setup_steps import DEMO, register
        from arrival.frameworks.selectors import register_public_records

        # After the consultations demo (DEMO + 30), whose contributions some demo commitments come from.
        register("commitments.demo", order=DEMO + 40, run=load_demo_commitments,
                 label="Demo commitments with milestones, progress updates and forum reports (labelled demo)")
        # Evidence files hang on a progress update: readable with the commitment, attached while it is unpublished.
        attachments_register(ProgressUpdate, view="commitments.view_commitment",
                             change="commitments.change_progressupdate")
        register_record_provider(commitment_lead_ids)
        register_public_records(Commitment, lambda: Commitment.objects.filter(status__in=PUBLIC_STATUSES))
        # The people who wrote or approved a commitment are detached on deletion; the government's record stays.
        register_personal_data("commitments", export=personal_data_export, erase=personal_data_erase)
        profile.register()
        handoffs.register()
        # "Make a commitment from this contribution / paragraph", and the commitments made from each.
        follow_up_provider_register(provider)
