"""The demo step: real cities from the loaded places, four languages, supports and answers, all demo-labelled."""

from __future__ import annotations

from arrival.participation.demo import CITIES, load_demo_participation
from arrival.participation.models import Answer, ParticipationProcess, Proposal, Support
from tests.actors.factories import LocalGovernmentFactory


def test_demo_is_labelled_multilingual_and_idempotent() -> None:
    for geonames_id in CITIES:
        LocalGovernmentFactory(geonames_id=geonames_id, latitude=45.0, longitude=5.0)
    load_demo_participation()
    assert ParticipationProcess.objects.filter(is_demo=True).count() == len(CITIES)
    assert {"en", "fr", "es", "ar"} <= set(Proposal.objects.values_list("language", flat=True))
    assert not Proposal.objects.filter(is_demo=False).exists() and not Answer.objects.filter(is_demo=False).exists()
    assert Support.objects.exists() and Answer.objects.exists()
    counts = (Proposal.objects.count(), Support.objects.count(), Answer.objects.count())
    load_demo_participation()
    assert (Proposal.objects.count(), Support.objects.count(), Answer.objects.count()) == counts


def test_demo_skips_cities_not_loaded() -> None:
    load_demo_participation()
    assert not ParticipationProcess.objects.exists()
