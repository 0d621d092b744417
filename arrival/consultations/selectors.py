"""Reads of consultations: forums, consultations, contributions, documents, paragraphs, endorsements.

Later apps (commitments) use `forum_list`, `forum_get`, `contribution_get`, `contribution_list_for_actor`,
`consultation_get`, `consultation_list`, `document_adopted_paragraphs` — all return querysets or plain data
with related rows fetched up front.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from arrival.accounts.models import Role
from arrival.accounts.selectors import actor_ids_for
from arrival.actors.models import GOVERNMENT_KINDS, Actor, ActorKind, Membership
from arrival.actors.selectors import current_membership_q
from arrival.consultations import phases as P
from arrival.consultations.follow_ups import FollowUp, follow_ups_made_from
from arrival.consultations.models import (
    Access,
    CommentAnswer,
    Consultation,
    Contribution,
    ContributionStatus,
    Cosignature,
    DocumentVersion,
    Endorsement,
    Forum,
    GuidingQuestion,
    OutcomeDocument,
    Paragraph,
    heading_without_number,
)
from arrival.consultations.phases import PHASE_ORDER, PROCESS_KIND
from arrival.core.time_zones import datetime_with_zone
from arrival.core.translations import in_language_first
from arrival.engagement.handoffs import WorkItem
from arrival.engagement.models import Comment, Phase, Visibility
from arrival.engagement.selectors import phase_allows, phase_current
from arrival.frameworks.models import FrameworkKind, Tag

CONTRIBUTOR_KINDS = (ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT, ActorKind.NETWORK)
OWNER_KINDS = (ActorKind.NETWORK, ActorKind.ORGANISATION, ActorKind.NATIONAL_GOVERNMENT)
TEAM_ROLE_KINDS = ("administrator", "officer", "staff")


# --- Forums --------------------------------------------------------------------------------------------


def forum_list(*, kind: str | None = None) -> QuerySet[Forum]:
    """Forums and review meetings, latest first (recurring ones without a year last, on every database), each with
    `consultation_count`."""
    forums = Forum.objects.annotate(consultation_count=Count("consultations"))
    if kind:
        forums = forums.filter(kind=kind)
    return forums.order_by(F("year").desc(nulls_last=True), F("starts_on").desc(nulls_last=True), "name")


def forum_get(*, key: str | None = None, pk: int | None = None) -> Forum:
    try:
        lookup: dict[str, Any] = {"key": key} if key is not None else {"pk": pk}
        return Forum.objects.get(**lookup)
    except Forum.DoesNotExist:
        raise Http404(_("No forum at this address.")) from None


# --- Consultations --------------------------------------------------------------------------------------


def _consultations() -> QuerySet[Consultation]:
    return Consultation.objects.select_related("process__owner", "forum").prefetch_related("process__phases")


def consultation_list(*, forum: Forum | None = None, owner: Actor | None = None, phase_type: str | None = None,
                      at: datetime | None = None, reader_first: bool = False) -> QuerySet[Consultation]:
    """Consultations, newest first, with `contribution_count`; `phase_type` keeps those whose phase running at
    `at` (now when None) is of that type. `reader_first`: those written in or translated into the reader's
    language before the others (browsing pages)."""
    consultations = _consultations().annotate(
        contribution_count=Count("contributions", filter=Q(contributions__status=ContributionStatus.SUBMITTED,
                                                           contributions__visibility=Visibility.VISIBLE)))
    if forum is not None:
        consultations = consultations.filter(forum=forum)
    if owner is not None:
        consultations = consultations.filter(process__owner=owner)
    if phase_type:
        moment = at or timezone.now()
        running = Phase.objects.filter(phase_type=phase_type, starts_at__lte=moment, ends_at__gt=moment)
        consultations = consultations.filter(process__in=running.values("process"))
    if reader_first:
        consultations = in_language_first(consultations).order_by("-in_reader_language", "-created_at", "-id")
    return consultations


def consultation_get(*, slug: str | None = None, pk: int | None = None) -> Consultation:
    try:
        lookup = {"slug": slug} if slug is not None else {"pk": pk}
        return _consultations().prefetch_related("questions__objective__framework", "access_networks",
                                                 "invited").get(**lookup)
    except Consultation.DoesNotExist:
        raise Http404(_("No consultation at this address.")) from None


def consultation_owners() -> QuerySet[Actor]:
    """Actors that own at least one consultation (for the list's filter)."""
    return Actor.objects.filter(engagement_processes__kind=PROCESS_KIND).distinct().order_by("name")


def current_phase(consultation: Consultation, *, at: datetime | None = None) -> Any:
    return phase_current(process=consultation.process, at=at)


def allows(consultation: Consultation, action: str, *, at: datetime | None = None) -> bool:
    return phase_allows(process=consultation.process, action=action, at=at)


def phase_type_choices() -> list[tuple[str, str]]:
    from arrival.engagement.phases import phase_type_get

    return [(key, str(phase_type_get(key).label)) for key in PHASE_ORDER]


def consultation_admits(*, consultation: Consultation, actor: Actor) -> bool:
    """May `actor` take part (contribute, co-sign) under the consultation's access rule?"""
    if actor.kind not in CONTRIBUTOR_KINDS:
        return False
    if consultation.access == Access.OPEN:
        return True
    if consultation.access == Access.INVITED:
        return consultation.invited.filter(pk=actor.pk).exists()
    network_ids = list(consultation.access_networks.values_list("pk", flat=True))
    if actor.pk in network_ids:
        return True
    return Membership.objects.filter(current_membership_q(), member=actor, network_id__in=network_ids).exists()


def consultation_admits_user(*, consultation: Consultation, user: Any) -> bool:
    """May `user` speak in the consultation (comment on contributions and draft paragraphs)? Anyone signed in when
    it is open; otherwise its editors and people holding a role in a government or network it admits."""
    if not getattr(user, "is_authenticated", False):
        return False
    if consultation.access == Access.OPEN or user.is_staff or is_editor(user=user, consultation=consultation):
        return True
    return any(consultation_admits(consultation=consultation, actor=actor)
               for actor in Actor.objects.filter(pk__in=actor_ids_for(user)))


def comment_consultation(record: Contribution | Paragraph) -> Consultation:
    """The consultation a commented record belongs to (a contribution or a paragraph of a draft)."""
    if isinstance(record, Paragraph):
        return record.version.document.consultation
    return record.consultation


def actors_for_user(*, user: Any, consultation: Consultation | None = None) -> list[Actor]:
    """The governments and networks `user` may contribute for (and, given a consultation, that it admits)."""
    ids = actor_ids_for(user, kinds=TEAM_ROLE_KINDS)
    actors = list(Actor.objects.filter(pk__in=ids, kind__in=CONTRIBUTOR_KINDS).order_by("name"))
    if consultation is not None:
        actors = [actor for actor in actors if consultation_admits(consultation=consultation, actor=actor)]
    return actors


def question_list(*, consultation: Consultation) -> list[GuidingQuestion]:
    """The consultation's guiding questions, in order (from what `consultation_get` prefetched, if it did)."""
    return list(consultation.questions.all())


def endorsing_actors_for_user(*, user: Any) -> list[Actor]:
    """Every actor in which `user` holds an active role: those they may endorse for."""
    return list(Actor.objects.filter(pk__in=actor_ids_for(user)).order_by("name"))


def is_editor(*, user: Any, consultation: Consultation) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("consultations.change_consultation",
                                                                           consultation))


