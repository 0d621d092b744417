"""Reads of actors: place search, countries, networks, memberships and the points maps draw.

Every function returns a queryset or plain data and fetches related rows up front (no N+1).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, F, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from arrival.actors.models import (
    GOVERNMENT_KINDS,
    Actor,
    ActorKind,
    ActorName,
    Country,
    Membership,
    Network,
    NetworkRelation,
    NetworkRelationKind,
)
from arrival.core.languages import sort_key

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class CountryCounts(TypedDict):
    """What `country_list` adds to each country."""

    local_government_count: int


# The highest code point: `key < q + KEY_END` keeps exactly the keys that start with q, in code point order.
KEY_END = chr(0x10FFFF)
MIN_QUERY_LENGTH = 2

_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower-case, strip accents, punctuation → space, collapse spaces: "São-Paulo!" → "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", without_marks.casefold()).strip()


def _today() -> date:
    return timezone.localdate()


def current_membership_q(prefix: str = "") -> Q:
    """Memberships that have not ended (no end date, or one today or later)."""
    return Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": _today()})


# --- Place search ---------------------------------------------------------------------------------


def _matching_actor_ids(*, key: str, country: str | None, kinds: tuple[str, ...], limit: int) -> list[int]:
    """Ids of the highest-ranked actors with a name starting with `key`, best first, deduplicated.

    Reads only the covering index on ActorName (key range + kind + rank + actor); several names of one
    actor can match, so it widens the window until it has `limit` distinct actors or runs out.
    """
    names = ActorName.objects.filter(key__gte=key, key__lt=key + KEY_END, kind__in=kinds)
    if country:
        names = names.filter(country_code=country.upper())
    window = limit * 3
    while True:
        rows = list(names.order_by("-rank", "key", "actor_id").values_list("actor_id", flat=True)[:window])
        ids = list(dict.fromkeys(rows))
        if len(ids) >= limit or len(rows) < window:
            return ids[:limit]
        window *= 4


def place_search(
    *, q: str, country: str | None = None, kinds: tuple[str, ...] = GOVERNMENT_KINDS, limit: int = 10
) -> list[Actor]:
    """Governments whose any name starts with `q` (folded), most populous first, then by name."""
    key = fold(q)
    if len(key) < MIN_QUERY_LENGTH or limit < 1:
        return []
    ids = _matching_actor_ids(key=key, country=country, kinds=tuple(kinds), limit=limit)
    actors = list(Actor.objects.filter(pk__in=ids).select_related("country", "local"))
    return sorted(actors, key=_population_then_name)


def _population_then_name(actor: Actor) -> tuple[int, int, str]:
    return (actor.population is None, -(actor.population or 0), actor.name)


def _population_order() -> tuple[Any, ...]:
    # The order of the index actor_kind_country_pop_idx (NULLS LAST written into it on PostgreSQL).
    return (F("population").desc(nulls_last=True), "id")


def local_government_list(*, q: str = "", country: str | None = None) -> QuerySet[Actor]:
    """Local governments, optionally by name prefix and ISO alpha-2 country; most populous first."""
    actors = Actor.objects.filter(kind=ActorKind.LOCAL_GOVERNMENT)
    key = fold(q)
    if key:
        names = ActorName.objects.filter(key__gte=key, key__lt=key + KEY_END, kind=ActorKind.LOCAL_GOVERNMENT)
        if country:
            names = names.filter(country_code=country.upper())
        actors = actors.filter(pk__in=names.values("actor_id"))
    if country:
        # The country's id as a scalar subquery (not a join), so that the planner reads kind, country and
        # the population order from one index range and stops at the page; the count reads the index only.
        country_id = Country.objects.filter(code=country.upper()).order_by().values("id")[:1]
        actors = actors.filter(country_id=Subquery(country_id))
    return actors.select_related("country", "local").order_by(*_population_order())


def actor_get(*, slug: str | None = None, pk: int | None = None) -> Actor:
    """Any actor by slug or primary key, with its country and kind details; raises Actor.DoesNotExist."""
    if slug is None and pk is None:
        raise Actor.DoesNotExist("Give a slug or a primary key.")
    actors = Actor.objects.select_related("country", "local", "network", "organisation")
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    return actors.get(**lookup)


def actor_time_zones(*, actor_ids: Iterable[int]) -> dict[int, str]:
    """The IANA zone each actor works in: a place's own (GeoNames); for a national or regional government,
    a network or an organisation, the zone of the most populous place of its country. Actors with neither
    are left out (callers fall back to UTC)."""
    ids = set(actor_ids)
    if not ids:
        return {}
    zones: dict[int, str] = {}
    country_of: dict[int, int] = {}
    for pk, own, country_id in Actor.objects.filter(pk__in=ids).values_list("pk", "local__timezone", "country_id"):
        if own:
            zones[pk] = own
        elif country_id is not None:
            country_of[pk] = country_id
    largest: dict[int, str] = {}
    for country_id in set(country_of.values()):
        zone = (Actor.objects.filter(country_id=country_id, kind=ActorKind.LOCAL_GOVERNMENT)
                .exclude(local__timezone="").order_by(*_population_order())
                .values_list("local__timezone", flat=True).first())
        if zone:
            largest[country_id] = zone
    for pk, country_id in country_of.items():
        if country_id in largest:
            zones[pk] = largest[country_id]
    return zones


def actor_list(*, kinds: Iterable[str] | None = None) -> QuerySet[Actor]:
    """Every actor (of one of `kinds`, when given), by name: e.g. the choices site staff may act for."""
    actors = Actor.objects.all()
    if kinds is not None:
        actors = actors.filter(kind__in=list(kinds))
    return actors.order_by("name")


def membership_list() -> QuerySet[Membership]:
    """Every membership, with both sides and their countries (what the API shows of one)."""
    return Membership.objects.select_related("member__country", "network__country")


def actor_memberships(*, actor: Actor) -> QuerySet[Membership]:
    """The networks `actor` belongs to; current memberships first, then by network name."""
    today = _today()
    return (
        Membership.objects.filter(member=actor)
        .select_related("network", "network__network")
        .annotate(is_current=Q(until__isnull=True) | Q(until__gte=today))
        .order_by("-is_current", "network__name", "id")
    )


# --- Countries ------------------------------------------------------------------------------------


def country_list() -> QuerySet[WithAnnotations[Country, CountryCounts]]:
    """All countries with `local_government_count`."""
    return Country.objects.annotate(
        local_government_count=Count("actors", filter=Q(actors__kind=ActorKind.LOCAL_GOVERNMENT))
    ).order_by("name")


def country_names(*, codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, name) of these countries, named and sorted in the viewer's language (CLDR, case and accents
    folded); the stored English names for English readers."""
    countries = Country.objects.filter(code__in=list(codes)).only("code", "name")
    named = [(country.code, country.display_name) for country in countries]
    return sorted(named, key=lambda pair: sort_key(pair[1]))


