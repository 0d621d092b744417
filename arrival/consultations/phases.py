"""The phase types of a consultation and what each allows (registered with engagement in AppConfig.ready).

call for input → synthesis → comments on the draft → adoption → open for endorsement → closed.
Services ask `arrival.engagement.services.phase_require(process=…, action=…)` before every write.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PROCESS_KIND = "consultations.consultation"

CREATE_CONTRIBUTION = "create:consultations.contribution"
CHANGE_CONTRIBUTION = "change:consultations.contribution"
COSIGN_CONTRIBUTION = "cosign:consultations.contribution"
COMMENT_CONTRIBUTION = "comment:consultations.contribution"
COMPILE_DOCUMENT = "compile:consultations.outcomedocument"
CHANGE_DOCUMENT = "change:consultations.outcomedocument"
COMMENT_PARAGRAPH = "comment:consultations.paragraph"
ADOPT_DOCUMENT = "adopt:consultations.outcomedocument"
ENDORSE_DOCUMENT = "endorse:consultations.outcomedocument"

CALL_FOR_INPUT = "consultations.call_for_input"
SYNTHESIS = "consultations.synthesis"
COMMENTS = "consultations.comments"
ADOPTION = "consultations.adoption"
ENDORSEMENT = "consultations.endorsement"
CLOSED = "consultations.closed"

PHASE_TYPES: list[tuple[str, object, list[str]]] = [
    (CALL_FOR_INPUT, _("Call for input"),
     [CREATE_CONTRIBUTION, CHANGE_CONTRIBUTION, COSIGN_CONTRIBUTION, COMMENT_CONTRIBUTION]),
    (SYNTHESIS, _("Synthesis"), [COMPILE_DOCUMENT, CHANGE_DOCUMENT, COSIGN_CONTRIBUTION, COMMENT_CONTRIBUTION]),
    (COMMENTS, _("Comments on the draft"), [COMMENT_PARAGRAPH, CHANGE_DOCUMENT, COMMENT_CONTRIBUTION]),
    (ADOPTION, _("Adoption"), [CHANGE_DOCUMENT, ADOPT_DOCUMENT]),
    (ENDORSEMENT, _("Open for endorsement"), [ENDORSE_DOCUMENT]),
    (CLOSED, _("Closed"), []),
]
PHASE_ORDER = [key for key, _label, _actions in PHASE_TYPES]


def register() -> None:
    from arrival.engagement.phases import phase_type_register

    for key, label, actions in PHASE_TYPES:
        phase_type_register(key, label=label, actions=actions, kind=PROCESS_KIND)