def audience_user_ids(*, consultation: Consultation) -> set[int]:
    """People to tell about a consultation: roles in the owner, in contributors, and — for a network-owned or
    network-restricted consultation — in the member governments of those networks."""
    owner = consultation.process.owner
    actor_ids: set[int] = {owner.pk}
    actor_ids.update(consultation.contributions.values_list("actor_id", flat=True))
    actor_ids.update(member_actor_ids(consultation=consultation))
    return people_in(actor_ids)


def member_actor_ids(*, consultation: Consultation) -> set[int]:
    """Members of the owner network and of the networks named in the access rule."""
    network_ids = set(consultation.access_networks.values_list("pk", flat=True))
    if consultation.process.owner.kind == ActorKind.NETWORK:
        network_ids.add(consultation.process.owner_id)
    if not network_ids:
        return set()
    return set(Membership.objects.filter(current_membership_q(), network_id__in=network_ids,
                                         member__kind__in=GOVERNMENT_KINDS).values_list("member_id", flat=True))


def people_in(actor_ids: Iterable[int], *, kinds: Iterable[str] | None = None) -> set[int]:
    """Ids of active users holding an active role (of one of `kinds`, when given) in any of `actor_ids`."""
    roles = Role.objects.filter(actor_id__in=list(actor_ids), ended_at__isnull=True)
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    users = get_user_model().objects.filter(is_active=True, pk__in=roles.values("user_id"))
    return set(users.values_list("pk", flat=True))


# --- Who is told of what (arrival/consultations/handoffs.py) ------------------------------------------------


def organiser_ids(*, consultation: Consultation) -> set[int]:
    """The organisers: people of the owner's team (administrators, officers, staff)."""
    return people_in({consultation.process.owner_id}, kinds=TEAM_ROLE_KINDS)


