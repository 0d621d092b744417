"""Reads of resident participation: processes, proposals with filters and sorting, answers, report-back data.

Lists show visible proposals only (hidden ones show a notice on their own page); sorting by supports and by
date uses the denormalised `support_count` and the indexes on `Proposal`, so a list stays fast at a million
proposals. "Random" order is seeded, so a page can be shared and the same order comes back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Mod
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from arrival.accounts.models import Role, RoleKind, User
from arrival.actors.models import Actor
from arrival.commitments import selectors as commitments
from arrival.core.translations import in_language_first
from arrival.engagement import selectors as engagement_selectors
from arrival.engagement.handoffs import WorkItem
from arrival.engagement.models import Phase, Visibility
from arrival.participation.models import (
    PHASE_ANSWER,
    PHASE_REPORT_BACK,
    Answer,
    AnswerStatus,
    Category,
    DemographicAnswer,
    Neighbourhood,
    ParticipationProcess,
    Proposal,
    ProposalLink,
    StatusKind,
    Support,
)

# The city's team for a process: the owner's administrators, officers and staff (accounts.rules says the same).
TEAM_ROLES = (RoleKind.ADMINISTRATOR, RoleKind.OFFICER, RoleKind.STAFF)
SORTS = ("newest", "supported", "random")
_RANDOM_PRIME = 1_000_003


def process_list_open(*, at: datetime | None = None, reader_first: bool = False) -> QuerySet[ParticipationProcess]:
    """Processes with a phase running or still to come, soonest ending first; `reader_first`: those written in
    or translated into the reader's language before the others (the browsing page)."""
    at = at or timezone.now()
    processes = (ParticipationProcess.objects.select_related("owner", "owner__country", "process")
                 .annotate(last_end=Max("process__phases__ends_at")).filter(last_end__gt=at))
    if reader_first:
        return in_language_first(processes).order_by("-in_reader_language", "last_end", "id")
    return processes.order_by("last_end", "id")


def process_list(*, owner: Actor | None = None) -> QuerySet[ParticipationProcess]:
    processes = ParticipationProcess.objects.select_related("owner", "owner__country", "process")
    if owner is not None:
        processes = processes.filter(owner=owner)
    return processes.order_by("-created_at", "-id")


def process_get(*, slug: str) -> ParticipationProcess:
    process = (ParticipationProcess.objects.select_related("owner", "owner__country", "process")
               .prefetch_related(Prefetch("process__phases", queryset=Phase.objects.order_by("position")),
                                 "categories", "invited_groups")
               .filter(slug=slug).first())
    if process is None:
        raise Http404("No participation process with this address.")
    return process


def neighbourhood_list(*, owner: Actor) -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.filter(owner=owner).order_by("name")


def answer_status_list(*, owner: Actor) -> QuerySet[AnswerStatus]:
    return AnswerStatus.objects.filter(owner=owner).order_by("position", "id")


def answer_status_get(*, owner: Actor, pk: Any) -> AnswerStatus | None:
    """One of `owner`'s answer statuses; None when it does not exist or belongs to another government."""
    return AnswerStatus.objects.filter(owner=owner, pk=pk).first()


def neighbourhood_get(*, owner: Actor, pk: Any) -> Neighbourhood | None:
    """One of `owner`'s neighbourhoods; None when it does not exist or belongs to another government."""
    return Neighbourhood.objects.filter(owner=owner, pk=pk).first()


@dataclass
class ProposalFilters:
    category: int | None = None
    neighbourhood: int | None = None
    status: int | None = None
    language: str | None = None
    kind: str | None = None
    sort: str = "newest"
    seed: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def proposal_list(*, process: ParticipationProcess, filters: ProposalFilters | None = None) -> QuerySet[Proposal]:
    """Visible proposals of a process, filtered and sorted (newest, most supported, or seeded random)."""
    filters = filters or ProposalFilters()
    proposals = (Proposal.objects.filter(process=process, visibility=Visibility.VISIBLE)
                 .select_related("category", "neighbourhood", "status", "author"))
    if filters.category:
        proposals = proposals.filter(category_id=filters.category)
    if filters.neighbourhood:
        proposals = proposals.filter(neighbourhood_id=filters.neighbourhood)
    if filters.status:
        proposals = proposals.filter(status_id=filters.status)
    if filters.language:
        proposals = proposals.filter(language=filters.language)
    if filters.kind:
        proposals = proposals.filter(kind=filters.kind)
    if filters.sort == "supported":
        return proposals.order_by("-support_count", "-id")
    if filters.sort == "random":
        seed = abs(int(filters.seed)) % _RANDOM_PRIME
        return proposals.annotate(shuffle=Mod(F("id") * 7919 + seed, _RANDOM_PRIME)).order_by("shuffle", "id")
    return proposals.order_by("-created_at", "-id")


