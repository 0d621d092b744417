"""Demo sign-ins made by `arrival setup` outside production: an officer who can open a cycle, a validator."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arrival.accounts.models import Role, RoleKind, User
from arrival.assessments.demo import (
    AWAITING_VALIDATION,
    DEMO_CITIES,
    DEMO_OFFICER_USERNAME,
    DEMO_VALIDATOR_USERNAME,
    load_demo_accounts,
)
from arrival.assessments.models import Assessment
from tests.actors.factories import LocalGovernmentFactory
from tests.assessments.factories import load_lmgf

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities():
    load_lmgf()
    return [LocalGovernmentFactory(geonames_id=geonames_id).actor for geonames_id in DEMO_CITIES[:4]]


def test_two_demo_accounts_with_fresh_passwords_printed_and_usable(cities, settings):
    settings.PRODUCTION = False
    year = timezone.now().year
    Assessment.objects.create(government=cities[0], framework=load_lmgf(), cycle=year, is_demo=True)
    out = io.StringIO()
    passwords = load_demo_accounts(stdout=out)
    text = out.getvalue()
    assert "demo accounts" in text
    for username, password in passwords.items():
        assert f"{username} / {password}" in text
    officer = User.objects.get(username=DEMO_OFFICER_USERNAME)
    validator = User.objects.get(username=DEMO_VALIDATOR_USERNAME)
    assert officer.is_demo and validator.is_demo and not officer.is_staff
    officer_role = Role.objects.get(user=officer, ended_at__isnull=True)
    validator_role = Role.objects.get(user=validator, ended_at__isnull=True)
    # The officer's city has no assessment this year (the first one has); the validator is in another city.
    assert officer_role.kind == RoleKind.OFFICER and officer_role.actor == cities[1]
    assert validator_role.kind == RoleKind.REVIEWER and validator_role.actor not in (cities[1],)
    assert validator_role.actor.local.geonames_id not in AWAITING_VALIDATION
    assert officer.has_perm("assessments.open_assessment", cities[1])
    client = Client()
    signed_in = client.post(reverse("accounts:login"),
                            {"username": DEMO_OFFICER_USERNAME, "password": passwords[DEMO_OFFICER_USERNAME]})
    assert signed_in.status_code == 302
    response = client.post(reverse("assessments:open", args=[cities[1].slug]), {"cycle": year})
    assert response.status_code == 302 and Assessment.objects.filter(government=cities[1], cycle=year).exists()


def test_every_run_resets_the_passwords_and_moves_a_busy_officer(cities, settings):
    settings.PRODUCTION = False
    first = load_demo_accounts()
    Assessment.objects.create(government=cities[0], framework=load_lmgf(), cycle=timezone.now().year, is_demo=True)
    second = load_demo_accounts()
    assert set(first) == set(second) and all(first[name] != second[name] for name in first)
    officer = User.objects.get(username=DEMO_OFFICER_USERNAME)
    assert not officer.check_password(first[DEMO_OFFICER_USERNAME])
    assert officer.check_password(second[DEMO_OFFICER_USERNAME])
    current = Role.objects.filter(user=officer, ended_at__isnull=True)
    assert [role.actor for role in current] == [cities[1]]  # the old city's role ended
    assert Role.objects.filter(user=officer, actor=cities[0], ended_at__isnull=False).exists()
    assert User.objects.filter(username__in=[DEMO_OFFICER_USERNAME, DEMO_VALIDATOR_USERNAME]).count() == 2


def test_never_in_production(cities, settings):
    settings.PRODUCTION = True
    out = io.StringIO()
    assert load_demo_accounts(stdout=out) == {}
    assert not User.objects.filter(username__in=[DEMO_OFFICER_USERNAME, DEMO_VALIDATOR_USERNAME]).exists()
    assert "never" in out.getvalue() and "/" not in out.getvalue()


def test_the_step_is_registered_after_the_demo_assessments():
    from arrival.core.setup_steps import DEMO, steps

    by_name = {step.name: step for step in steps()}
    assert by_name["assessments.demo_accounts"].order == DEMO + 50 > by_name["assessments.demo"].order


def test_the_demo_validator_finds_the_waiting_demo_assessment_in_my_work(cities, settings):
    from arrival.assessments.demo import load_demo_assessments
    from tests.engagement.handoffs import assert_in_work

    settings.PRODUCTION = False
    load_demo_assessments()  # Mechelen (the first demo city) keeps its latest cycle waiting for validation
    # Mechelen is busy this year, so the demo validator goes to a city that Mechelen did not name.
    Assessment.objects.create(government=cities[0], framework=load_lmgf(), cycle=timezone.now().year, is_demo=True)
    load_demo_accounts()
    validator = User.objects.get(username=DEMO_VALIDATOR_USERNAME)
    waiting = Assessment.objects.get(status="submitted")
    item = assert_in_work(validator, "assessments.validate", url=reverse("assessments:validation", args=[waiting.pk]))
    assert item.for_actor == Role.objects.get(user=validator, ended_at__isnull=True).actor.name
    assert waiting.named_validators.count() == 2
    load_demo_accounts()  # a second run names nobody twice
    assert waiting.named_validators.count() == 2
