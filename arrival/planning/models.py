"""Intake rounds: a national government's planners, the localities' declarations, keys, plans, dialogue, funding.

Case records (`Case`) are pseudonymous families of one round: they carry no names and no status, are read
only by that round's national planners, and are never joined to other apps' data (DESIGN.md rules 1 and 3).
Everything a locality sees is aggregate: `Allocation` rows by category, with the service units they use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrival.actors.models import Actor
from arrival.core.models import DemoFlagged, TimeStampedModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The services a locality declares capacity for (and a case may need), in the order forms show them.
SERVICES: tuple[tuple[str, StrOrPromise], ...] = (
    ("housing_1br", _("Housing units, one bedroom")),
    ("housing_2br", _("Housing units, two bedrooms")),
    ("housing_3br", _("Housing units, three or more bedrooms")),
    ("school_6_11", _("School places, ages 6–11")),
    ("school_12_17", _("School places, ages 12–17")),
    ("childcare", _("Childcare places, under 6")),
    ("language_course", _("Language-course seats")),
    ("health", _("Health-care capacity (persons)")),
    ("interpreter", _("Interpreter capacity (persons)")),
)
SERVICE_KEYS = tuple(key for key, _label in SERVICES)
SERVICE_LABELS = dict(SERVICES)

SECTORS: tuple[tuple[str, StrOrPromise], ...] = (
    ("agriculture", _("Agriculture")),
    ("construction", _("Construction")),
    ("manufacturing", _("Manufacturing")),
    ("care", _("Health and care")),
    ("hospitality", _("Hospitality")),
    ("logistics", _("Transport and logistics")),
    ("ict", _("Information technology")),
    ("education", _("Education")),
)
SECTOR_KEYS = tuple(key for key, _label in SECTORS)
SECTOR_LABELS = dict(SECTORS)


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for declarations")
    PLANNING = "planning", _("Planning")
    PUBLISHED = "published", _("Draft plan published")
    AGREED = "agreed", _("Agreed")
    CLOSED = "closed", _("Closed")


class KeyName(models.TextChoices):
    POPULATION = "population", _("Population")
    KOENIGSTEIN = "koenigstein", _("Königstein-style (tax revenue and population)")
    EU2015 = "eu2015", _("EU-2015-style (population, GDP, unemployment, past effort)")
    CUSTOM = "custom", _("Custom weighted key")


class UndeclaredRule(models.TextChoices):
    """What a plan does with a locality that has no submitted declaration when it is computed."""

    EXCLUDE = "exclude", _("Exclude it: it receives no one")
    KEY_QUOTA = "key_quota", _("Use its key quota only: at most its quota, no service limits")
    LAST_ROUND = "last_round", _("Use its declaration in the government's previous round (else exclude it)")


def default_case_languages() -> list[str]:
    return ["ar", "fa", "ps", "ti", "uk", "fr", "en", "so", "ku"]


def default_case_groups() -> list[str]:
    return ["group_a", "group_b"]


class IntakeRound(TimeStampedModel, DemoFlagged):
    government = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="intake_rounds", verbose_name=_("national government")
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    total = models.PositiveIntegerField(_("persons to place"))
    deadline = models.DateTimeField(_("deadline for declarations"))
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    # When the round opened for declarations: since then a locality's missing declaration waits on its team.
    opened_at = models.DateTimeField(_("opened for declarations"), null=True, blank=True)
    weight_outcome = models.FloatField(_("weight of the predicted outcome"), default=1.0)
    weight_preference = models.FloatField(_("weight of preferences"), default=0.0)
    weight_demand = models.FloatField(_("weight of labour demand"), default=0.0)
    key_name = models.CharField(_("distribution key"), max_length=16, choices=KeyName.choices,
                                default=KeyName.POPULATION)
    key_weights = models.JSONField(_("custom key weights"), default=dict, blank=True)
    band = models.FloatField(_("band around the key"), null=True, blank=True,
                             help_text=_("e.g. 0.2: each locality places within ±20 per cent of its key quota"))
    unplaced_penalty = models.FloatField(_("penalty for an unplaced family"), default=1.0)
    undeclared_rule = models.CharField(_("localities without a submitted declaration"), max_length=12,
                                       choices=UndeclaredRule.choices, default=UndeclaredRule.KEY_QUOTA)
    # The closed lists a case record's codes come from (arrival/planning/cases.py checks every case against them).
    case_languages = models.JSONField(_("language codes of the cases"), default=default_case_languages, blank=True)
    case_groups = models.JSONField(_("groups of the cases"), default=default_case_groups, blank=True)
    currency = models.CharField(_("funding currency"), max_length=3, default="EUR")
    # The outcome model trained on the planner's historical records (services.outcome_model_train): its published
    # coefficients and what is needed to predict (standardisation, demand normalisation), l2, iterations, the
    # number of records, when and by whom. The records themselves are not kept. {} = none.
    outcome_model = models.JSONField(_("trained outcome model"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.title


class PlanningCategory(models.Model):
    """An aggregate category of the round (resettlement, relocation, unaccompanied minors…)."""

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=120)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "code"], name="planning_category_unique")]

    def __str__(self) -> str:
        return self.label


class RoundLocality(models.Model):
    """A local or regional government taking part in the round; `region` comes from the planner's table."""

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="localities")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="intake_participations")
    region = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))

    class Meta:
        ordering = ["actor__name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "actor"], name="planning_locality_unique")]

    def __str__(self) -> str:
        return f"{self.actor} ({self.round})"


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class CapacityState(models.TextChoices):
    PROVIDED = "provided", _("Provided")
    PARTIAL = "partial", _("Partial")
    NOT_PROVIDED = "not_provided", _("Not provided")
    NO_LIMIT = "no_limit", _("No limit")


class Declaration(TimeStampedModel, DemoFlagged):
    """A locality's current declaration for a round; a revision sent with an objection replaces its values."""

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="declarations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="intake_declarations")
    status = models.CharField(_("status"), max_length=10, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.DRAFT)
    places_volunteered = models.PositiveIntegerField(_("places volunteered"), null=True, blank=True)
    funding_needs = models.DecimalField(_("funding needs"), max_digits=14, decimal_places=2, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["actor__name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "actor"], name="planning_declaration_unique")]

    def __str__(self) -> str:
        return f"{self.actor} — {self.round}"


class DeclaredCapacity(models.Model):
    """One service of a declaration: provided or partial (value = the capacity), not provided (capacity 0) or
    no limit (the service does not constrain the plan in this locality)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="capacities")
    service = models.CharField(_("service"), max_length=32, choices=SERVICES)
    value = models.FloatField(_("units"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=CapacityState.choices,
                             default=CapacityState.NOT_PROVIDED)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "service"], name="planning_capacity_unique")]

    def __str__(self) -> str:
        return f"{self.service}: {self.value} ({self.state})"


class LabourDemand(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="labour_demand")
    sector = models.CharField(_("sector"), max_length=32, choices=SECTORS)
    value = models.FloatField(_("vacancies"))

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "sector"], name="planning_labour_unique")]

    def __str__(self) -> str:
        return f"{self.sector}: {self.value}"


class KeyInputSource(models.TextChoices):
    PLANNER = "planner", _("Entered by the planner")
    DECLARATION = "declaration", _("From the declaration")


class KeyInput(TimeStampedModel, DemoFlagged):
    """The figures a distribution key reads for one locality (population defaults to the actor's)."""

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="key_inputs")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    tax_revenue = models.FloatField(_("tax revenue"), null=True, blank=True)
    gdp = models.FloatField(_("GDP"), null=True, blank=True)
    unemployment_rate = models.FloatField(_("unemployment rate (%)"), null=True, blank=True)
    past_effort = models.FloatField(_("past effort (persons received)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=KeyInputSource.choices,
                              default=KeyInputSource.PLANNER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "actor"], name="planning_keyinput_unique")]


class Case(DemoFlagged):
    """A family to place: pseudonymous id, never a name, never a legal or migration status.

    Every field is closed or numeric (arrival/planning/cases.py): the id an opaque code, origin an ISO 3166 or M49
    code, languages, group and category from the round's lists, needs and skills keyed by the services and sectors.
    """

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="cases")
    pseudonym = models.CharField(_("pseudonymous id"), max_length=64)
    size = models.PositiveSmallIntegerField(_("family size"))
    needs = models.JSONField(default=dict, blank=True)
    skills = models.JSONField(default=dict, blank=True)
    languages = models.JSONField(default=list, blank=True)
    origin = models.CharField(max_length=64, blank=True)
    preferences = models.JSONField(default=list, blank=True)  # ranked locality ids (actor pk as text)
    tied_to = models.CharField(max_length=32, blank=True)  # a locality id, "" = none
    group = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "pseudonym"], name="planning_case_unique")]

    def __str__(self) -> str:
        return self.pseudonym