# Counting every proposal of a very large process is a scan of its index; above this many, the total shown
# with a list is cached for a minute (a list may lag a minute behind; small processes are always exact).
COUNT_CACHE_ABOVE = 5_000
COUNT_CACHE_SECONDS = 60


def proposal_count(*, process: ParticipationProcess, filters: ProposalFilters, queryset: QuerySet[Proposal]) -> int:
    key = (f"participation:count:{process.pk}:{filters.category}:{filters.neighbourhood}:{filters.status}:"
           f"{filters.language}:{filters.kind}")
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    count = queryset.order_by().count()
    if count > COUNT_CACHE_ABOVE:
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


class CountedProposals:
    """A proposal list whose total comes from `proposal_count`, for Django's Paginator and the API's."""

    def __init__(self, *, process: ParticipationProcess, filters: ProposalFilters) -> None:
        self.process, self.filters = process, filters
        self.queryset = proposal_list(process=process, filters=filters)

    def count(self) -> int:
        return proposal_count(process=self.process, filters=self.filters, queryset=self.queryset)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Proposal: ...
    @overload
    def __getitem__(self, index: slice) -> QuerySet[Proposal]: ...
    def __getitem__(self, index: int | slice) -> Proposal | QuerySet[Proposal]:
        return self.queryset[index]

    def __iter__(self) -> Iterator[Proposal]:
        return iter(self.queryset)


def proposal_get(*, pk: Any) -> Proposal:
    proposal = (Proposal.objects.select_related("process", "process__owner", "process__process", "category",
                                                "neighbourhood", "status", "author")
                .prefetch_related("translations", "links", "images__attachment").filter(pk=pk).first())
    if proposal is None:
        raise Http404("No proposal with this number.")
    return proposal


def answer_history(*, proposal: Proposal) -> list[Answer]:
    return list(proposal.answers.select_related("status", "answered_by").order_by("-created_at", "-id"))


def supported_ids(*, user: Any, proposal_ids: list[int]) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not proposal_ids:
        return set()
    return set(Support.objects.filter(user_id=user.pk, proposal_id__in=proposal_ids)
               .values_list("proposal_id", flat=True))


def support_of(*, user: Any, proposal: Proposal) -> Support | None:
    """`user`'s support of `proposal` (it says whether they follow it), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Support.objects.filter(user_id=user.pk, proposal_id=proposal.pk).first()


def team_members(*, process: ParticipationProcess) -> list[User]:
    """The active people of the city's team for `process` (who hear of new needs and proposals)."""
    return list(User.objects.filter(is_active=True, roles__actor_id=process.owner_id, roles__kind__in=TEAM_ROLES,
                                    roles__ended_at__isnull=True).distinct().order_by("pk"))


def followers(*, proposal: Proposal) -> list[User]:
    """The active supporters of `proposal` who follow it."""
    return list(User.objects.filter(is_active=True, participation_supports__proposal_id=proposal.pk,
                                    participation_supports__follows=True).order_by("pk"))


def proposal_languages(*, process: ParticipationProcess) -> list[str]:
    """The languages visible proposals are written in, for the filter. A distinct over every proposal of a
    large process is a full index scan, so the list is cached for a minute (the filter tolerates the delay)."""
    key = f"participation:languages:{process.pk}"
    languages: list[str] | None = cache.get(key)
    if languages is None:
        languages = sorted(set(Proposal.objects.filter(process=process, visibility=Visibility.VISIBLE).order_by()
                               .values_list("language", flat=True).distinct()))
        cache.set(key, languages, 60)
    return languages


REPORT_PAGE_SIZE = 50


