"""Demo commitments (all `is_demo=True`): real cities from the loaded places stand behind invented pledges.

Nothing here reports what these cities actually promised or did; every text says it is illustrative and every
record shows the demo badge. Some commitments come from the demo consultation's contributions (keeping the
link), the others are standalone. They go through the real services — written by a demo officer, approved by a
demo administrator of the city, submitted, published by a demo publisher (staff of the consultation's owner
or of a network the city is a demo member of) — so statuses spread naturally: some stay drafts, in approval or
submitted. Published ones get milestones (some overdue), indicators, dated progress updates going back to the
year they started (a city registering an earlier pledge with its history), reports to forums from the loaded
forum list and a submission window for the next IMRF. Idempotent: a second run finds the demo and stops.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from arrival.accounts.models import Role, RoleKind, User
from arrival.actors.models import Actor, ActorKind, Membership
from arrival.commitments import services
from arrival.commitments.models import Commitment, CommitmentStatus, SubmissionWindow
from arrival.frameworks.models import FrameworkItem, FrameworkKind

NOTE = "Illustrative demo text — not a commitment made by this city."

# GeoNames id, GCM objectives, SDG target, title, forms, final status, start year, updates
# [(days ago, status, percent)], milestones [(title, days from now; negative = past)], forum reports.
STANDALONE: list[dict[str, Any]] = [
    {"city": 2643743, "gcm": ["16", "17"], "sdg": "10.2", "title": "Neighbourhood welcome hosts in every borough",
     "forms": ["human_resources", "process"], "status": "published", "start": 2022,
     "updates": [(1200, "planning", 5), (800, "in_progress", 35), (300, "in_progress", 60)],
     "milestones": [("Hosts trained in the first ten boroughs", -500, True), ("Hosts in every borough", -30, False),
                    ("Independent evaluation published", 200, False)],
     "indicator": ("Newcomers met by a host within a month", "people per year", 300, 2000, 1350),
     "reports": [("imrf-2022", 1280)]},
    {"city": 2988507, "gcm": ["15"], "sdg": "3.8", "title": "Health centres open to every resident, whatever their papers",
     "forms": ["policy", "financial"], "status": "closed", "start": 2022,
     "updates": [(1100, "in_progress", 30), (600, "in_progress", 70), (90, "fulfilled", 100)],
     "milestones": [("Council decision", -900, True), ("All district centres open", -120, True)],
     "indicator": ("District health centres open to all", "centres", 4, 20, 20), "reports": [("wuf12-2024", 750)]},
    {"city": 3117735, "gcm": ["6", "18"], "sdg": "8.8", "title": "Skills recognition desk for newly arrived workers",
     "forms": ["process", "human_resources"], "status": "published", "start": 2023,
     "updates": [(700, "planning", 10), (250, "in_progress", 40)],
     "milestones": [("Agreement with the regional employment office", -400, True),
                    ("Desk open in two districts", -45, False), ("Desk open city-wide", 10, False)],
     "indicator": ("Qualifications recognised", "per year", 0, 1500, 420), "reports": []},
    {"city": 250441, "gcm": ["15", "23"], "sdg": "11.1", "title": "Urban services plan that counts every resident",
     "forms": ["policy", "process"], "status": "published", "start": 2022,
     "updates": [(1000, "in_progress", 20), (400, "lapsed", 20)],
     "milestones": [("Resident count method agreed with the national statistics office", -700, False)],
     "indicator": None, "reports": [("imrf-2022", 1270)]},
    {"city": 6167865, "gcm": ["16"], "sdg": "16.7", "title": "Newcomer advisory table at city hall",
     "forms": ["process"], "status": "submitted", "start": 2026, "updates": [], "milestones": [("First meeting", 60, False)],
     "indicator": None, "reports": []},
    {"city": 184745, "gcm": ["1"], "sdg": "17.18", "title": "Local data on services used by migrants, in aggregate",
     "forms": ["process", "financial"], "status": "internal_approval", "start": 2026, "updates": [],
     "milestones": [("Data-sharing agreement", 120, False)], "indicator": None, "reports": []},
    {"city": 2800866, "gcm": ["7"], "sdg": "5.2", "title": "Safe reporting of crime for every resident",
     "forms": ["policy"], "status": "draft", "start": 2026, "updates": [], "milestones": [], "indicator": None,
     "reports": []},
]
# What the demo consultation's contributions turn into (by position among its contributions).
FROM_CONTRIBUTIONS: list[dict[str, Any]] = [
    {"status": "published", "forms": ["policy", "process"], "updates": [(200, "in_progress", 25), (20, "in_progress", 45)],
     "milestones": [("Single entry point opened", -15, False), ("Review with residents", 90, False)],
     "reports": [("gcm-stocktaking-2017", 2900)]},
    {"status": "published", "forms": ["human_resources"], "updates": [(100, "planning", 10)],
     "milestones": [("Programme partners chosen", 7, False)], "reports": []},
    {"status": "submitted", "forms": ["policy"], "updates": [], "milestones": [("Plan adopted", 180, False)],
     "reports": []},
]


def _user(username: str, display_name: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name,
                                                                            "is_demo": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _role(user: User, actor: Actor, kind: str) -> User:
    Role.objects.get_or_create(user=user, actor=actor, kind=kind, ended_at=None)
    return user


def _officer(actor: Actor) -> User:
    # The same person as the other demos' officer of this city.
    if actor.kind == ActorKind.LOCAL_GOVERNMENT and hasattr(actor, "local"):
        return _role(_user(f"demo-officer-{actor.local.geonames_id}", f"Demo officer, {actor.name}"), actor,
                     RoleKind.OFFICER)
    return _role(_user(f"demo-staff-{actor.slug}", f"Demo staff, {actor.name}"), actor, RoleKind.STAFF)


def _administrator(actor: Actor) -> User:
    return _role(_user(f"demo-admin-{actor.slug}"[:150], f"Demo administrator, {actor.name}"), actor,
                 RoleKind.ADMINISTRATOR)


def _publisher_for(actor: Actor) -> User | None:
    """A demo publisher: staff of a network `actor` is a current member of (none: it stays submitted)."""
    today = timezone.localdate()
    membership = (Membership.objects.filter(member=actor, network__kind=ActorKind.NETWORK)
                  .exclude(until__lt=today).select_related("network").order_by("network__name").first())
    if membership is None:
        return None
    return _role(_user("demo-commitments-publisher", "Demo publisher of commitments"), membership.network,
                 RoleKind.STAFF)


def _items(codes: list[str], kind: str) -> list[FrameworkItem]:
    return list(FrameworkItem.objects.filter(framework__kind=kind, framework__is_current=True, code__in=codes)
                .select_related("framework"))


def _principles() -> list[FrameworkItem]:
    return list(FrameworkItem.objects.filter(framework__kind=FrameworkKind.GCM_PRINCIPLE, framework__is_current=True)
                .select_related("framework").order_by("position")[:2])


def _advance(commitment: Commitment, target: str, lead: Actor, officer: User, publisher: User | None) -> Commitment:
    order: list[str] = [CommitmentStatus.DRAFT, CommitmentStatus.INTERNAL_APPROVAL, CommitmentStatus.SUBMITTED,
             CommitmentStatus.PUBLISHED, CommitmentStatus.CLOSED]
    goal = order.index(target)
    if goal >= 1:
        services.commitment_submit_for_approval(user=officer, commitment=commitment)
    if goal >= 2:  # noqa: PLR2004 - the position of "submitted" in the lifecycle
        services.commitment_approve(user=_administrator(lead), commitment=commitment)
        services.commitment_submit(user=officer, commitment=commitment)
    if goal >= 3 and publisher is not None:  # noqa: PLR2004 - the position of "published"
        services.commitment_publish(user=publisher, commitment=commitment)
    return commitment


def _history(commitment: Commitment, spec: dict[str, Any], officer: User) -> None:
    today = timezone.localdate()
    if commitment.status != CommitmentStatus.PUBLISHED:
        return
    for days, status, percent in spec["updates"]:
        services.progress_update_add(
            user=officer, commitment=commitment, reported_on=today - dt.timedelta(days=days), status=status,
            # No evidence link: a demo has no real document to point to, and a made-up address would pose as one.
            percent=percent, narrative=f"{NOTE} Progress as the demo imagines it: {percent}% done.")
    for title, days, done in spec["milestones"]:
        milestone = next((m for m in commitment.milestones.all() if m.title == title), None)
        if milestone is not None and done:
            done_on = max(today - dt.timedelta(days=max(-days - 5, 1)), services.commitment_made_on(commitment))
            services.milestone_complete(user=officer, milestone=milestone, done_on=done_on, note=NOTE)
    for key, days in spec["reports"]:
        forum = _forum(key)
        if forum is None:  # a forum missing from the loaded list is simply not reported to
            continue
        services.commitment_report_to_forum(user=officer, commitment=commitment, forum=forum,
                                            reported_on=today - dt.timedelta(days=days), summary=NOTE)
    if spec["status"] == CommitmentStatus.CLOSED:
        services.commitment_close(user=officer, commitment=commitment, note=NOTE)


def _forum(key: str) -> Any:
    from arrival.consultations import selectors as consultation_selectors

    try:
        return consultation_selectors.forum_get(key=key)
    except Http404:
        return None


def _make(lead: Actor, spec: dict[str, Any], *, contribution: Any = None, publisher: User | None) -> Commitment:
    officer = _officer(lead)
    today = timezone.localdate()
    milestones = [{"title": title, "due_on": today + dt.timedelta(days=days)} for title, days, _done in spec["milestones"]]
    start = dt.date(spec.get("start", today.year), 1, 15)
    common = {"forms": spec["forms"], "starts_on": start, "target_date": max(today + dt.timedelta(days=365), start),
              "contact_role": "Migrant inclusion office (demo)", "milestones": milestones, "is_demo": True}
    indicator = spec.get("indicator")
    if indicator:
        common["indicators"] = [{"name": indicator[0], "unit": indicator[1], "baseline": indicator[2],
                                 "baseline_year": start.year, "target": indicator[3]}]
    if contribution is not None:
        commitment = services.commitment_create_from_contribution(user=officer, contribution=contribution, lead=lead,
                                                                  title=f"Commitment (demo): {contribution.title}"[:250],
                                                                  **common)
    else:
        tags = (_items(spec["gcm"], FrameworkKind.GCM_OBJECTIVE) + _items([spec["sdg"]], FrameworkKind.SDG_TARGET)
                + _principles())
        commitment = services.commitment_create(
            user=officer, lead=lead, title=f"{spec['title']} (demo)", description=f"{NOTE} {spec['title']}.",
            tags=tags, **common)
    _advance(commitment, spec["status"], lead, officer, publisher)
    if indicator and commitment.status == CommitmentStatus.PUBLISHED:
        # A short series from the baseline towards the latest value, so the indicator's chart has a line to draw.
        baseline, latest = indicator[2], indicator[4]
        for row in commitment.indicators.all():
            for share, days in ((0.3, 390), (0.65, 210), (1.0, 30)):
                services.indicator_value_set(user=officer, indicator=row,
                                             value=round(baseline + share * (latest - baseline)),
                                             measured_on=today - dt.timedelta(days=days))
    _history(commitment, spec, officer)
    return commitment


def _consultation_contributions() -> tuple[Any, list[Any]]:
    from arrival.consultations import selectors as consultation_selectors

    consultation = next((c for c in consultation_selectors.consultation_list() if c.is_demo), None)
    if consultation is None:
        return None, []
    return consultation, list(consultation_selectors.contribution_list(consultation=consultation))


def _window() -> None:
    forum = _forum("imrf-2026")
    if forum is None:
        return
    now = timezone.now()
    staff = _user("demo-calendar-keeper", "Demo calendar keeper")
    network = Actor.objects.filter(kind=ActorKind.NETWORK).order_by("pk").first()
    if network is None:
        return
    _role(staff, network, RoleKind.STAFF)
    services.submission_window_create(
        user=staff, forum=forum, title="Local progress reports for the IMRF (demo window)",
        opens_at=now - dt.timedelta(days=30), closes_at=now + dt.timedelta(days=10),
        asks="Demo: a short report on the progress of each published commitment. The dates are invented for the demo.",
        language="en", source="Invented for the demo", is_demo=True)


def load_demo_commitments(*, stdout: IO[str] | Any | None = None, **_: Any) -> dict[str, Any]:
    if Commitment.objects.filter(is_demo=True).exists():
        return {"created": 0}
    cities = {a.local.geonames_id: a for a in Actor.objects.filter(
        kind=ActorKind.LOCAL_GOVERNMENT, local__geonames_id__in=[s["city"] for s in STANDALONE]).select_related("local")}
    made = []
    with transaction.atomic():
        consultation, contributions = _consultation_contributions()
        if consultation is not None:
            owner_staff = _role(_user("demo-commitments-publisher", "Demo publisher of commitments"),
                                consultation.process.owner, RoleKind.STAFF)
            for contribution, spec in zip(contributions, FROM_CONTRIBUTIONS, strict=False):
                made.append(_make(contribution.actor, spec, contribution=contribution, publisher=owner_staff))
        for spec in STANDALONE:
            city = cities.get(spec["city"])
            if city is not None:
                made.append(_make(city, spec, publisher=_publisher_for(city)))
        if not SubmissionWindow.objects.filter(is_demo=True).exists():
            _window()
    if stdout is not None:
        stdout.write(f"  {len(made)} demo commitments\n")
    return {"created": len(made)}
