from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "arrival.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from arrival.actors.selectors import register_record_provider
        from arrival.assessments import handoffs, profile
        from arrival.assessments.demo import load_demo_accounts, load_demo_assessments
        from arrival.assessments.loader import load_indicator_frameworks
        from arrival.assessments.models import Answer, Indicator
        from arrival.assessments.selectors.records import indicator_questions, published_government_ids
        from arrival.core.attachments import attachments_register
        from arrival.core.setup_steps import DEMO, REFERENCE, register
        from arrival.frameworks.selectors import register_record_labels

        register("assessments.frameworks", order=REFERENCE + 50, run=load_indicator_frameworks,
                 label="Indicator frameworks (LMGF 1.0) with their indicators and tags")
        register("assessments.demo", order=DEMO + 10, run=load_demo_assessments,
                 label="Demo assessments over three cycles (labelled demo)")
        register("assessments.demo_accounts", order=DEMO + 50, run=load_demo_accounts,
                 label="Demo sign-ins: a city officer and a validator, with new passwords (not in production)")
        # Evidence files hang on answers: readable with the assessment, changed by its team while editable.
        attachments_register(Answer, view="assessments.view_assessment", change="assessments.change_answer")
        register_record_provider(published_government_ids)
        # Framework item pages list the indicators tagged with the item: their questions in the reader's language.
        register_record_labels(Indicator, indicator_questions)
        profile.register()
        handoffs.register()