def country_get(*, code: str) -> Country:
    """A country by ISO alpha-2 code, any case; raises Country.DoesNotExist."""
    return Country.objects.get(code=(code or "").upper())


def country_overview(*, country: Country) -> dict[str, Any]:
    """What a country page shows: its national government, places, and the networks present there."""
    national = (
        Actor.objects.filter(country=country, kind=ActorKind.NATIONAL_GOVERNMENT)
        .select_related("country")
        .order_by("id")
        .first()
    )
    locals_ = Actor.objects.filter(country=country, kind=ActorKind.LOCAL_GOVERNMENT)
    largest = list(locals_.select_related("country", "local").order_by(*_population_order())[:100])
    network_counts = (
        Membership.objects.filter(current_membership_q(), member__country=country)
        .values("network_id")
        .annotate(member_count=Count("member_id", distinct=True))
        .order_by("-member_count", "network_id")
    )
    counts = {row["network_id"]: row["member_count"] for row in network_counts}
    networks = Actor.objects.filter(pk__in=counts).select_related("network")
    return {
        "national_government": national,
        "local_government_count": locals_.count(),
        "largest_places": largest[:20],
        "networks": sorted(
            ({"network": network, "member_count": counts[network.pk]} for network in networks),
            key=lambda row: (-row["member_count"], row["network"].name),
        ),
        "places_on_map": actor_points(actors=largest),
    }