def report_back(*, process: ParticipationProcess, page: int = 1) -> dict[str, Any]:
    """What happened to every input: counts by status (one grouped query) and, a page at a time, each input
    with its current answer and links. Removed inputs are left out; hidden ones are counted and listed without
    their words."""
    statuses = list(answer_status_list(owner=process.owner))
    kept = Proposal.objects.filter(process=process).exclude(visibility=Visibility.REMOVED)
    grouped = kept.order_by().values("status_id", "visibility").annotate(n=Count("id"))
    counts: Counter[int | None] = Counter()
    hidden = 0
    for row in grouped:
        if row["visibility"] == Visibility.HIDDEN:
            hidden += row["n"]
        else:
            counts[row["status_id"]] += row["n"]
    paginator = Paginator(
        kept.select_related("status").prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("status").order_by("-created_at", "-id")),
            "links").order_by("-support_count", "-id"),
        REPORT_PAGE_SIZE)
    page_obj = paginator.get_page(page)
    rows = []
    for proposal in page_obj.object_list:
        answers = list(proposal.answers.all())
        rows.append({"proposal": proposal, "answer": answers[0] if answers else None,
                     "links": list(proposal.links.all())})
    return {
        "total": sum(counts.values()),
        "hidden": hidden,
        "unanswered": counts.get(None, 0),
        "by_status": [{"status": s, "count": counts.get(s.pk, 0)} for s in statuses],
        "rows": rows,
        "page": page_obj,
    }


def neighbourhood_counts(*, process: ParticipationProcess) -> list[dict[str, Any]]:
    """Visible proposals per neighbourhood, for the map and its table (one grouped query)."""
    counts = dict(Proposal.objects.filter(process=process, visibility=Visibility.VISIBLE, neighbourhood__isnull=False)
                  .order_by().values_list("neighbourhood_id").annotate(n=Count("id")))
    hoods = Neighbourhood.objects.filter(pk__in=list(counts))
    return [{"neighbourhood": hood, "count": counts[hood.pk]} for hood in hoods.order_by("name")]


def demographic_totals(*, process: ParticipationProcess) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = {}
    for row in DemographicAnswer.objects.filter(process=process):
        totals.setdefault(row.question, {})[row.option] = row.count
    return totals


def processes_for_owner(*, owner: Actor) -> QuerySet[ParticipationProcess]:
    return process_list(owner=owner)


def links_to(*, target_type: str, target_id: Any) -> list[ProposalLink]:
    """Proposals linked to a record of another app (a commitment, an assessment answer)."""
    return list(ProposalLink.objects.filter(target_type=target_type, target_id=str(target_id))
                .select_related("proposal").exclude(proposal__visibility=Visibility.REMOVED))


def current_phase(*, process: ParticipationProcess, at: datetime | None = None) -> Phase | None:
    return engagement_selectors.phase_current(process=process.process, at=at)


def phase_allows(*, process: ParticipationProcess, action: str, at: datetime | None = None) -> bool:
    return engagement_selectors.phase_allows(process=process.process, action=action, at=at)


def category_list(*, process: ParticipationProcess) -> QuerySet[Category]:
    return process.categories.all()


def category_get(*, process: ParticipationProcess, pk: Any) -> Category | None:
    """One of the process's categories; None when it does not exist or belongs to another process."""
    return Category.objects.filter(process=process, pk=pk).first()


def status_kinds_closing() -> tuple[str, ...]:
    return (StatusKind.DONE, StatusKind.NOT_POSSIBLE)


COMMITMENT_SEARCH_LIMIT = 10


def commitment_search(*, q: str, limit: int = COMMITMENT_SEARCH_LIMIT) -> list[Any]:
    """Published commitments a proposal can be linked to, whose title contains `q` or whose public id is `q`
    (the picker on a proposal's page; at most `limit`, newest first). Fewer than two characters find nothing."""
    q = (q or "").strip()[:100]
    if len(q) < 2:
        return []
    return list(commitments.commitment_list_public().filter(Q(title__icontains=q) | Q(public_id__iexact=q))[:limit])


def commitment_to_link(*, pk: Any) -> Any:
    """The published commitment `pk`, or None: only a public commitment can be what a proposal became."""
    try:
        return commitments.commitment_list_public().filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


# --- "My work" for the city's team ---------------------------------------------------------------------------

# At most this many items of each kind are listed and counted for one person (oldest first): a process with
# thousands of unanswered inputs is worked through from its own page, filtered by status.
WORK_LIMIT = 200


def _team_processes(user: Any) -> QuerySet[ParticipationProcess]:
    owners = Role.objects.filter(user_id=user.pk, kind__in=TEAM_ROLES, ended_at__isnull=True).values("actor_id")
    return ParticipationProcess.objects.filter(owner_id__in=owners)