class CaseAccessGrant(models.Model):
    """One of the round's planners lets a superuser or site staff member read the round's case records until
    `expires_at` (or until revoked). Given and revoked through services, each on record in the audit log."""

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="case_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("given to"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("given by"))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["round", "user", "expires_at"], name="planning_grant_active")]

    def __str__(self) -> str:
        return f"{self.round_id} → {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    ACCEPTED = "accepted", _("Accepted")


class Plan(TimeStampedModel, DemoFlagged):
    """One version of a round's plan with its certificate (objective, bound, gap) and baselines."""

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    objective = models.FloatField(_("objective"))
    bound = models.FloatField(_("upper bound"))
    gap = models.FloatField(_("gap"))
    seconds = models.FloatField(_("seconds"))
    method = models.CharField(_("method"), max_length=200)
    baselines = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    key = models.JSONField(default=dict, blank=True)  # the key used: name, formula, weights, quotas per locality
    inputs = models.JSONField(default=dict, blank=True)  # what the plan was computed from (declarations, scores)
    assignment = models.JSONField(default=list, blank=True)  # case level: [pseudonym, actor id | None]; planners only
    published_at = models.DateTimeField(null=True, blank=True)
    # The date the planners ask the localities to answer a published version by (a reminder, not a lock).
    respond_by = models.DateTimeField(_("answers requested by"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["round", "-version"]
        constraints = [models.UniqueConstraint(fields=["round", "version"], name="planning_plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.round} v{self.version}"


class Allocation(models.Model):
    """Aggregate numbers only: persons and families of one category placed in one locality, and units used."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="allocations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=40, blank=True)
    persons = models.PositiveIntegerField(default=0)
    families = models.PositiveIntegerField(default=0)
    service_units = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["actor__name", "category"]
        constraints = [models.UniqueConstraint(fields=["plan", "actor", "category"], name="planning_allocation_unique")]

    def __str__(self) -> str:
        return f"{self.plan} — {self.actor_id} {self.category}: {self.persons}"


class ResponseDecision(models.TextChoices):
    ACCEPT = "accept", _("Accepted")
    OBJECT = "object", _("Objected")


class LocalityResponse(DemoFlagged):
    """A locality's answer to a published plan version; an objection carries reasons and a revised declaration.

    An objection opens a thread (`DialogueMessage`): the planners reply, the locality answers back. While the
    locality has the last word, the objection waits on the round's planners (`awaiting_reply_since`); the thread
    closes (`closed_at`) when the locality answers a later version (accepts it or objects to it) or the round is
    agreed or closed.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="responses")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=8, choices=ResponseDecision.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    revised_declaration = models.JSONField(default=dict, blank=True)
    responded_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    awaiting_reply_since = models.DateTimeField(_("waiting for the planners' reply since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("thread closed"), null=True, blank=True)

    class Meta:
        ordering = ["-responded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "actor"], name="planning_response_unique")]
        indexes = [models.Index(fields=["awaiting_reply_since"], name="planning_response_awaiting")]


class DialogueSide(models.TextChoices):
    PLANNERS = "planners", _("The planners")
    LOCALITY = "locality", _("The locality")


class DialogueMessage(DemoFlagged):
    """One message in the thread an objection opens: a planners' reply (which may link to the plan version it
    led to) or the locality's answer back (which may carry a revised declaration)."""

    objection = models.ForeignKey(LocalityResponse, on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(_("from"), max_length=10, choices=DialogueSide.choices)
    body = models.TextField(_("message"))
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_replies",
                             verbose_name=_("plan version it led to"))
    revised_declaration = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.objection_id} {self.side} {self.created_at:%Y-%m-%d %H:%M}"


class FundingBasis(models.TextChoices):
    PERSON = "person", _("per person placed")
    UNIT = "unit", _("per unit of the service used")


FUNDING_PERSON = "person"


class FundingRate(DemoFlagged):
    """Money that follows people: an amount per person placed, or per unit of a service used."""

    round = models.ForeignKey(IntakeRound, on_delete=models.CASCADE, related_name="funding_rates")
    service = models.CharField(_("service"), max_length=32)  # "person" or one of SERVICE_KEYS
    basis = models.CharField(_("basis"), max_length=8, choices=FundingBasis.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "service", "basis"], name="planning_rate_unique")]


# The figures a key can read, with their labels (KeyInput's fields).
KEY_INPUT_FIELDS_LABELS = {
    "population": _("Population"),
    "tax_revenue": _("Tax revenue"),
    "gdp": _("GDP"),
    "unemployment_rate": _("Unemployment rate (%)"),
    "past_effort": _("Past effort"),
}