def contributor_people_ids(*, consultation: Consultation) -> set[int]:
    """People of the governments and networks that stand behind a contribution: contributors and co-signers."""
    contributions = Contribution.objects.filter(consultation=consultation, status=ContributionStatus.SUBMITTED,
                                                visibility=Visibility.VISIBLE)
    actor_ids = set(contributions.values_list("actor_id", flat=True)) | set(
        Cosignature.objects.filter(contribution__in=contributions).values_list("actor_id", flat=True))
    return people_in(actor_ids)


def draft_commenter_ids(*, document: OutcomeDocument) -> set[int]:
    """Authors of the visible comments on the paragraphs of any version of `document`."""
    paragraph_ids = Paragraph.objects.filter(version__document=document).values_list("pk", flat=True)
    return set(_paragraph_comments(paragraph_ids).filter(visibility=Visibility.VISIBLE, author__isnull=False)
               .values_list("author_id", flat=True))


def endorser_actor_ids(*, consultation: Consultation) -> set[int]:
    """The governments asked to endorse an adopted document: the member governments of the owner network and of the
    networks in the access rule, and the invited governments."""
    return member_actor_ids(consultation=consultation) | set(consultation.invited.values_list("pk", flat=True))


# --- My work -------------------------------------------------------------------------------------------------


def _team_actor_ids(user: Any) -> QuerySet[Any]:
    return Role.objects.filter(user_id=user.pk, ended_at__isnull=True, kind__in=TEAM_ROLE_KINDS).values("actor_id")


def _phase_now(process_ref: Any, phase_types: Iterable[str], moment: datetime) -> QuerySet[Phase]:
    return Phase.objects.filter(process_id=process_ref, phase_type__in=list(phase_types), starts_at__lte=moment,
                                ends_at__gt=moment)


def _synthesis_work(user: Any, moment: datetime) -> QuerySet[Contribution]:
    """Contributions to consultations the user organises, in synthesis, that the latest draft does not cite."""
    latest = DocumentVersion.objects.filter(document__consultation_id=OuterRef(OuterRef("consultation_id"))).order_by(
        "-number", "-pk").values("pk")[:1]
    cited = Paragraph.sources.through.objects.filter(contribution_id=OuterRef("pk"),
                                                     paragraph__version_id=Subquery(latest))
    running = _phase_now(OuterRef("consultation__process_id"), [P.SYNTHESIS], moment)
    return (Contribution.objects.filter(consultation__process__owner_id__in=_team_actor_ids(user),
                                        status=ContributionStatus.SUBMITTED, visibility=Visibility.VISIBLE)
            .filter(Exists(running)).exclude(Exists(cited)))


def synthesis_work_count(user: Any) -> QuerySet[Any] | int:
    return _synthesis_work(user, timezone.now())


def synthesis_work_items(user: Any) -> list[WorkItem]:
    moment = timezone.now()
    running = _phase_now(OuterRef("consultation__process_id"), [P.SYNTHESIS], moment)
    rows = (_synthesis_work(user, moment).select_related("consultation__process__owner", "actor")
            .annotate(phase_starts=Subquery(running.values("starts_at")[:1]),
                      phase_ends=Subquery(running.values("ends_at")[:1])).order_by("created_at", "pk"))
    return [WorkItem(kind="consultations.synthesis", action=_("Take it into the synthesis"),
                     title=f"{c.consultation.title} · {c.title}", url=c.get_absolute_url(),
                     waiting_since=max(c.created_at, c.phase_starts), deadline=c.phase_ends,
                     for_actor=c.consultation.process.owner.name) for c in rows]


_ANSWER_PHASES = (P.COMMENTS, P.ADOPTION)


def _comment_work(user: Any, moment: datetime) -> QuerySet[Comment]:
    """Comments on drafts of consultations the user organises, in the comment or adoption phase, that have no answer
    from the editors yet (the user's own comments left out)."""
    paragraphs = (Paragraph.objects.filter(version__document__consultation__process__owner_id__in=_team_actor_ids(user))
                  .filter(Exists(_phase_now(OuterRef("version__document__consultation__process_id"), _ANSWER_PHASES,
                                            moment)))
                  .annotate(key_text=Cast("pk", CharField())).values("key_text"))
    return (Comment.objects.filter(target_type=ContentType.objects.get_for_model(Paragraph), target_id__in=paragraphs,
                                   parent__isnull=True, visibility=Visibility.VISIBLE,
                                   consultations_answer__isnull=True)
            .exclude(author_id=user.pk))


def comment_work_count(user: Any) -> QuerySet[Any] | int:
    return _comment_work(user, timezone.now())


