"""The demo: labelled commitments by real (loaded) cities, some from the demo consultation's contributions,
statuses spread, dated progress, some overdue, forum reports; idempotent."""

from __future__ import annotations

from collections import Counter

from arrival.commitments import selectors
from arrival.commitments.demo import STANDALONE, load_demo_commitments
from arrival.commitments.models import Commitment, ForumReport, ProgressUpdate, SubmissionWindow
from arrival.consultations.demo import CONTRIBUTORS, ENDORSERS, load_demo_consultation
from arrival.consultations.loaders import load_forums
from arrival.core.setup_steps import steps
from tests.actors.factories import LocalGovernmentFactory, MembershipFactory, NetworkFactory
from tests.practices.factories import ensure_frameworks


def test_the_demo_runs_after_the_consultations_demo():
    order = [step.name for step in steps()]
    assert order.index("consultations.demo") < order.index("commitments.demo")


def test_demo_commitments_are_labelled_spread_and_load_once():
    ensure_frameworks()
    load_forums()
    network = NetworkFactory(actor__name="United Cities and Local Governments (UCLG)").actor
    cities = {}
    for geonames_id in {row[0] for row in CONTRIBUTORS} | set(ENDORSERS) | {spec["city"] for spec in STANDALONE}:
        cities[geonames_id] = LocalGovernmentFactory(geonames_id=geonames_id).actor
    for spec in STANDALONE:
        MembershipFactory(member=cities[spec["city"]], network=network, is_demo=True)
    assert load_demo_consultation()["created"] == 1
    result = load_demo_commitments()
    commitments = Commitment.objects.all()
    assert result["created"] == commitments.count() == len(STANDALONE) + 3
    assert all(commitments.values_list("is_demo", flat=True))
    assert all(ProgressUpdate.objects.values_list("is_demo", flat=True))
    statuses = Counter(commitments.values_list("status", flat=True))
    assert set(statuses) == {"draft", "internal_approval", "submitted", "published", "closed"}
    from_contributions = commitments.filter(source_contribution__isnull=False)
    assert from_contributions.count() == 3 and from_contributions.filter(status="published").count() == 2
    assert selectors.milestones_overdue().exists()
    assert ForumReport.objects.exists() and SubmissionWindow.objects.filter(is_demo=True).exists()
    years = {u.reported_on.year for u in ProgressUpdate.objects.all()}
    assert len(years) >= 3  # dated history over several years
    assert load_demo_commitments() == {"created": 0}