# --- Networks -------------------------------------------------------------------------------------


def network_list() -> QuerySet[Actor]:
    """Network actors with `member_count` (current memberships), by name."""
    return (
        Actor.objects.filter(kind=ActorKind.NETWORK)
        .select_related("network")
        .annotate(member_count=Count("members", filter=current_membership_q("members__"), distinct=True))
        .order_by("name")
    )


def network_members(*, network: Actor) -> QuerySet[Membership]:
    """Members of `network` (current first, then the most populous), with their place facts."""
    today = _today()
    return (
        Membership.objects.filter(network=network)
        .select_related("member", "member__local", "member__country")
        .annotate(is_current=Q(until__isnull=True) | Q(until__gte=today))
        .order_by("-is_current", F("member__population").desc(nulls_last=True), "member__name", "id")
    )


def _incoming_label(kind: str) -> str:
    labels: dict[str, str] = {
        NetworkRelationKind.SUCCEEDED: gettext("was succeeded by"),
        NetworkRelationKind.COORDINATES: gettext("is coordinated by"),
        NetworkRelationKind.RUN_BY: gettext("runs"),
        NetworkRelationKind.PARTNERS: gettext("works with"),
    }
    return labels.get(kind, kind)


def network_relations(*, network: Actor) -> list[dict[str, Any]]:
    """Relations from and to `network`, each read from this network's side ("coordinates", "is run by"…), with
    the relation itself (`record`: its source in the reader's language)."""
    relations = NetworkRelation.objects.filter(Q(subject=network) | Q(object=network)).select_related(
        "subject", "object"
    )
    rows = []
    for relation in relations.order_by("kind", "id"):
        if relation.subject_id == network.pk:
            direction, label, other = "out", str(relation.get_kind_display()), relation.object
        else:
            direction, label, other = "in", _incoming_label(relation.kind), relation.subject
        rows.append({"direction": direction, "kind_label": label, "other": other, "source": relation.source,
                     "record": relation})
    return sorted(rows, key=lambda row: (row["direction"] != "out", row["kind_label"], row["other"].name))


def network_secretariat_place(*, details: Network | None) -> Actor | None:
    """The loaded place a network's secretariat is in, when the secretariat is a city (by its GeoNames id)."""
    if details is None or details.secretariat_geonames_id is None:
        return None
    return Actor.objects.filter(local__geonames_id=details.secretariat_geonames_id).first()


def _current_pairs() -> list[tuple[int, int]]:
    return list(
        Membership.objects.filter(current_membership_q(), network__kind=ActorKind.NETWORK)
        .values_list("network_id", "member_id")
        .distinct()
    )


def network_overlap() -> dict[str, Any]:
    """Networks with at least one member, and how many members each pair shares (diagonal: its size)."""
    members: dict[int, set[int]] = defaultdict(set)
    for network_id, member_id in _current_pairs():
        members[network_id].add(member_id)
    networks = sorted(Actor.objects.filter(pk__in=members).select_related("network"), key=lambda a: a.name)
    matrix = [[len(members[row.pk] & members[col.pk]) for col in networks] for row in networks]
    return {"networks": networks, "matrix": matrix}


class BridgingMember(TypedDict):
    actor: Actor
    networks: list[Actor]  # by name