def comment_work_items(user: Any) -> list[WorkItem]:
    moment = timezone.now()
    comments = list(_comment_work(user, moment).order_by("created_at", "pk"))
    if not comments:
        return []
    paragraphs = Paragraph.objects.select_related("version__document__consultation__process__owner").in_bulk(
        [int(c.target_id) for c in comments])
    documents = {p.version.document_id for p in paragraphs.values()}
    latest: dict[tuple[int, str], int] = {}
    for document_id, key, number in Paragraph.objects.filter(
            version__document_id__in=documents, key__in={p.key for p in paragraphs.values()}).values_list(
            "version__document_id", "key", "version__number"):
        latest[(document_id, key)] = max(number, latest.get((document_id, key), 0))
    ends = dict(Phase.objects.filter(
        process_id__in={p.version.document.consultation.process_id for p in paragraphs.values()},
        phase_type__in=_ANSWER_PHASES, starts_at__lte=moment, ends_at__gt=moment).values_list("process_id", "ends_at"))
    items = []
    for comment in comments:
        paragraph = paragraphs[int(comment.target_id)]
        document = paragraph.version.document
        number = latest.get((document.pk, paragraph.key), paragraph.version.number)
        url = reverse("consultations:version_detail", args=[document.pk, number]) + f"#answer-{comment.pk}"
        title = _("%(document)s · paragraph %(number)d (version %(version)d)") % {
            "document": document.title, "number": paragraph.position, "version": paragraph.version.number}
        items.append(WorkItem(kind="consultations.comments",
                              action=_("Answer the comment: taken in, partly or declined"), title=title, url=url,
                              waiting_since=comment.created_at,
                              deadline=ends.get(document.consultation.process_id),
                              for_actor=document.consultation.process.owner.name))
    return items


def _invitation_work(user: Any, moment: datetime) -> QuerySet[Any]:
    """Invitations of the user's governments to consultations whose call for input runs, that they have not
    answered yet (no contribution of theirs, no co-signature)."""
    invitations = Consultation.invited.through.objects
    contributed = Contribution.objects.filter(consultation_id=OuterRef("consultation_id"), actor_id=OuterRef("actor_id"),
                                              status=ContributionStatus.SUBMITTED)
    cosigned = Cosignature.objects.filter(contribution__consultation_id=OuterRef("consultation_id"),
                                          actor_id=OuterRef("actor_id"))
    return (invitations.filter(actor_id__in=_team_actor_ids(user), consultation__access=Access.INVITED)
            .filter(Exists(_phase_now(OuterRef("consultation__process_id"), [P.CALL_FOR_INPUT], moment)))
            .exclude(Exists(contributed)).exclude(Exists(cosigned)))


def invitation_work_count(user: Any) -> QuerySet[Any] | int:
    return _invitation_work(user, timezone.now())


def invitation_work_items(user: Any) -> list[WorkItem]:
    moment = timezone.now()
    running = _phase_now(OuterRef("consultation__process_id"), [P.CALL_FOR_INPUT], moment)
    rows = (_invitation_work(user, moment).select_related("consultation", "actor")
            .annotate(phase_starts=Subquery(running.values("starts_at")[:1]),
                      phase_ends=Subquery(running.values("ends_at")[:1])).order_by("phase_ends", "pk"))
    return [WorkItem(kind="consultations.contribute",
                     action=_("Contribute before %(deadline)s") % {"deadline": datetime_with_zone(row.phase_ends)},
                     title=row.consultation.title, url=row.consultation.get_absolute_url(),
                     waiting_since=max(row.phase_starts, row.consultation.created_at), deadline=row.phase_ends,
                     for_actor=row.actor.name) for row in rows]


def consultation_actor_ids() -> QuerySet[Any]:
    """Governments with contributions or endorsements (for the home map's record providers)."""
    contributing = Contribution.objects.filter(visibility=Visibility.VISIBLE).order_by().values_list(
        "actor_id", flat=True)
    endorsing = Endorsement.objects.filter(withdrawn_at__isnull=True).order_by().values_list("actor_id", flat=True)
    return contributing.union(endorsing)


# --- Contributions --------------------------------------------------------------------------------------


def _contributions() -> QuerySet[Contribution]:
    return Contribution.objects.select_related("actor__country", "consultation__process__owner").prefetch_related(
        Prefetch("cosignatures", queryset=Cosignature.objects.select_related("actor")))


def contribution_get(*, pk: int, viewer: Any = None) -> Contribution:
    """One contribution; a hidden or removed one only for its team and site staff (else Http404)."""
    try:
        contribution = _contributions().get(pk=pk)
    except (Contribution.DoesNotExist, ValueError):
        raise Http404(_("No contribution at this address.")) from None
    if contribution.visibility != Visibility.VISIBLE and not (
        viewer is not None and viewer.has_perm("consultations.view_contribution", contribution)
    ):
        raise Http404(_("No contribution at this address."))
    return contribution


