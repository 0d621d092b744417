"""Reference forums (a source per row, no guessed dates) and the demo consultation (labelled, idempotent)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from arrival.consultations.demo import ENDORSERS, load_demo_consultation
from arrival.consultations.loaders import load_forums, read_forums
from arrival.consultations.models import (
    Consultation,
    Contribution,
    Cosignature,
    DocumentVersion,
    Endorsement,
    Forum,
    OutcomeDocument,
)
from arrival.core.setup_steps import DEMO, REFERENCE, steps
from tests.actors.factories import LocalGovernmentFactory, NetworkFactory
from tests.practices.factories import ensure_frameworks


def test_forums_load_idempotently_with_sources() -> None:
    assert load_forums()["created"] == 8
    assert load_forums()["created"] == 0
    assert Forum.objects.count() == 8
    assert all(forum.source for forum in Forum.objects.all())
    puerto = Forum.objects.get(key="gcm-stocktaking-2017")
    assert puerto.place.startswith("Puerto Vallarta") and puerto.starts_on == dt.date(2017, 12, 4)
    imrf = Forum.objects.get(key="imrf-2026")
    assert imrf.year == 2026 and imrf.starts_on is None  # not known for sure: left blank
    assert Forum.objects.get(key="wuf11-2022").place.startswith("Katowice")
    assert Forum.objects.get(key="wuf12-2024").place.startswith("Cairo")
    assert set(Forum.objects.filter(kind="grf").values_list("year", flat=True)) == {2019, 2023}


def test_forums_have_their_names_in_every_un_language_each_with_a_source(tmp_path) -> None:  # noqa: ANN001
    load_forums()
    for forum in Forum.objects.all():
        assert set(forum.translations) == {"fr", "es", "ar", "zh", "ru"}, forum.key
    grf = Forum.objects.get(key="grf-2023")
    with translation.override("ar"):
        assert grf.display_name == str(grf) == "المنتدى العالمي للاجئين 2023"
    with translation.override("en"):
        assert grf.display_name == "Global Refugee Forum 2023"
    # A name without its source, or for a forum the file does not have, is refused and nothing changes.
    names = tmp_path / "forum_names.csv"
    names.write_text("key,language,name,source\ngrf-2023,fr,Forum mondial sur les réfugiés 2023,\n")
    with pytest.raises(ValidationError, match="source"):
        load_forums(names=names)
    names.write_text("key,language,name,source\nno-such-forum,fr,Forum,Arrival's translation\n")
    with pytest.raises(ValidationError, match="no-such-forum"):
        load_forums(names=names)
    assert Forum.objects.get(key="grf-2023").translations["fr"] == {"name": "Forum mondial sur les réfugiés 2023"}


def test_installations_that_loaded_the_forums_before_get_their_names_from_the_migration() -> None:
    import importlib

    from django.apps import apps

    load_forums()
    Forum.objects.update(translations={})
    Forum.objects.filter(key="hlpf").delete()  # a forum of the file this installation does not have
    migration = importlib.import_module("arrival.consultations.migrations.0005_forum_translations")
    migration.names_from_the_file(apps, None)
    assert all(set(forum.translations) == {"fr", "es", "ar", "zh", "ru"} for forum in Forum.objects.all())
    assert Forum.objects.get(key="imrf-2026").translations["zh"] == {"name": "2026年国际移民审查论坛"}


def test_a_row_without_source_is_refused(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "forums.csv"
    bad.write_text("key,name,acronym,kind,year,starts_on,ends_on,place,url,source\nx,X,,hlpf,,,,,,\n")
    with pytest.raises(ValidationError, match="source"):
        read_forums(bad)


def test_setup_steps_registered_in_order() -> None:
    by_name = {step.name: step for step in steps()}
    assert REFERENCE < by_name["consultations.forums"].order < DEMO < by_name["consultations.demo"].order


def test_demo_consultation_is_labelled_traced_and_idempotent() -> None:
    ensure_frameworks()
    load_forums()
    NetworkFactory(actor__name="United Cities and Local Governments (UCLG)")
    for geonames_id in (3128760, 6077243, 250441, 3530597, 232422, 2553604):
        LocalGovernmentFactory(geonames_id=geonames_id)
    result = load_demo_consultation()
    assert result["created"] == 1 and result["contributions"] == 5 and result["endorsements"] == len(ENDORSERS)
    consultation = Consultation.objects.get()
    assert consultation.is_demo and consultation.process.is_demo
    assert consultation.forum.key == "gcm-stocktaking-2017"
    assert all(c.is_demo for c in Contribution.objects.all())
    assert all("Illustrative" in c.proposed_actions for c in Contribution.objects.all())
    assert Cosignature.objects.filter(is_demo=True).count() == 1
    document = OutcomeDocument.objects.get()
    assert document.is_demo and document.adopted_version is not None
    assert all(v.is_demo for v in DocumentVersion.objects.all())
    for paragraph in document.adopted_version.paragraphs.all():
        assert paragraph.editorial or paragraph.sources.exists()
    assert Endorsement.objects.filter(is_demo=True, withdrawn_at__isnull=True).count() == len(ENDORSERS)
    assert load_demo_consultation() == {"created": 0}
    assert Consultation.objects.count() == 1


def test_demo_skips_without_reference_data() -> None:
    assert load_demo_consultation()["created"] == 0
    assert not Consultation.objects.exists()
