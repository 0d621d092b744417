"""The demo loader: 240 labelled practices in four languages over all 23 objectives, idempotent."""

from __future__ import annotations

from collections import Counter

from arrival.engagement.models import Process
from arrival.engagement.selectors import phase_current
from arrival.frameworks.models import FrameworkKind, Tag
from arrival.practices import phases
from arrival.practices.demo import CITIES, load_demo_practices
from arrival.practices.models import CallForPractices, Practice, ReviewStage
from tests.actors.factories import LocalGovernmentFactory, NetworkFactory
from tests.practices.factories import ensure_frameworks


def test_demo_practices_cover_every_objective_and_language_and_load_once() -> None:
    ensure_frameworks()
    NetworkFactory()
    for table in CITIES.values():
        for geonames_id in table:
            LocalGovernmentFactory(geonames_id=geonames_id)
    assert load_demo_practices()["created"] == 240
    practices = Practice.objects.all()
    assert all(practices.values_list("is_demo", flat=True))
    assert Counter(practices.values_list("language", flat=True)) == {"en": 60, "fr": 60, "es": 60, "ar": 60}
    stages = Counter(practices.values_list("stage", flat=True))
    assert stages[ReviewStage.PUBLISHED] > 120 and stages[ReviewStage.IN_REVIEW] and stages[ReviewStage.DRAFT]
    published = [str(pk) for pk in practices.filter(stage=ReviewStage.PUBLISHED).values_list("pk", flat=True)]
    objectives = set(Tag.objects.filter(item__framework__kind=FrameworkKind.GCM_OBJECTIVE, object_id__in=published)
                     .values_list("item__code", flat=True))
    assert len(objectives) == 23
    assert practices.filter(adapted_from__isnull=False, stage=ReviewStage.PUBLISHED).count() >= 10
    # The demo calls (one per network, up to two) are engagement processes, labelled demo, in their submissions phase, with answers.
    calls = list(CallForPractices.objects.select_related("process"))
    assert calls and all(c.is_demo and c.process.is_demo for c in calls)
    assert all(phase_current(process=c.process).phase_type == phases.SUBMISSIONS for c in calls)
    assert Practice.objects.filter(call__isnull=False).exists()
    assert load_demo_practices() == {"created": 0, "skipped": 240}
    assert CallForPractices.objects.count() == len(calls) == Process.objects.filter(kind=phases.PROCESS_KIND).count()