def contribution_signer_ids(*, contribution: Contribution) -> set[int]:
    """Ids of the actors that signed `contribution`: its author and every co-signer."""
    return {contribution.actor_id, *(c.actor_id for c in contribution.cosignatures.all())}


def contribution_list(*, consultation: Consultation, include_withdrawn: bool = False) -> QuerySet[Contribution]:
    """Visible contributions to a consultation, oldest first, with their actors and co-signatures."""
    contributions = _contributions().filter(consultation=consultation, visibility=Visibility.VISIBLE)
    if not include_withdrawn:
        contributions = contributions.filter(status=ContributionStatus.SUBMITTED)
    return contributions.order_by("created_at", "id")


def contribution_list_for_actor(*, actor: Actor, include_cosigned: bool = True) -> QuerySet[Contribution]:
    """Visible, submitted contributions by `actor` (and those it co-signed), newest first."""
    condition = Q(actor=actor)
    if include_cosigned:
        condition |= Q(cosignatures__actor=actor)
    return (_contributions().filter(condition, visibility=Visibility.VISIBLE, status=ContributionStatus.SUBMITTED)
            .distinct().order_by("-created_at", "-id"))


def contributions_by_number(*, consultation: Consultation) -> dict[int, Contribution]:
    """Every contribution to `consultation`, by its number (the editors cite them as sources by number)."""
    return {c.pk: c for c in Contribution.objects.filter(consultation=consultation).select_related("actor")}


def contribution_versions(*, contribution: Contribution) -> QuerySet[Any]:
    return contribution.versions.select_related("author").order_by("-number")


def tag_codes_for(*, records: Iterable[Any]) -> dict[int, list[Any]]:
    """Framework items tagged on each contribution: {contribution id: [FrameworkItem, …]} in one query."""
    records = list(records)
    if not records:
        return {}
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Contribution)
    tags = (Tag.objects.filter(content_type=content_type, object_id__in=[str(r.pk) for r in records])
            .select_related("item__framework").order_by("item__framework__kind", "item__position"))
    found: dict[int, list[Any]] = defaultdict(list)
    for tag in tags:
        found[int(tag.object_id)].append(tag.item)
    return dict(found)


def contribution_destinations(*, contribution: Contribution) -> list[dict[str, Any]]:
    """Where a contribution ended up: the paragraphs of adopted versions that cite it (document, numbers)."""
    paragraphs = (
        Paragraph.objects.filter(sources=contribution, version__frozen_at__isnull=False)
        .select_related("version__document").order_by("version__document_id", "position")
    )
    by_document: dict[int, dict[str, Any]] = {}
    for paragraph in paragraphs:
        document = paragraph.version.document
        entry = by_document.setdefault(document.pk, {"document": document, "version": paragraph.version,
                                                     "paragraphs": []})
        entry["paragraphs"].append(paragraph)
    return list(by_document.values())


def adopted_paragraph_refs(*, contribution_ids: Iterable[int]) -> dict[int, list[str]]:
    """For many contributions at once: "document id:version:paragraph number" of every adopted paragraph citing
    each (one query)."""
    through = Paragraph.sources.through
    rows = (through.objects.filter(contribution_id__in=list(contribution_ids), paragraph__version__frozen_at__isnull=False)
            .order_by("paragraph__version__document_id", "paragraph__position")
            .values_list("contribution_id", "paragraph__version__document_id", "paragraph__version__number",
                         "paragraph__position"))
    refs: dict[int, list[str]] = defaultdict(list)
    for contribution_id, document_id, number, position in rows:
        refs[contribution_id].append(f"{document_id}:{number}:{position}")
    return dict(refs)


def version_counts(*, contribution_ids: Iterable[int]) -> dict[int, int]:
    from arrival.consultations.models import ContributionVersion

    rows = (ContributionVersion.objects.filter(contribution_id__in=list(contribution_ids)).order_by()
            .values("contribution_id").annotate(n=Count("id")).values_list("contribution_id", "n"))
    return dict(rows)


def contribution_draft_paragraphs(*, contribution: Contribution) -> list[Paragraph]:
    """Paragraphs of the latest draft (not yet adopted) that cite the contribution."""
    result: list[Paragraph] = []
    for document in contribution.consultation.documents.filter(adopted_version__isnull=True):
        latest = version_latest(document=document)
        if latest is not None:
            result.extend(latest.paragraphs.filter(sources=contribution).order_by("position"))
    return result


# --- Documents, versions, paragraphs --------------------------------------------------------------------


