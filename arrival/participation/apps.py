from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "arrival.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from arrival.accounts.personal_data import register_personal_data
        from arrival.core.attachments import attachments_register
        from arrival.core.setup_steps import DEMO, register
        from arrival.engagement.phases import phase_type_register
        from arrival.engagement.targets import comment_target_register
        from arrival.participation import handoffs, links, models, profile, services
        from arrival.participation.demo import load_demo_participation
        from arrival.participation.models import Proposal

        phase_type_register(models.PHASE_COLLECT, label=_("Collect needs and proposals"),
                            kind=models.PROCESS_KIND, actions=[services.ACTION_CREATE, services.ACTION_COMMENT])
        phase_type_register(models.PHASE_SUPPORT, label=_("Support proposals"), kind=models.PROCESS_KIND,
                            actions=[services.ACTION_SUPPORT, services.ACTION_COMMENT])
        phase_type_register(models.PHASE_ANSWER, label=_("The city answers"), kind=models.PROCESS_KIND,
                            actions=[services.ACTION_COMMENT])
        phase_type_register(models.PHASE_REPORT_BACK, label=_("Report back"), kind=models.PROCESS_KIND,
                            actions=[])
        # Images hang on the proposal: readable with it, added by its author.
        attachments_register(Proposal, view="participation.view_proposal", change="participation.change_proposal")
        # Comments and reports on proposals belong to the process (its phases gate comments; its team moderates).
        comment_target_register("participation.proposal", process=lambda proposal: proposal.process.process,
                                can_view=lambda user, proposal: user.has_perm("participation.view_proposal", proposal))
        register_personal_data("participation", export=services.personal_data_export,
                               erase=services.personal_data_erase)
        profile.register()
        links.register()
        # After the commitments demo, so accepted demo proposals can point to demo commitments.
        register("participation.demo", order=DEMO + 60, run=load_demo_participation,
                 label="Demo resident participation in four languages (labelled demo)")
        handoffs.register()