def _team_proposals(user: Any) -> QuerySet[Proposal]:
    """Visible proposals of the processes whose city `user` is on the team of (one query with its subquery)."""
    return Proposal.objects.filter(process__in=_team_processes(user).values("pk"), visibility=Visibility.VISIBLE)


def _to_answer(user: Any) -> QuerySet[Proposal]:
    return _team_proposals(user).filter(status__isnull=True)


def _to_report_back(user: Any) -> QuerySet[Proposal]:
    return _team_proposals(user).filter(status__kind=StatusKind.ACCEPTED)


def _work_items(proposals: QuerySet[Proposal], ranges: list[dict[str, Any]], *, kind: str, action: str,
                phase_type: str, since: str) -> list[WorkItem]:
    """The WORK_LIMIT oldest of `proposals`, without a cliff at a million: each range (a process, or a process and
    one status) gives its oldest from its own index, the few hundred found are merged, and the deadlines are read
    once per process afterwards (a deadline column in the query would be computed for every waiting row before
    the sort)."""
    oldest: list[tuple[Any, int]] = []
    for index_range in ranges:
        oldest += list(proposals.filter(**index_range).order_by(since, "id").values_list(since, "id")[:WORK_LIMIT])
    chosen = [pk for _since, pk in sorted(oldest)[:WORK_LIMIT]]
    rows = sorted(Proposal.objects.filter(pk__in=chosen).select_related("process", "process__owner"),
                  key=lambda proposal: (getattr(proposal, since), proposal.pk))
    deadlines: dict[int, datetime] = {}
    for engagement_process_id, ends_at in (Phase.objects.filter(
            process_id__in={row.process.process_id for row in rows}, phase_type=phase_type)
            .order_by("ends_at").values_list("process_id", "ends_at")):
        deadlines[engagement_process_id] = ends_at  # the last phase of that type, when there are several
    items = []
    for proposal in rows:
        values = {"number": proposal.pk, "process": proposal.process.title}
        # Named by kind, number and the city's process title: never by the resident's own words.
        title = (_("Need no. %(number)s in “%(process)s”") if proposal.kind == "need"
                 else _("Proposal no. %(number)s in “%(process)s”")) % values
        items.append(WorkItem(kind=kind, action=action, title=title, url=proposal.get_absolute_url(),
                              waiting_since=getattr(proposal, since),
                              deadline=deadlines.get(proposal.process.process_id),
                              for_actor=proposal.process.owner.name))
    return items


def _work_count(user: Any, proposals: Callable[[Any], QuerySet[Proposal]]) -> QuerySet[Proposal] | int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return proposals(user).order_by()[:WORK_LIMIT]


def answer_work_items(user: Any) -> list[WorkItem]:
    """Needs and proposals waiting for the city's answer, oldest first; the deadline is the end of the
    process's answer phase where it has one."""
    if not getattr(user, "is_authenticated", False):
        return []
    ranges = [{"process_id": pk} for pk in _team_processes(user).values_list("pk", flat=True)]
    return _work_items(_to_answer(user), ranges, kind="participation.answer", action=_("Answer"),
                       phase_type=PHASE_ANSWER, since="created_at")


def answer_work_count(user: Any) -> QuerySet[Proposal] | int:
    return _work_count(user, _to_answer)


def report_back_work_items(user: Any) -> list[WorkItem]:
    """Accepted proposals the city has not yet reported back on (a newer answer: in progress, done, not
    possible…), waiting since they were accepted; the deadline is the end of the report-back phase, if any."""
    if not getattr(user, "is_authenticated", False):
        return []
    processes = list(_team_processes(user).values_list("pk", "owner_id"))
    accepted = dict(AnswerStatus.objects.filter(owner_id__in={owner for _pk, owner in processes},
                                                kind=StatusKind.ACCEPTED).values_list("pk", "owner_id"))
    ranges = [{"process_id": pk, "status_id": status} for pk, owner in processes
              for status, status_owner in accepted.items() if status_owner == owner]
    return _work_items(_to_report_back(user), ranges, kind="participation.report_back", action=_("Report back"),
                       phase_type=PHASE_REPORT_BACK, since="answered_at")


def report_back_work_count(user: Any) -> QuerySet[Proposal] | int:
    return _work_count(user, _to_report_back)