def document_get(*, pk: int) -> OutcomeDocument:
    try:
        return OutcomeDocument.objects.select_related(
            "consultation__process__owner", "adopted_version").prefetch_related("consultation__process__phases"
                                                                                ).get(pk=pk)
    except (OutcomeDocument.DoesNotExist, ValueError):
        raise Http404(_("No document at this address.")) from None


def document_for(*, consultation: Consultation) -> OutcomeDocument | None:
    return consultation.documents.order_by("created_at", "id").first()


def version_list(*, document: OutcomeDocument) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("author").annotate(paragraph_count=Count("paragraphs")).order_by(
        "-number")


def version_get(*, document: OutcomeDocument, number: int) -> DocumentVersion:
    try:
        return document.versions.select_related("author", "document").get(number=number)
    except DocumentVersion.DoesNotExist:
        raise Http404(_("No such version of this document.")) from None


def version_current(*, document: OutcomeDocument) -> DocumentVersion | None:
    """The adopted version once there is one, else the latest draft."""
    if document.adopted_version_id:
        return document.adopted_version
    return version_latest(document=document)


def version_latest(*, document: OutcomeDocument) -> DocumentVersion | None:
    """The highest-numbered version, adopted or not (None before the first draft is compiled)."""
    return document.versions.order_by("-number").first()


def paragraph_list(*, version: DocumentVersion) -> list[Paragraph]:
    """Paragraphs of a version with their sources (visible contributions, their actors and co-signers) fetched up
    front."""
    sources = Contribution.objects.select_related("actor").prefetch_related(
        Prefetch("cosignatures", queryset=Cosignature.objects.select_related("actor").order_by("created_at", "id"))
    ).order_by("actor__name", "id")
    return list(version.paragraphs.select_related("group_item__framework").prefetch_related(
        Prefetch("sources", queryset=sources)).order_by("position"))


def paragraph_get(*, pk: int) -> Paragraph:
    try:
        return Paragraph.objects.select_related("version__document__consultation__process").get(pk=pk)
    except (Paragraph.DoesNotExist, ValueError):
        raise Http404(_("No paragraph at this address.")) from None


def paragraph_contributors(paragraph: Paragraph) -> list[Actor]:
    seen: dict[int, Actor] = {}
    for source in paragraph.sources.all():
        seen.setdefault(source.actor_id, source.actor)
    return list(seen.values())


def paragraph_follow_ups(*, paragraphs: list[Paragraph]) -> dict[int, list[FollowUp]]:
    """What later apps made from each paragraph (`follow_ups`), in one batch: a paragraph's list includes what was
    made from its earlier versions (the same paragraph, rewritten: same key)."""
    if not paragraphs:
        return {}
    version = paragraphs[0].version
    lineage = list(Paragraph.objects.filter(
        version__document_id=version.document_id, version__number__lte=version.number,
        key__in={p.key for p in paragraphs}).order_by("version__number").values_list("pk", "key"))
    made = follow_ups_made_from(kind="paragraph", ids=[pk for pk, _key in lineage])
    by_key: dict[str, list[FollowUp]] = defaultdict(list)
    for pk, key in lineage:
        by_key[key].extend(made.get(pk, []))
    return {p.pk: list(dict.fromkeys(by_key[p.key])) for p in paragraphs if by_key.get(p.key)}


# --- Dialogue on the draft: paragraph comments and the editors' answers --------------------------------


@dataclass
class DialogueReply:
    comment: Comment
    body: str  # "" when hidden or removed: `notice` says why
    notice: str


@dataclass
class DialogueEntry:
    """A comment on a paragraph (or on an earlier version of it), with the editors' answer and the replies."""

    comment: Comment
    body: str
    notice: str
    version_number: int  # the version it was written on
    position: int  # the paragraph's number in that version
    here: bool  # written on the paragraph shown (not carried from an earlier version)
    answer: CommentAnswer | None
    replies: list[DialogueReply] = field(default_factory=list)
    # On an earlier version: where the paragraph is now (version number, paragraph number), if it was kept.
    now: tuple[int, int] | None = None


def _words(comment: Comment) -> tuple[str, str]:
    if comment.visibility == Visibility.HIDDEN:
        return "", _("This comment was hidden by a moderator.")
    if comment.visibility == Visibility.REMOVED:
        return "", _("This comment was removed by its author.")
    return comment.body, ""


def _paragraph_comments(paragraph_ids: Iterable[int]) -> QuerySet[Comment]:
    content_type = ContentType.objects.get_for_model(Paragraph)
    return Comment.objects.filter(target_type=content_type, target_id__in=[str(pk) for pk in paragraph_ids])


