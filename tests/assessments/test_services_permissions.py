"""Who may do what with an assessment (DESIGN.md rule 3)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from arrival.accounts.models import RoleKind
from arrival.actors.models import ActorKind
from arrival.assessments.models import Answer
from arrival.assessments.selectors.records import can_comment, can_edit, can_validate, can_view, indicator_get
from arrival.assessments.services import (
    answer_save,
    assessment_open,
    assessment_publish,
    assessment_submit,
    assessment_update_settings,
    consultation_comment,
    consultation_invite,
    evidence_attach,
    validation_decide,
    validation_start,
)
from arrival.core.attachments import attachment_get_for_download
from tests.accounts.factories import RoleFactory, StaffFactory, UserFactory
from tests.actors.factories import ActorFactory, LocalGovernmentFactory, NetworkFactory, OrganisationFactory
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, validator_for

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _indicator(assessment, code="D1.1.1"):  # type: ignore[no-untyped-def]
    return indicator_get(framework=assessment.framework, code=code)


def test_no_one_edits_another_governments_assessment() -> None:
    assessment = AssessmentFactory()
    other_officer = officer_for(LocalGovernmentFactory().actor)
    with pytest.raises(PermissionDenied):
        answer_save(user=other_officer, assessment=assessment, indicator=_indicator(assessment), value=2)
    with pytest.raises(PermissionDenied):
        assessment_open(user=other_officer, government=assessment.government, cycle=2025)
    with pytest.raises(PermissionDenied):
        assessment_submit(user=other_officer, assessment=assessment)
    with pytest.raises(PermissionDenied):
        answer_save(user=AnonymousUser(), assessment=assessment, indicator=_indicator(assessment), value=2)
    reviewer = officer_for(assessment.government, kind=RoleKind.REVIEWER)  # a role, but not the team's
    with pytest.raises(PermissionDenied):
        answer_save(user=reviewer, assessment=assessment, indicator=_indicator(assessment), value=2)
    assert not Answer.objects.exists()
    assert not can_edit(user=other_officer, assessment=assessment)


def test_a_validator_never_validates_their_own_government() -> None:
    assessment = AssessmentFactory()
    team = officer_for(assessment.government)
    answer_all(assessment, user=team)
    # Someone with a role in the assessed government and in another one is still on the assessed side.
    both, other = validator_for(assessment.government)
    RoleFactory(user=both, actor=assessment.government, kind=RoleKind.REVIEWER)
    validator = officer_for(other)
    assessment = assessment_submit(user=team, assessment=assessment, validators=[other])
    with pytest.raises(PermissionDenied):
        validation_start(user=team, assessment=assessment, validator_actor=assessment.government)
    with pytest.raises(PermissionDenied):
        validation_start(user=both, assessment=assessment, validator_actor=other)
    with pytest.raises(ValidationError, match="own assessment"):
        validation_start(user=validator, assessment=assessment, validator_actor=assessment.government)
    with pytest.raises(ValidationError, match="not among the validators the city named"):
        validation_start(user=validator, assessment=assessment, validator_actor=LocalGovernmentFactory().actor)
    assert can_validate(user=validator, assessment=assessment) and not can_validate(user=team, assessment=assessment)
    validation = validation_start(user=validator, assessment=assessment, validator_actor=other)
    stranger = officer_for(other)  # a colleague in the same named city, not the one who started
    with pytest.raises(ValidationError, match="who started"):
        validation_decide(user=stranger, validation=validation, decision="accepted")
    with pytest.raises(PermissionDenied):
        assessment_publish(user=validator, assessment=assessment)


def test_network_staff_may_validate() -> None:
    assessment = AssessmentFactory()
    answer_all(assessment)
    network = NetworkFactory().actor
    staff = officer_for(network, kind=RoleKind.STAFF)
    assessment_submit(user=officer_for(assessment.government), assessment=assessment, validators=[network])
    validation = validation_start(user=staff, assessment=assessment, validator_actor=network)
    assert validation.validator_actor.kind == ActorKind.NETWORK


def test_consultation_only_for_invited_organisations_while_open() -> None:
    assessment = AssessmentFactory()
    team = officer_for(assessment.government)
    invited_org = OrganisationFactory().actor
    member = officer_for(invited_org, kind=RoleKind.STAFF)
    outsider = officer_for(OrganisationFactory().actor, kind=RoleKind.STAFF)
    consultation_invite(user=team, assessment=assessment, organisation=invited_org)
    with pytest.raises(PermissionDenied):  # invited, but the consultation is not open yet
        consultation_comment(user=member, assessment=assessment, indicator=_indicator(assessment), text="Hello")
    assessment_update_settings(user=team, assessment=assessment, consultation_open=True)
    assessment.refresh_from_db()
    comment = consultation_comment(user=member, assessment=assessment, indicator=_indicator(assessment),
                                   text="Shelters still turn people away at night.")
    assert comment.author_actor == invited_org and comment.kind == "consultation"
    assert can_comment(user=member, assessment=assessment) and can_view(user=member, assessment=assessment)
    with pytest.raises(PermissionDenied):
        consultation_comment(user=outsider, assessment=assessment, indicator=_indicator(assessment), text="Hi")
    with pytest.raises(ValidationError, match="organisations"):
        consultation_invite(user=team, assessment=assessment, organisation=ActorFactory())
    assessment_update_settings(user=team, assessment=assessment, consultation_open=False)
    assessment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        consultation_comment(user=member, assessment=assessment, indicator=_indicator(assessment), text="Late")


def test_drafts_are_private_and_published_assessments_public() -> None:
    assessment = AssessmentFactory()
    team = officer_for(assessment.government)
    anonymous, stranger = AnonymousUser(), UserFactory()
    assert can_view(user=team, assessment=assessment) and can_view(user=StaffFactory(), assessment=assessment)
    assert not can_view(user=anonymous, assessment=assessment) and not can_view(user=stranger, assessment=assessment)
    from tests.assessments.factories import publish

    answer_all(assessment, user=team)
    published = publish(assessment, team=team)
    assert can_view(user=anonymous, assessment=published) and can_view(user=stranger, assessment=published)


def test_evidence_files_follow_the_assessment_permissions() -> None:
    assessment = AssessmentFactory()
    team = officer_for(assessment.government)
    answer = answer_save(user=team, assessment=assessment, indicator=_indicator(assessment), value=2)
    attachment = evidence_attach(user=team, answer=answer, file=SimpleUploadedFile("decision.pdf", PDF_BYTES))
    assert attachment.media_type == "application/pdf"
    with pytest.raises(ValidationError, match="not accepted"):
        evidence_attach(user=team, answer=answer, file=SimpleUploadedFile("notes.csv", b"a,b\n1,2\n"))
    with pytest.raises(PermissionDenied):
        evidence_attach(user=officer_for(LocalGovernmentFactory().actor), answer=answer,
                        file=SimpleUploadedFile("decision.pdf", PDF_BYTES))
    assert attachment_get_for_download(user=team, attachment_id=attachment.pk) == attachment
    with pytest.raises(PermissionDenied):
        attachment_get_for_download(user=AnonymousUser(), attachment_id=attachment.pk)
