"""Phase gates, role permissions and access rules (open / members of named networks / invited)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arrival.accounts.models import RoleKind
from arrival.consultations import services
from arrival.consultations.models import Access
from tests.accounts.factories import UserFactory
from tests.consultations.factories import (
    ADOPTION,
    BEFORE,
    CALL,
    CLOSED,
    COMMENTS,
    ENDORSEMENT,
    SYNTHESIS,
    adopted_flow,
    at,
    city,
    consultation,
    contribute,
    member_of,
    network,
    person,
)


def _create(cons, actor, user):  # noqa: ANN001, ANN202
    return services.contribution_create(user=user, consultation=cons, actor=actor, title="T", summary="S")


@pytest.mark.parametrize("moment", [BEFORE, SYNTHESIS, COMMENTS, ADOPTION, ENDORSEMENT, CLOSED])
def test_contributions_only_during_the_call_for_input(moment) -> None:  # noqa: ANN001
    cons = consultation()
    town = city()
    officer = person(town)
    with at(moment), pytest.raises(ValidationError):
        _create(cons, town, officer)
    with at(CALL):
        assert _create(cons, town, officer).pk


def test_synthesis_adoption_and_endorsement_wait_for_their_phase() -> None:
    cons = consultation()
    town = city()
    contribute(cons, town, person(town))
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(CALL), pytest.raises(ValidationError, match="Call for input"):
        services.outcome_draft_compile(user=staff, consultation=cons)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
        with pytest.raises(ValidationError):
            services.document_adopt(user=staff, document=version.document, version=version)
    signer = person(town, RoleKind.ADMINISTRATOR)
    with at(ADOPTION):
        with pytest.raises(ValidationError):
            services.endorsement_create(user=signer, document=version.document, actor=town, signatory_name="N",
                                        signatory_title="T", authority="A")
        services.document_adopt(user=staff, document=version.document, version=version)
    with at(CLOSED), pytest.raises(ValidationError):
        services.endorsement_create(user=signer, document=version.document, actor=town, signatory_name="N",
                                    signatory_title="T", authority="A")


def test_only_the_team_contributes_changes_and_cosigns() -> None:
    cons = consultation()
    town, other = city(), city()
    officer, stranger = person(town), person(other)
    reviewer = person(town, RoleKind.REVIEWER)
    with at(CALL):
        with pytest.raises(PermissionDenied):
            _create(cons, town, stranger)
        with pytest.raises(PermissionDenied):
            _create(cons, town, reviewer)
        with pytest.raises(PermissionDenied):
            _create(cons, town, UserFactory())
        contribution = _create(cons, town, officer)
        with pytest.raises(PermissionDenied):
            services.contribution_update(user=stranger, contribution=contribution, title="Hijack")
        with pytest.raises(PermissionDenied):
            services.contribution_withdraw(user=stranger, contribution=contribution)
        with pytest.raises(PermissionDenied):
            services.contribution_cosign(user=stranger, contribution=contribution, actor=town)


def test_only_the_owner_team_compiles_rewrites_and_adopts() -> None:
    cons = consultation()
    town = city()
    officer = person(town)
    contribute(cons, town, officer)
    with at(SYNTHESIS), pytest.raises(PermissionDenied):
        services.outcome_draft_compile(user=officer, consultation=cons)
    other_network_staff = person(network("Other Net"), RoleKind.STAFF)
    with at(SYNTHESIS), pytest.raises(PermissionDenied):
        services.outcome_draft_compile(user=other_network_staff, consultation=cons)
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    with at(ADOPTION), pytest.raises(PermissionDenied):
        services.document_adopt(user=officer, document=version.document, version=version)


def test_only_someone_holding_a_role_endorses_for_a_government() -> None:
    flow = adopted_flow()
    town = city("Endorsing Town")
    stranger = person(city())
    with at(ENDORSEMENT):
        with pytest.raises(PermissionDenied):
            services.endorsement_create(user=stranger, document=flow["document"], actor=town,
                                        signatory_name="N", signatory_title="T", authority="A")
        endorsement = services.endorsement_create(user=person(town, RoleKind.REVIEWER), document=flow["document"],
                                                  actor=town, signatory_name="N", signatory_title="T", authority="A")
        with pytest.raises(PermissionDenied):
            services.endorsement_withdraw(user=stranger, endorsement=endorsement, reason="no")


def test_network_only_consultation_admits_members_and_the_network() -> None:
    net = network("Regional Net")
    member, outsider = city("Member"), city("Outsider")
    member_of(member, net)
    cons = consultation(access=Access.NETWORKS, access_networks=[net])
    with at(CALL):
        assert _create(cons, member, person(member)).pk
        assert _create(cons, net, person(net, RoleKind.STAFF)).pk
        with pytest.raises(PermissionDenied, match="not among those"):
            _create(cons, outsider, person(outsider))
    assert cons.contributions.count() == 2


def test_invited_consultation_admits_only_invited_governments() -> None:
    guest, other = city("Guest"), city("Other")
    cons = consultation(access=Access.INVITED, invited=[guest])
    contribution = None
    with at(CALL):
        contribution = _create(cons, guest, person(guest))
        with pytest.raises(PermissionDenied):
            _create(cons, other, person(other))
        with pytest.raises(PermissionDenied):
            services.contribution_cosign(user=person(other), contribution=contribution, actor=other)


def test_access_rules_need_their_lists() -> None:
    with pytest.raises(ValidationError):
        consultation(access=Access.NETWORKS)
    with pytest.raises(ValidationError):
        consultation(access=Access.INVITED)


def test_a_contribution_hidden_by_a_moderator_leaves_public_lists() -> None:
    from django.http import Http404

    from arrival.consultations import selectors
    from arrival.engagement.services import moderation_decide, report_create

    cons = consultation()
    town = city()
    officer = person(town)
    contribution = contribute(cons, town, officer)
    moderator = person(cons.process.owner, RoleKind.STAFF)
    with at(CALL):
        report_create(user=person(city()), target=contribution, reason="spam", process=cons.process)
        moderation_decide(user=moderator, target=contribution, action="hide", reason="Advertising",
                          process=cons.process)
    assert list(selectors.contribution_list(consultation=cons)) == []
    with pytest.raises(Http404):
        selectors.contribution_get(pk=contribution.pk, viewer=UserFactory())
    assert selectors.contribution_get(pk=contribution.pk, viewer=officer) == contribution
    with at(CALL), pytest.raises(ValidationError):
        services.contribution_update(user=officer, contribution=contribution, title="Back")


def test_only_admitted_participants_comment_on_a_restricted_consultation() -> None:
    from arrival.engagement.services import comment_create

    net = network("Regional Net")
    member, outsider = city("Member"), city("Outsider")
    member_of(member, net)
    cons = consultation(access=Access.NETWORKS, access_networks=[net])
    contribution = contribute(cons, member, person(member))
    with at(CALL):
        comment = comment_create(user=person(member), target=contribution, body="We support this.",
                                 process=cons.process)
        assert comment.pk
        for stranger in (person(outsider), UserFactory()):
            with pytest.raises(PermissionDenied, match="admits"):
                comment_create(user=stranger, target=contribution, body="Let me in.", process=cons.process)
    assert contribution and cons.process.comments.count() == 1