def paragraph_dialogues(*, paragraphs: list[Paragraph]) -> dict[int, list[DialogueEntry]]:
    """For each paragraph of one version: the comments written on it and on its earlier versions (the same
    paragraph, rewritten: same key), oldest first, each with the editors' answer, its replies and, on an earlier
    version, where the paragraph went since — in five queries."""
    if not paragraphs:
        return {}
    version = paragraphs[0].version
    lineage = {pk: (key, number, position) for pk, key, number, position in Paragraph.objects.filter(
        version__document_id=version.document_id, version__number__lte=version.number,
        key__in={p.key for p in paragraphs}).values_list("pk", "key", "version__number", "position")}
    comments = list(_paragraph_comments(lineage).select_related("author", "author_actor").order_by("created_at", "id"))
    later: dict[str, tuple[int, int]] = {}
    if comments:  # where the paragraphs shown went in later versions (the last one that kept each)
        for key, number, position in Paragraph.objects.filter(
                version__document_id=version.document_id, version__number__gt=version.number,
                key__in={p.key for p in paragraphs}).order_by("version__number").values_list(
                "key", "version__number", "position"):
            later[key] = (number, position)
    roots = {c.pk: c for c in comments if c.parent_id is None}
    answers = {a.comment_id: a for a in CommentAnswer.objects.filter(comment_id__in=list(roots))
               .select_related("answered_by")}
    parent_of = {c.pk: c.parent_id for c in comments}
    entries: dict[int, DialogueEntry] = {}
    by_key: dict[str, list[DialogueEntry]] = defaultdict(list)
    shown = {p.pk for p in paragraphs}
    for comment in comments:
        if comment.parent_id is None:
            key, number, position = lineage[int(comment.target_id)]
            body, notice = _words(comment)
            entry = DialogueEntry(comment=comment, body=body, notice=notice, version_number=number, position=position,
                                  here=int(comment.target_id) in shown, answer=answers.get(comment.pk),
                                  now=later.get(key))
            entries[comment.pk] = entry
            by_key[key].append(entry)
            continue
        root: int = comment.parent_id
        while (parent := parent_of.get(root)) is not None:
            root = parent
        if root in entries:
            body, notice = _words(comment)
            entries[root].replies.append(DialogueReply(comment=comment, body=body, notice=notice))
    return {p.pk: by_key[p.key] for p in paragraphs if by_key.get(p.key)}


def comment_paragraph(*, comment: Comment) -> Paragraph | None:
    """The paragraph a comment was written on (None when it is on something else)."""
    if comment.target_type_id != ContentType.objects.get_for_model(Paragraph).pk:
        return None
    return Paragraph.objects.select_related("version__document__consultation__process__owner").filter(
        pk=int(comment.target_id) if comment.target_id.isdigit() else 0).first()


def paragraph_now(*, paragraph: Paragraph) -> Paragraph:
    """The last paragraph of `paragraph`'s lineage (same key): the one in the latest version, or in the last version
    that kept it — where its comments are shown now."""
    latest = Paragraph.objects.filter(version__document_id=paragraph.version.document_id, key=paragraph.key).order_by(
        "-version__number").select_related("version").first()
    return latest if latest is not None and latest.version.number >= paragraph.version.number else paragraph


def paragraph_in_latest_version(*, paragraph: Paragraph) -> bool:
    """Comments go to the latest version of a draft only."""
    return not DocumentVersion.objects.filter(document_id=paragraph.version.document_id,
                                              number__gt=paragraph.version.number).exists()


def document_adopted_paragraphs(*, document: OutcomeDocument) -> list[Paragraph]:
    """The adopted version's paragraphs with their sources; [] before adoption."""
    if document.adopted_version is None:
        return []
    return paragraph_list(version=document.adopted_version)


def export_rows(*, version: DocumentVersion) -> list[dict[str, Any]]:
    """One row per paragraph: number, heading group and code, text, source contribution ids and framework codes."""
    paragraphs = paragraph_list(version=version)
    all_sources = {s.pk: s for p in paragraphs for s in p.sources.all()}
    tags = tag_codes_for(records=all_sources.values())
    rows = []
    for paragraph in paragraphs:
        codes: list[str] = []
        if paragraph.group_code:
            codes.append(f"{paragraph.group_kind}:{paragraph.group_code}")
        for source in paragraph.sources.all():
            for item in tags.get(source.pk, []):
                code = f"{_SHORT_KIND.get(item.framework.kind, item.framework.kind)}:{item.code}"
                if code not in codes:
                    codes.append(code)
        rows.append({
            "document": version.document.title, "language": version.document.language, "version": version.number, "paragraph": paragraph.position,
            "group": paragraph.group_kind, "group_code": paragraph.group_code, "heading": paragraph.heading,
            "text": paragraph.text, "editorial": paragraph.editorial,
            "source_contribution_ids": [s.pk for s in paragraph.sources.all()],
            "contributors": [a.name for a in paragraph_contributors(paragraph)],
            "framework_codes": codes,
        })
    return rows


