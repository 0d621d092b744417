"""The whole consultation workflow through the services, with frozen time."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from arrival.accounts.models import RoleKind
from arrival.consultations import selectors, services
from arrival.consultations.models import (
    ContributionStatus,
    ContributionVersion,
    Cosignature,
    Endorsement,
    GroupKind,
    Paragraph,
)
from arrival.core.models import AuditEvent
from tests.consultations.factories import (
    ADOPTION,
    CALL,
    COMMENTS,
    ENDORSEMENT,
    SYNTHESIS,
    adopted_flow,
    at,
    city,
    consultation,
    contribute,
    gcm_objective,
    network,
    person,
)


def test_consultation_create_makes_process_phases_questions_and_audit() -> None:
    owner = network("Metro Net")
    staff = person(owner, RoleKind.STAFF)
    cons = consultation(owner=owner, staff=staff, questions=[
        services.QuestionSpec(text="Objective 15?", objective=gcm_objective("15")), "Anything else?"])
    assert cons.process.owner == owner
    assert cons.process.kind == "consultations.consultation"
    assert [p.phase_type for p in cons.process.phases.order_by("position")] == [
        "consultations.call_for_input", "consultations.synthesis", "consultations.comments",
        "consultations.adoption", "consultations.endorsement", "consultations.closed"]
    assert [q.text for q in cons.questions.all()] == ["Objective 15?", "Anything else?"]
    assert cons.questions.first().objective.code == "15"
    assert AuditEvent.objects.filter(action="consultations.create_consultation", target_id=str(cons.pk)).exists()


def test_a_city_cannot_own_a_consultation() -> None:
    town = city()
    officer = person(town, RoleKind.ADMINISTRATOR)
    with pytest.raises(ValidationError):
        consultation(owner=town, staff=officer)


def test_contribution_versions_kept_while_call_runs() -> None:
    cons = consultation()
    town = city("Gamma")
    officer = person(town)
    contribution = contribute(cons, town, officer)
    with at(CALL):
        services.contribution_update(user=officer, contribution=contribution, title="Second title",
                                     links=[{"url": "https://example.org/report", "label": "Report"}])
        services.contribution_update(user=officer, contribution=contribution, proposed_actions="Third text")
    versions = list(ContributionVersion.objects.filter(contribution=contribution).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[0].content["title"] == "Input from Gamma"
    assert versions[1].content["title"] == "Second title"
    assert versions[2].content["proposed_actions"] == "Third text"
    assert versions[2].content["tags"] == ["gcm_objective:15"]
    with at(SYNTHESIS), pytest.raises(ValidationError, match="not open in the current phase"):
        services.contribution_update(user=officer, contribution=contribution, title="Too late")
    contribution.refresh_from_db()
    assert contribution.title == "Second title"
    assert ContributionVersion.objects.filter(contribution=contribution).count() == 3


def test_bad_input_changes_nothing() -> None:
    cons = consultation()
    town = city()
    officer = person(town)
    with at(CALL):
        with pytest.raises(ValidationError):
            services.contribution_create(user=officer, consultation=cons, actor=town, title="", summary="x")
        with pytest.raises(ValidationError):
            services.contribution_create(user=officer, consultation=cons, actor=town, title="T", summary="x",
                                         links=[{"url": "javascript:alert(1)"}])
        with pytest.raises(ValidationError):
            services.contribution_create(user=officer, consultation=cons, actor=town, title="Empty")
    assert not cons.contributions.exists()


def test_withdraw_and_cosign() -> None:
    cons = consultation()
    a, b = city("A"), city("B")
    ua, ub = person(a), person(b)
    contribution = contribute(cons, a, ua)
    with at(CALL):
        services.contribution_cosign(user=ub, contribution=contribution, actor=b)
        with pytest.raises(ValidationError):
            services.contribution_cosign(user=ub, contribution=contribution, actor=b)
        with pytest.raises(ValidationError):
            services.contribution_cosign(user=ua, contribution=contribution, actor=a)
        services.contribution_withdraw(user=ua, contribution=contribution)
    assert Cosignature.objects.filter(contribution=contribution, actor=b).count() == 1
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.WITHDRAWN
    assert list(selectors.contribution_list(consultation=cons)) == []


def test_synthesis_groups_by_gcm_objective_then_sdg_then_general() -> None:
    cons = consultation()
    a, b, c, d = city("Aa"), city("Bb"), city("Cc"), city("Dd")
    ca = contribute(cons, a, person(a), gcm="16", text="A on 16")
    cb = contribute(cons, b, person(b), gcm="15", text="B on 15")
    cc = contribute(cons, c, person(c), gcm="15", text="C on 15")
    cd = contribute(cons, d, person(d), gcm=None, sdg="10.7", text="D on SDG")
    owner_staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=owner_staff, consultation=cons)
    paragraphs = list(version.paragraphs.order_by("position"))
    assert [(p.group_kind, p.group_code) for p in paragraphs] == [
        (GroupKind.GCM, "15"), (GroupKind.GCM, "16"), (GroupKind.SDG, "10.7")]
    assert set(paragraphs[0].sources.all()) == {cb, cc}
    assert paragraphs[0].text.splitlines()[:2] == ["Bb: B on 15", "Cc: C on 15"]
    assert list(paragraphs[1].sources.all()) == [ca]
    assert list(paragraphs[2].sources.all()) == [cd]
    assert version.number == 1 and version.document.consultation == cons


def test_rewrite_keeps_sources_and_adoption_freezes() -> None:
    cons = consultation()
    a = city("Aa")
    contribution = contribute(cons, a, person(a))
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        v1 = services.outcome_draft_compile(user=staff, consultation=cons)
    first = v1.paragraphs.get()
    with at(COMMENTS):
        v2 = services.document_version_create(
            user=staff, document=v1.document, note="tighter", paragraphs=[
                services.ParagraphEdit(text="A preamble.", heading="Preamble", editorial=True),
                services.ParagraphEdit(key=first.key, text="Rewritten paragraph."),
            ])
    assert v2.number == 2
    rewritten = v2.paragraphs.get(key=first.key)
    assert rewritten.position == 2 and list(rewritten.sources.all()) == [contribution]
    assert rewritten.group_code == "15"
    first.refresh_from_db()
    assert first.text != "Rewritten paragraph."  # the old version is untouched
    with at(ADOPTION):
        services.document_adopt(user=staff, document=v1.document, version=v2)
        with pytest.raises(ValidationError):
            services.document_version_create(user=staff, document=v1.document,
                                              paragraphs=[services.ParagraphEdit(text="late")])
    v2.refresh_from_db()
    assert v2.frozen_at is not None
    assert v1.document.adopted_version == v2


def test_adoption_refuses_untraced_paragraphs() -> None:
    cons = consultation()
    a = city()
    contribute(cons, a, person(a))
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        v1 = services.outcome_draft_compile(user=staff, consultation=cons)
    with at(COMMENTS):
        v2 = services.document_version_create(user=staff, document=v1.document, paragraphs=[
            services.ParagraphEdit(key=v1.paragraphs.get().key, text="Kept"),
            services.ParagraphEdit(text="No source, not editorial", editorial=False),
        ])
    with at(ADOPTION), pytest.raises(ValidationError, match="paragraphs 2 have no source"):
        services.document_adopt(user=staff, document=v1.document, version=v2)
    v2.refresh_from_db()
    assert v2.frozen_at is None


def test_endorsements_rolling_withdrawable_unique() -> None:
    flow = adopted_flow()
    document = flow["document"]
    outsider = city("Outside Town")  # not a member of the owning network: may endorse
    signer = person(outsider, RoleKind.ADMINISTRATOR)
    with at(ENDORSEMENT):
        endorsement = services.endorsement_create(user=signer, document=document, actor=outsider,
                                                  signatory_name="A. Mayor", signatory_title="Mayor",
                                                  authority="Council resolution 12/2026")
        with pytest.raises(ValidationError, match="already endorses"):
            services.endorsement_create(user=signer, document=document, actor=outsider, signatory_name="A",
                                        signatory_title="B", authority="C")
        with pytest.raises(ValidationError):
            services.endorsement_withdraw(user=signer, endorsement=endorsement, reason="")
        services.endorsement_withdraw(user=signer, endorsement=endorsement, reason="New council")
        assert selectors.endorsement_count(document=document) == 0
        again = services.endorsement_create(user=signer, document=document, actor=outsider,
                                            signatory_name="B. Mayor", signatory_title="Mayor",
                                            authority="Council resolution 3/2027")
    assert selectors.endorsement_count(document=document) == 1
    assert Endorsement.objects.filter(document=document, actor=outsider).count() == 2
    assert again.version == flow["version"]
    endorsement.refresh_from_db()
    assert endorsement.withdrawn_reason == "New council" and endorsement.withdrawn_at is not None


def test_every_compiled_paragraph_cites_its_sources() -> None:
    flow = adopted_flow()
    for paragraph in Paragraph.objects.filter(version=flow["version"]):
        assert paragraph.sources.exists() or paragraph.editorial


def test_personal_data_export_and_erase_detach_the_person_keep_the_record() -> None:
    from arrival.accounts.personal_data import personal_data_providers

    provider = next(p for p in personal_data_providers() if p.key == "consultations")
    flow = adopted_flow()
    author = flow["users"][0]
    exported = provider.export(author)
    assert [c["title"] for c in exported["contributions"]] == [flow["contributions"][0].title]
    provider.erase(author, keep_content_anonymised=False)
    contribution = flow["contributions"][0]
    contribution.refresh_from_db()
    assert contribution.created_by is None and not contribution.authors.exists()
    assert not ContributionVersion.objects.filter(author=author).exists()