def bridging_members(*, min_networks: int = 2, limit: int = 200) -> list[BridgingMember]:
    """Actors in at least `min_networks` networks, most networks first, then the most populous."""
    networks_of: dict[int, set[int]] = defaultdict(set)
    for network_id, member_id in _current_pairs():
        networks_of[member_id].add(network_id)
    bridging = {member: nets for member, nets in networks_of.items() if len(nets) >= min_networks}
    if not bridging:
        return []
    actors = Actor.objects.filter(pk__in=bridging).select_related("country", "local")
    network_ids = set().union(*bridging.values())
    networks = {n.pk: n for n in Actor.objects.filter(pk__in=network_ids)}
    rows: list[BridgingMember] = [
        {"actor": actor, "networks": sorted((networks[n] for n in bridging[actor.pk]), key=lambda a: a.name)}
        for actor in actors
    ]
    rows.sort(key=lambda row: (-len(row["networks"]), *_population_then_name(row["actor"])))
    return rows[:limit]


# --- Points for maps ------------------------------------------------------------------------------

RecordProvider = Callable[[], Iterable[int]]
_record_providers: list[RecordProvider] = []


def register_record_provider(fn: RecordProvider) -> None:
    """Later apps tell actors which actors have records of theirs (assessments, practices…)."""
    if fn not in _record_providers:
        _record_providers.append(fn)


def _actors_with_memberships() -> Iterable[int]:
    return Membership.objects.values_list("member_id", flat=True).distinct()


register_record_provider(_actors_with_memberships)


def places_with_records() -> list[dict[str, Any]]:
    """Point dicts for every government with any record beyond reference data."""
    ids: set[int] = set()
    # Providers that answer with a queryset of ids are read in one UNION query, so the home page costs the same
    # number of queries however many apps register.
    querysets: list[QuerySet[Any]] = []
    for provider in _record_providers:
        found = provider()
        if isinstance(found, QuerySet):
            querysets.append(found.order_by())
        else:
            ids.update(found)
    if querysets:
        ids.update(querysets[0].union(*querysets[1:]) if len(querysets) > 1 else querysets[0])
    if not ids:
        return []
    actors = (
        Actor.objects.filter(pk__in=ids, kind__in=GOVERNMENT_KINDS)
        .select_related("country", "local")
        .order_by(*_population_order())
    )
    return actor_points(actors=actors)


def _actor_url(actor: Actor) -> str:
    try:
        return reverse("actors:actor_detail", args=[actor.slug])
    except NoReverseMatch:  # the pages are not mounted (e.g. an API-only deployment)
        return ""


def actor_points(*, actors: Iterable[Actor]) -> list[dict[str, Any]]:
    """Map points (the shape of `arrival.reports.maps.point`) for the actors that have coordinates.

    Built here rather than with reports' helper because actors sits below reports (DESIGN.md).
    """
    points = []
    for actor in actors:
        local = getattr(actor, "local", None)
        if local is None or local.latitude is None or local.longitude is None:
            continue
        points.append(
            {
                "name": actor.name,
                "url": _actor_url(actor),
                "lat": local.latitude,
                "lon": local.longitude,
                "value": actor.population,
                "label": actor.country.display_name if actor.country is not None else "",
                "group": None,
            }
        )
    return points


# --- Page summaries (added for the public pages) ---------------------------------------------------


def actor_counts() -> dict[str, int]:
    """Key counts for the home page: countries and territories, local governments, networks."""
    return {
        "countries": Country.objects.count(),
        "local_governments": Actor.objects.filter(kind=ActorKind.LOCAL_GOVERNMENT).count(),
        "networks": Actor.objects.filter(kind=ActorKind.NETWORK).count(),
    }


def membership_demo_exists() -> bool:
    """Whether any membership was invented for the demo, so pages that aggregate them can say so."""
    return Membership.objects.filter(is_demo=True).exists()