_SHORT_KIND = {FrameworkKind.GCM_OBJECTIVE: "gcm", FrameworkKind.GCM_PRINCIPLE: "gcm_principle",
               FrameworkKind.SDG_GOAL: "sdg", FrameworkKind.SDG_TARGET: "sdg", FrameworkKind.NUA_PARAGRAPH: "nua",
               FrameworkKind.DOMAIN: "domain"}


# --- Diff -----------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass
class ParagraphDiff:
    key: str
    status: str  # "added" | "removed" | "changed" | "same"
    old_position: int | None
    new_position: int | None
    heading: str
    # [(op, text)], op in "equal" | "insert" | "delete"
    segments: list[tuple[str, str]] = field(default_factory=list)
    heading_changed: bool = False
    old_heading: str = ""


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences between two texts as (op, text) segments, whitespace kept."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                segments.append(("delete", "".join(a[i1:i2])))
            if j2 > j1:
                segments.append(("insert", "".join(b[j1:j2])))
    return segments


def version_diff(*, old: DocumentVersion, new: DocumentVersion) -> list[ParagraphDiff]:
    """Paragraph-by-paragraph differences between two versions of one document, matched by paragraph key,
    in the order of the new version, with removed paragraphs after the paragraph that preceded them."""
    old_paragraphs = {p.key: p for p in old.paragraphs.order_by("position")}
    new_paragraphs = list(new.paragraphs.order_by("position"))
    rows: list[ParagraphDiff] = []
    new_keys = {p.key for p in new_paragraphs}
    removed_after: dict[str | None, list[Paragraph]] = defaultdict(list)
    previous: str | None = None
    for paragraph in old_paragraphs.values():
        if paragraph.key not in new_keys:
            removed_after[previous].append(paragraph)
        else:
            previous = paragraph.key
    rows.extend(_removed(removed_after.get(None, [])))
    for paragraph in new_paragraphs:
        before = old_paragraphs.get(paragraph.key)
        heading = heading_without_number(paragraph.heading)
        if before is None:
            rows.append(ParagraphDiff(key=paragraph.key, status="added", old_position=None,
                                      new_position=paragraph.position, heading=heading,
                                      segments=[("insert", paragraph.text)]))
        else:
            old_heading = heading_without_number(before.heading)
            same = before.text == paragraph.text and old_heading == heading
            rows.append(ParagraphDiff(
                key=paragraph.key, status="same" if same else "changed", old_position=before.position,
                new_position=paragraph.position, heading=heading,
                segments=[("equal", paragraph.text)] if same else text_diff(before.text, paragraph.text),
                heading_changed=old_heading != heading, old_heading=old_heading))
        rows.extend(_removed(removed_after.get(paragraph.key, [])))
    return rows


def _removed(paragraphs: list[Paragraph]) -> list[ParagraphDiff]:
    return [ParagraphDiff(key=p.key, status="removed", old_position=p.position, new_position=None,
                          heading=heading_without_number(p.heading), segments=[("delete", p.text)])
            for p in paragraphs]


# --- Endorsements ---------------------------------------------------------------------------------------


def endorsement_list(*, document: OutcomeDocument, include_withdrawn: bool = False) -> QuerySet[Endorsement]:
    endorsements = Endorsement.objects.filter(document=document).select_related(
        "actor__country", "actor__local", "version")
    if not include_withdrawn:
        endorsements = endorsements.filter(withdrawn_at__isnull=True)
    return endorsements.order_by("endorsed_at", "id")


def endorsement_count(*, document: OutcomeDocument) -> int:
    return Endorsement.objects.filter(document=document, withdrawn_at__isnull=True).count()


def endorsement_list_for_actor(*, actor: Actor) -> QuerySet[Endorsement]:
    return Endorsement.objects.filter(actor=actor).select_related("document__consultation").order_by("-endorsed_at")


def endorsement_get(*, pk: int) -> Endorsement:
    try:
        return Endorsement.objects.select_related("document__consultation__process", "actor").get(pk=pk)
    except (Endorsement.DoesNotExist, ValueError):
        raise Http404(_("No endorsement at this address.")) from None


def endorser_points(*, endorsements: Iterable[Endorsement]) -> list[dict[str, Any]]:
    """Map points for endorsers that have coordinates (through actors' own point builder)."""
    from arrival.actors.selectors import actor_points

    actors = [e.actor for e in endorsements]
    return actor_points(actors=actors)
