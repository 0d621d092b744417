"""Every permission rule of Arrival, in one place (django-rules, checked through `user.has_perm`).

Services call `arrival.core.permissions.require(user, "<app>.<verb>_<model>", obj)`; apps below accounts
never import this module. Active site staff (`is_staff`) pass every rule below; an inactive user passes none.
Roles count only while active (`ended_at` is empty). `obj` may be an `Actor` or any record with an `actor_id`
(a Role, an Invitation, a RoleRequest…), unless a rule says otherwise.

Rules
-----
- ``actors.change_actor`` (obj: the actor) — its administrators or officers; for networks and organisations,
  which have no officers, their staff hold the same working role.
- ``actors.change_membership`` (obj: the network Actor) — the network's staff or administrators.
- ``accounts.manage_roles`` (obj: the actor) — its administrators: invite colleagues, end roles.
- ``accounts.verify_role_request`` (obj: a RoleRequest or None) — site staff only.
- ``accounts.request_role`` (obj: the actor or None) — any signed-in user.
- ``accounts.change_user`` (obj: a User) — that user themself.
- ``accounts.change_apitoken`` (obj: an ApiToken) — the token's owner.
- ``accounts.reset_second_factor`` (obj: a User) — site staff only (a person who lost device and recovery codes).
- ``frameworks.change_tag`` (obj: the tagged record or None) — any signed-in user holding at least one
  active role in any actor.

Plain helpers
-------------
- ``has_role(user, actor, kinds)`` — does the user hold an active role of one of `kinds` in `actor`?
- ``role_in(*kinds)`` — the same as a django-rules predicate, for rules that later apps add here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules

from arrival.accounts.models import Role, RoleKind


def _actor_id(obj: Any) -> int | None:
    if obj is None:
        return None
    from arrival.actors.models import Actor

    if isinstance(obj, Actor):
        return obj.pk
    return getattr(obj, "actor_id", None)


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def has_role(user: Any, actor: Any, kinds: Iterable[str] | None = None) -> bool:
    """True if `user` holds an active role of one of `kinds` (any kind when None) in `actor`."""
    actor_id = _actor_id(actor)
    if actor_id is None or not _active(user):
        return False
    roles = Role.objects.filter(user_id=user.pk, actor_id=actor_id, ended_at__isnull=True)
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    return roles.exists()


def role_in(*kinds: str) -> rules.Predicate:
    """A predicate: the user holds one of `kinds` in the actor the checked object belongs to."""

    @rules.predicate(name=f"role_in({','.join(kinds)})")
    def predicate(user: Any, obj: Any) -> bool:
        return has_role(user, obj, kinds)

    return predicate


@rules.predicate
def is_site_staff(user: Any) -> bool:
    return _active(user) and bool(user.is_staff)


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return _active(user)


@rules.predicate
def holds_any_role(user: Any) -> bool:
    return _active(user) and Role.objects.filter(user_id=user.pk, ended_at__isnull=True).exists()


@rules.predicate
def is_self(user: Any, obj: Any) -> bool:
    return _active(user) and obj is not None and getattr(obj, "pk", None) == user.pk


@rules.predicate
def owns_record(user: Any, obj: Any) -> bool:
    return _active(user) and obj is not None and getattr(obj, "user_id", None) == user.pk


rules.add_perm(
    "actors.change_actor", is_site_staff | role_in(RoleKind.ADMINISTRATOR, RoleKind.OFFICER, RoleKind.STAFF)
)
rules.add_perm("actors.change_membership", is_site_staff | role_in(RoleKind.STAFF, RoleKind.ADMINISTRATOR))
rules.add_perm("accounts.manage_roles", is_site_staff | role_in(RoleKind.ADMINISTRATOR))
rules.add_perm("accounts.verify_role_request", is_site_staff)
rules.add_perm("accounts.request_role", is_signed_in)
rules.add_perm("accounts.change_user", is_site_staff | is_self)
rules.add_perm("accounts.change_apitoken", is_site_staff | owns_record)
rules.add_perm("accounts.reset_second_factor", is_site_staff)
rules.add_perm("frameworks.change_tag", is_site_staff | holds_any_role)


# --- Assessments (issue 3) ------------------------------------------------------------------------------
# `obj` is an Assessment, or a record that has an `assessment` (an Answer: attachments are checked on the
# answer). Accounts must not import assessments (DESIGN.md), so the objects are read by their attributes.
# Site staff pass `view_assessment` and `change_assessment` (curation); they do not validate, comment in a
# consultation or publish for a city — those acts need a role of the right kind.
#
# - ``assessments.open_assessment`` (obj: the government Actor) — its officers and administrators.
# - ``assessments.change_assessment`` (obj: Assessment or Answer) — the government's officers and administrators.
# - ``assessments.change_answer`` (obj: Answer or Assessment) — the same people, while the assessment is a
#   draft or has changes requested (guards evidence attachments).
# - ``assessments.publish_assessment`` (obj: Assessment) — the government's officers and administrators.
# - ``assessments.validate_assessment`` (obj: Assessment) — when the city named validators (issue 12): a
#   validating role in one of them — reviewer, officer or administrator of a local government, staff or reviewer
#   of a network or an organisation. An assessment that names none (submitted before validators were named):
#   a reviewer, officer or administrator of ANOTHER local government, or staff or reviewer of a network.
#   Never anyone holding a role in the assessed government.
# - ``assessments.comment_assessment`` (obj: Assessment) — a role in an organisation the city invited, while
#   the consultation is open.
# - ``assessments.view_assessment`` (obj: Assessment or Answer) — published: everyone; otherwise the team,
#   its validators, invited organisations, eligible validators once submitted, and site staff.

_TEAM_KINDS = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)
_EDITABLE_STATUSES = ("draft", "changes_requested")


def _assessment_of(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "government_id") and hasattr(obj, "cycle"):
        return obj
    return getattr(obj, "assessment", None)


def _active_roles(user: Any) -> Any:
    return Role.objects.filter(user_id=user.pk, ended_at__isnull=True)


def _in_team(user: Any, assessment: Any, kinds: Iterable[str] | None = _TEAM_KINDS) -> bool:
    if assessment is None or not _active(user):
        return False
    roles = _active_roles(user).filter(actor_id=assessment.government_id)
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    return roles.exists()


@rules.predicate
def is_assessment_team(user: Any, obj: Any) -> bool:
    return _in_team(user, _assessment_of(obj))


@rules.predicate
def is_assessment_team_while_editable(user: Any, obj: Any) -> bool:
    assessment = _assessment_of(obj)
    return assessment is not None and assessment.status in _EDITABLE_STATUSES and _in_team(user, assessment)


@rules.predicate
def is_eligible_validator(user: Any, obj: Any) -> bool:
    """A validating role in a validator the city named; with none named, a role in another local government
    (reviewer, officer, administrator) or a network (staff, reviewer)."""
    from django.db.models import Q

    from arrival.actors.models import ActorKind

    assessment = _assessment_of(obj)
    if assessment is None or not _active(user) or _in_team(user, assessment, kinds=None):
        return False
    roles = _active_roles(user).exclude(actor_id=assessment.government_id)
    local = Q(actor__kind=ActorKind.LOCAL_GOVERNMENT,
              kind__in=[RoleKind.REVIEWER, RoleKind.OFFICER, RoleKind.ADMINISTRATOR])
    network = Q(actor__kind=ActorKind.NETWORK, kind__in=[RoleKind.STAFF, RoleKind.REVIEWER])
    named = assessment.named_validators.values("actor_id")
    if not named.exists():
        return roles.filter(local | network).exists()
    organisation = Q(actor__kind=ActorKind.ORGANISATION, kind__in=[RoleKind.STAFF, RoleKind.REVIEWER])
    return roles.filter(local | network | organisation, actor_id__in=named).exists()


@rules.predicate
def is_invited_commenter(user: Any, obj: Any) -> bool:
    assessment = _assessment_of(obj)
    if assessment is None or not assessment.consultation_open or not _active(user):
        return False
    invited = assessment.consultation_invitations.values("organisation_id")
    return _active_roles(user).filter(actor_id__in=invited).exists()


@rules.predicate
def may_view_assessment(user: Any, obj: Any) -> bool:
    assessment = _assessment_of(obj)
    if assessment is None:
        return False
    if assessment.status == "published":
        return True
    if not _active(user):
        return False
    if user.is_staff or _in_team(user, assessment, kinds=None):
        return True
    if assessment.validations.filter(validator_id=user.pk).exists():
        return True
    invited = assessment.consultation_invitations.values("organisation_id")
    if _active_roles(user).filter(actor_id__in=invited).exists():
        return True
    return assessment.status == "submitted" and is_eligible_validator(user, assessment)


rules.add_perm("assessments.open_assessment", role_in(*_TEAM_KINDS))
rules.add_perm("assessments.change_assessment", is_site_staff | is_assessment_team)
rules.add_perm("assessments.change_answer", is_assessment_team_while_editable)
rules.add_perm("assessments.publish_assessment", is_assessment_team)
rules.add_perm("assessments.validate_assessment", is_eligible_validator)
rules.add_perm("assessments.comment_assessment", is_invited_commenter)
rules.add_perm("assessments.view_assessment", may_view_assessment)


# --- Practices (issue 4) --------------------------------------------------------------------------------
# `obj` is a Practice (read by its attributes: `governments`, `stage`, `review_assignments`), a
# ReviewAssignment (`reviewer_id`, `practice`), or an Actor where the rule says so. A practice's team is the
# officers and administrators of the governments behind it.
#
# - ``practices.add_practice`` (obj: the government Actor) — its officers and administrators.
# - ``practices.change_practice`` (obj: Practice) — its team, while it is a draft or a revision is requested.
#   Site staff do not edit a city's practice; they curate it.
# - ``practices.curate_practice`` (obj: Practice or None) — site staff, or staff of a network or organisation
#   who hold no role in a government behind the practice (screening, assigning reviewers, deciding).
# - ``practices.add_callforpractices`` (obj: the owner Actor, a network or organisation) — site staff, or
#   the owner's staff and administrators.
# - ``practices.review_practice`` (obj: ReviewAssignment) — the assigned reviewer, never someone holding a
#   role in a government behind the practice.
# - ``practices.view_practice`` (obj: Practice) — published: everyone; otherwise its team (any role in its
#   governments), curators and the reviewers assigned to it.
# - ``practices.record_adaptation`` (obj: Practice) — its team, while it is editable or once it is published:
#   which practice it adapted is a fact the team may record after publication (not while curators and
#   reviewers are reading it).
# - ``practices.translate_practice`` (obj: Practice) — its team, while it is editable or once it is published:
#   translations add readers without changing what was reviewed.

_PRACTICE_TEAM_KINDS = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)
_PRACTICE_EDITABLE = ("draft", "revision_requested")


def _practice_government_ids(practice: Any) -> list[int]:
    if practice is None or getattr(practice, "pk", None) is None:
        return []
    return list(practice.governments.values_list("pk", flat=True))


def _in_practice_team(user: Any, practice: Any, kinds: Iterable[str] | None = _PRACTICE_TEAM_KINDS) -> bool:
    if not _active(user):
        return False
    roles = _active_roles(user).filter(actor_id__in=_practice_government_ids(practice))
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    return roles.exists()


def _is_network_curator(user: Any) -> bool:
    from arrival.actors.models import ActorKind

    return _active(user) and _active_roles(user).filter(
        kind=RoleKind.STAFF, actor__kind__in=[ActorKind.NETWORK, ActorKind.ORGANISATION]
    ).exists()


@rules.predicate
def is_practice_team_while_editable(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "stage", None) in _PRACTICE_EDITABLE and _in_practice_team(user, obj)


@rules.predicate
def is_practice_team_while_editable_or_published(user: Any, obj: Any) -> bool:
    stages = (*_PRACTICE_EDITABLE, "published")
    return obj is not None and getattr(obj, "stage", None) in stages and _in_practice_team(user, obj)


@rules.predicate
def is_practice_curator(user: Any, obj: Any) -> bool:
    if not _is_network_curator(user):
        return False
    return obj is None or not _in_practice_team(user, obj, kinds=None)


@rules.predicate
def is_assigned_practice_reviewer(user: Any, obj: Any) -> bool:
    if obj is None or not _active(user) or getattr(obj, "reviewer_id", None) != user.pk:
        return False
    return not _in_practice_team(user, obj.practice, kinds=None)


@rules.predicate
def may_view_practice(user: Any, obj: Any) -> bool:
    if obj is None:
        return False
    if getattr(obj, "stage", None) == "published":
        return True
    if not _active(user):
        return False
    if user.is_staff or _in_practice_team(user, obj, kinds=None) or is_practice_curator(user, obj):
        return True
    return obj.review_assignments.filter(reviewer_id=user.pk).exclude(status="declined").exists()


rules.add_perm("practices.add_practice", role_in(*_PRACTICE_TEAM_KINDS))
rules.add_perm("practices.change_practice", is_practice_team_while_editable)
rules.add_perm("practices.curate_practice", is_site_staff | is_practice_curator)
rules.add_perm("practices.add_callforpractices", is_site_staff | role_in(RoleKind.STAFF, RoleKind.ADMINISTRATOR))
rules.add_perm("practices.review_practice", is_assigned_practice_reviewer)
rules.add_perm("practices.view_practice", may_view_practice)
rules.add_perm("practices.record_adaptation", is_practice_team_while_editable_or_published)
rules.add_perm("practices.translate_practice", is_practice_team_while_editable_or_published)


# --- engagement rules (processes, comments, moderation, notifications) ---
# `obj` is a Process, or the owner Actor when a process is being created. A process's people are its
# owner's administrators, officers and staff (an Actor of any kind; networks have staff, governments officers).
#
# - ``engagement.change_process`` (obj: Process or owner Actor) — the owner's administrators, officers and
#   staff; site staff.
# - ``engagement.moderate_process`` (obj: Process, or None for a record outside any process) — the same
#   people as change_process; without a process, site staff only.
# - ``engagement.add_comment`` (obj: None or the target) — any signed-in active user (guests included).
# - ``engagement.add_report`` (obj: None or the target) — any signed-in active user.
# - ``engagement.remove_comment`` (obj: Comment) — its author.

_PROCESS_KINDS = (RoleKind.ADMINISTRATOR, RoleKind.OFFICER, RoleKind.STAFF)


def _process_owner(obj: Any) -> Any:
    from arrival.actors.models import Actor

    if obj is None or isinstance(obj, Actor):
        return obj
    owner_id = getattr(obj, "owner_id", None)
    return Actor(pk=owner_id) if owner_id is not None else None


@rules.predicate
def is_process_team(user: Any, obj: Any) -> bool:
    owner = _process_owner(obj)
    return owner is not None and has_role(user, owner, _PROCESS_KINDS)


@rules.predicate
def is_comment_author(user: Any, obj: Any) -> bool:
    return _active(user) and obj is not None and getattr(obj, "author_id", None) == user.pk


rules.add_perm("engagement.change_process", is_site_staff | is_process_team)
rules.add_perm("engagement.moderate_process", is_site_staff | is_process_team)
rules.add_perm("engagement.add_comment", is_signed_in)
rules.add_perm("engagement.add_report", is_signed_in)
rules.add_perm("engagement.remove_comment", is_comment_author)



# --- consultations rules ---
# Accounts must not import consultations: records are read by their attributes. Who may contribute at all
# (open / members of named networks / invited governments) and what the current phase allows are checked by
# the consultations services (`arrival.consultations.selectors.consultation_admits`, engagement's phase gate).
#
# - ``consultations.add_consultation`` (obj: the owner Actor — network, organisation or national government) —
#   its administrators, officers or staff; site staff.
# - ``consultations.change_consultation`` (obj: Consultation, OutcomeDocument, DocumentVersion or Endorsement's
#   document) — the owner's administrators, officers or staff; site staff. They compile, rewrite and adopt drafts.
# - ``consultations.add_contribution`` (obj: the contributing Actor) — its officers, administrators or staff.
# - ``consultations.change_contribution`` (obj: Contribution) — the contributing actor's officers,
#   administrators or staff (also guards tags and evidence attachments).
# - ``consultations.view_contribution`` (obj: Contribution) — everyone while visible; hidden or removed ones only
#   the contributing team and site staff.
# - ``consultations.cosign_contribution`` (obj: the co-signing Actor) — its officers, administrators or staff.
# - ``consultations.add_endorsement`` (obj: the endorsing Actor) — anyone holding an active role in it.
# - ``consultations.withdraw_endorsement`` (obj: Endorsement) — anyone holding an active role in its actor.

_CONSULTATION_TEAM = (RoleKind.ADMINISTRATOR, RoleKind.OFFICER, RoleKind.STAFF)


def _consultation_owner_id(obj: Any) -> int | None:
    for path in (("process",), ("consultation", "process"), ("document", "consultation", "process")):
        current = obj
        for name in path:
            current = getattr(current, name, None)
            if current is None:
                break
        if current is not None and hasattr(current, "owner_id"):
            return current.owner_id
    return None


@rules.predicate
def is_consultation_owner_team(user: Any, obj: Any) -> bool:
    owner_id = _consultation_owner_id(obj) if obj is not None else None
    return owner_id is not None and _active(user) and _active_roles(user).filter(
        actor_id=owner_id, kind__in=_CONSULTATION_TEAM).exists()


@rules.predicate
def is_visible_contribution(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "visibility", "visible") == "visible"


rules.add_perm("consultations.add_consultation", is_site_staff | role_in(*_CONSULTATION_TEAM))
rules.add_perm("consultations.change_consultation", is_site_staff | is_consultation_owner_team)
rules.add_perm("consultations.add_contribution", role_in(*_CONSULTATION_TEAM))
rules.add_perm("consultations.change_contribution", role_in(*_CONSULTATION_TEAM))
rules.add_perm("consultations.view_contribution",
               is_visible_contribution | is_site_staff | role_in(*_CONSULTATION_TEAM))
rules.add_perm("consultations.cosign_contribution", role_in(*_CONSULTATION_TEAM))
rules.add_perm("consultations.add_endorsement", role_in(*RoleKind.values))
rules.add_perm("consultations.withdraw_endorsement", role_in(*RoleKind.values))


# --- commitments rules ---
# `obj` is a Commitment (read by its attributes: `lead_id`, `status`, `partners`), or a record that has a
# `commitment` (Milestone, CommitmentIndicator, ProgressUpdate, ForumReport). The lead's team is the people
# holding an officer, administrator or staff role in the lead actor (officers in governments, staff in
# networks: each actor kind only has the roles that fit it).
#
# - ``commitments.add_commitment`` (obj: the lead Actor, a government or network) — its team.
# - ``commitments.change_commitment`` (obj: Commitment) — its team, while it is a draft (also guards tags).
# - ``commitments.approve_commitment`` (obj: Commitment) — the lead's administrators (internal approval,
#   and sending a commitment in approval back to draft).
# - ``commitments.submit_commitment`` (obj: Commitment) — its team (for approval, and once approved).
# - ``commitments.publish_commitment`` (obj: Commitment) — site staff, or staff/administrators of a network the
#   lead is a current member of or of the owner of the consultation it came from; never someone holding a role
#   in the lead itself (a second pair of eyes). They may also send a submitted commitment back to draft.
# - ``commitments.report_commitment`` (obj: Commitment) — its team, once published: progress updates,
#   milestones, indicators' latest values, reports to forums, closing.
# - ``commitments.change_progressupdate`` (obj: ProgressUpdate) — the team, while the update is unpublished
#   (guards evidence attachments: a published update is never changed).
# - ``commitments.view_commitment`` (obj: Commitment or a record of it) — published or closed: everyone;
#   otherwise anyone with a role in the lead or a partner, its eligible publishers once submitted, site staff.
# - ``commitments.manage_calendar`` (obj: a Forum or None) — site staff, or staff/administrators of any
#   network or organisation (they keep the forums' submission windows up to date).

_COMMITMENT_TEAM_KINDS = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR, RoleKind.STAFF)


def _commitment_of(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "lead_id") and hasattr(obj, "public_id"):
        return obj
    return getattr(obj, "commitment", None)


def _in_commitment_lead(user: Any, commitment: Any, kinds: Iterable[str] | None = _COMMITMENT_TEAM_KINDS) -> bool:
    if commitment is None or not _active(user):
        return False
    roles = _active_roles(user).filter(actor_id=commitment.lead_id)
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    return roles.exists()


def _lead_network_ids(commitment: Any) -> list[int]:
    from django.db.models import Q
    from django.utils import timezone

    from arrival.actors.models import ActorKind, Membership

    today = timezone.localdate()
    return list(
        Membership.objects.filter(member_id=commitment.lead_id, network__kind=ActorKind.NETWORK)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values_list("network_id", flat=True)
    )


@rules.predicate
def is_commitment_team(user: Any, obj: Any) -> bool:
    return _in_commitment_lead(user, _commitment_of(obj))


@rules.predicate
def is_commitment_team_while_draft(user: Any, obj: Any) -> bool:
    commitment = _commitment_of(obj)
    return commitment is not None and commitment.status == "draft" and _in_commitment_lead(user, commitment)


@rules.predicate
def is_commitment_administrator(user: Any, obj: Any) -> bool:
    return _in_commitment_lead(user, _commitment_of(obj), kinds=[RoleKind.ADMINISTRATOR])


@rules.predicate
def is_commitment_team_once_public(user: Any, obj: Any) -> bool:
    commitment = _commitment_of(obj)
    return commitment is not None and commitment.status == "published" and _in_commitment_lead(user, commitment)


@rules.predicate
def is_commitment_publisher(user: Any, obj: Any) -> bool:
    commitment = _commitment_of(obj)
    if commitment is None or not _active(user) or _in_commitment_lead(user, commitment, kinds=None):
        return False
    if user.is_staff:
        return True
    publishers = _lead_network_ids(commitment)
    if getattr(commitment, "consultation_id", None):
        publishers.append(commitment.consultation.process.owner_id)
    return _active_roles(user).filter(
        actor_id__in=publishers, kind__in=[RoleKind.STAFF, RoleKind.ADMINISTRATOR]
    ).exists()


@rules.predicate
def is_update_team_while_unpublished(user: Any, obj: Any) -> bool:
    if obj is None or getattr(obj, "published_at", None) is not None:
        return False
    return is_commitment_team_once_public(user, obj)


@rules.predicate
def may_view_commitment(user: Any, obj: Any) -> bool:
    commitment = _commitment_of(obj)
    if commitment is None:
        return False
    if commitment.status in ("published", "closed"):
        return True
    if not _active(user):
        return False
    if user.is_staff or _in_commitment_lead(user, commitment, kinds=None):
        return True
    partner_ids = list(commitment.partners.values_list("pk", flat=True)) if commitment.pk else []
    if partner_ids and _active_roles(user).filter(actor_id__in=partner_ids).exists():
        return True
    return commitment.status == "submitted" and is_commitment_publisher(user, commitment)


@rules.predicate
def is_calendar_keeper(user: Any) -> bool:
    from arrival.actors.models import ActorKind

    return _active(user) and _active_roles(user).filter(
        kind__in=[RoleKind.STAFF, RoleKind.ADMINISTRATOR], actor__kind__in=[ActorKind.NETWORK, ActorKind.ORGANISATION]
    ).exists()


rules.add_perm("commitments.add_commitment", role_in(*_COMMITMENT_TEAM_KINDS))
rules.add_perm("commitments.change_commitment", is_commitment_team_while_draft)
rules.add_perm("commitments.approve_commitment", is_commitment_administrator)
rules.add_perm("commitments.submit_commitment", is_commitment_team)
rules.add_perm("commitments.publish_commitment", is_commitment_publisher)
rules.add_perm("commitments.report_commitment", is_commitment_team_once_public)
rules.add_perm("commitments.change_progressupdate", is_update_team_while_unpublished)
rules.add_perm("commitments.view_commitment", may_view_commitment)
rules.add_perm("commitments.manage_calendar", is_site_staff | is_calendar_keeper)


# --- participation rules ---
# `obj` is a ParticipationProcess (`owner_id`, `access`, `invited_groups`), a Proposal (`process`, `author_id`,
# `visibility`) or the owner Actor where the rule says so. The city's team is the owner's administrators,
# officers and staff (the same people engagement lets change and moderate the process).
#
# - ``participation.add_participationprocess`` (obj: the local government Actor) — its team, site staff.
# - ``participation.change_participationprocess`` (obj: ParticipationProcess, or a Proposal for answers and
#   translations) — the owner's team, site staff.
# - ``participation.take_part`` (obj: ParticipationProcess) — any signed-in active user (guests included) when
#   access is open; when it is limited to invited groups, their members and the city's team.
# - ``participation.change_proposal`` (obj: Proposal) — its author, while it is visible (guards images too).
# - ``participation.view_proposal`` (obj: Proposal) — everyone while visible; hidden ones stay readable by
#   their author and the city's team (the page shows a notice to everyone else).

_PARTICIPATION_TEAM = (RoleKind.ADMINISTRATOR, RoleKind.OFFICER, RoleKind.STAFF)


def _participation_process(obj: Any) -> Any:
    if obj is None:
        return None
    return getattr(obj, "process", None) if hasattr(obj, "author_id") else obj


def _participation_team(user: Any, obj: Any) -> bool:
    process = _participation_process(obj)
    owner_id = getattr(process, "owner_id", None)
    return owner_id is not None and _active(user) and _active_roles(user).filter(
        actor_id=owner_id, kind__in=list(_PARTICIPATION_TEAM)).exists()


@rules.predicate
def is_participation_team(user: Any, obj: Any) -> bool:
    return _participation_team(user, obj)


@rules.predicate
def may_take_part(user: Any, obj: Any) -> bool:
    process = _participation_process(obj)
    if process is None or not _active(user):
        return False
    if getattr(process, "access", "open") == "open":
        return True
    return process.invited_groups.filter(members=user.pk).exists() or _participation_team(user, process)


@rules.predicate
def is_proposal_author(user: Any, obj: Any) -> bool:
    return (_active(user) and obj is not None and getattr(obj, "author_id", None) == user.pk
            and getattr(obj, "visibility", "visible") == "visible")


@rules.predicate
def may_view_proposal(user: Any, obj: Any) -> bool:
    if obj is None:
        return False
    if getattr(obj, "visibility", "visible") == "visible":
        return True
    return _active(user) and (bool(user.is_staff) or getattr(obj, "author_id", None) == user.pk
                              or _participation_team(user, obj))


rules.add_perm("participation.add_participationprocess", is_site_staff | role_in(*_PARTICIPATION_TEAM))
rules.add_perm("participation.change_participationprocess", is_site_staff | is_participation_team)
rules.add_perm("participation.take_part", may_take_part)
rules.add_perm("participation.change_proposal", is_proposal_author)
rules.add_perm("participation.view_proposal", may_view_proposal)



# --- planning rules ---
# `obj` is an IntakeRound, or a record of a round (Declaration, RoundLocality, Plan, Allocation, LocalityResponse,
# Case — read by their attributes `round`/`plan` and `actor_id`), or the national government Actor for
# ``add_intakeround``. A round's planners hold the role "planner" in its national government; a locality's team
# is the officers and administrators of a participating local or regional government.
#
# - ``planning.add_intakeround`` (obj: the national government Actor) — its planners; site staff.
# - ``planning.change_intakeround`` (obj: round or a record of it) — the round's planners; site staff.
# - ``planning.view_intakeround`` (obj: round) — the planners and site staff; once opened, any role in a
#   participating government.
# - ``planning.view_case`` (obj: round or Case) — the round's planners ONLY (DESIGN.md rules 1 and 3; site
#   staff do not read case data).
# - ``planning.declare_declaration`` (obj: Declaration or RoundLocality) — that locality's officers and
#   administrators (deadline and status are checked by the service).
# - ``planning.view_declaration`` (obj: Declaration or RoundLocality) — that locality's people (any role), the
#   round's planners, site staff.
# - ``planning.respond_plan`` (obj: RoundLocality) — that locality's officers and administrators (and so they
#   answer back in their own objection threads).
# - ``planning.view_objection`` (obj: LocalityResponse) — an objection's thread: the round's planners, site staff,
#   and that locality's people only (a locality never reads another's thread). Planners reply with
#   ``planning.change_intakeround``.

_LOCALITY_TEAM = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)


def _intake_round_of(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "government_id") and hasattr(obj, "key_name"):
        return obj
    if getattr(obj, "round_id", None) is not None:
        return obj.round
    plan = getattr(obj, "plan", None)
    return getattr(plan, "round", None) if plan is not None else None


def _is_round_planner(user: Any, obj: Any) -> bool:
    intake_round = _intake_round_of(obj)
    return intake_round is not None and has_role(user, _ActorRef(intake_round.government_id), [RoleKind.PLANNER])


class _ActorRef:
    """Stands for an actor by its id, for `has_role` (which reads `actor_id`)."""

    def __init__(self, actor_id: int) -> None:
        self.actor_id = actor_id


@rules.predicate
def is_round_planner(user: Any, obj: Any) -> bool:
    return _is_round_planner(user, obj)


@rules.predicate
def is_round_participant(user: Any, obj: Any) -> bool:
    intake_round = _intake_round_of(obj)
    if intake_round is None or intake_round.status == "draft" or not _active(user):
        return False
    actor_ids = intake_round.localities.values("actor_id")
    return _active_roles(user).filter(actor_id__in=actor_ids).exists()


@rules.predicate
def is_locality_member(user: Any, obj: Any) -> bool:
    return getattr(obj, "actor_id", None) is not None and has_role(user, obj, None)


rules.add_perm("planning.add_intakeround", is_site_staff | role_in(RoleKind.PLANNER))
rules.add_perm("planning.change_intakeround", is_site_staff | is_round_planner)
rules.add_perm("planning.view_intakeround", is_site_staff | is_round_planner | is_round_participant)
rules.add_perm("planning.view_case", is_round_planner)
rules.add_perm("planning.declare_declaration", role_in(*_LOCALITY_TEAM))
rules.add_perm("planning.view_declaration", is_site_staff | is_round_planner | is_locality_member)
rules.add_perm("planning.respond_plan", role_in(*_LOCALITY_TEAM))
rules.add_perm("planning.view_objection", is_site_staff | is_round_planner | is_locality_member)
