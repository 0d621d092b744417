import csv
import shutil

import pytest

from arrival.core.setup_steps import REFERENCE, steps
from arrival.frameworks.loader import DATA_DIR, FrameworkDataError, load_frameworks
from arrival.frameworks.models import CrosswalkLink, Framework, FrameworkItem, FrameworkKind, Tag
from arrival.frameworks.selectors import item_get
from tests.actors.factories import ActorFactory

EXPECTED = {
    "gcm_objective 2018": 23,
    "gcm_principle 2018": 10,
    "sdg_goal 2015": 17,
    "sdg_target 2015": 23,
    "nua_paragraph 2016": 13,
    "domain MiGOF 2015": 6,
    "crosswalk links": 74,
}


def _counts() -> dict[str, int]:
    counts = {f"{f.kind} {f.version}": f.items.count() for f in Framework.objects.all()}
    counts["crosswalk links"] = CrosswalkLink.objects.count()
    return counts


def test_loader_is_registered_as_a_reference_setup_step():
    step = next(step for step in steps() if step.name == "frameworks")
    assert step.order == REFERENCE
    assert step.run is load_frameworks


def test_loader_loads_every_framework_with_the_right_counts(frameworks):
    assert frameworks == EXPECTED
    assert _counts() == EXPECTED
    assert Framework.objects.filter(is_current=True).count() == 6


def test_loader_is_idempotent(frameworks):
    ids = set(FrameworkItem.objects.values_list("pk", flat=True))
    links = set(CrosswalkLink.objects.values_list("pk", flat=True))
    assert load_frameworks() == EXPECTED
    assert set(FrameworkItem.objects.values_list("pk", flat=True)) == ids
    assert set(CrosswalkLink.objects.values_list("pk", flat=True)) == links


def test_versions_and_parents(frameworks):
    target = item_get(kind=FrameworkKind.SDG_TARGET, code="10.7")
    assert target.framework.version == "2015"
    assert (target.parent.framework.kind, target.parent.code, target.parent.label) == ("sdg_goal", "10", "Reduced inequalities")
    assert target.description.startswith("the central migration target")
    assert item_get(kind=FrameworkKind.DOMAIN, code="D1").framework.version == "MiGOF 2015"
    assert item_get(kind=FrameworkKind.GCM_OBJECTIVE, code="15").label == "Access to basic services for migrants"
    principles = list(FrameworkItem.objects.filter(framework__kind=FrameworkKind.GCM_PRINCIPLE).values_list("code", "label"))
    assert principles[0] == ("a", "People-centred") and principles[-1] == ("j", "Whole-of-society approach")


def test_nua_paragraphs_to_verify_carry_a_note(frameworks):
    noted = FrameworkItem.objects.filter(framework__kind=FrameworkKind.NUA_PARAGRAPH).exclude(note="")
    assert sorted(noted.values_list("code", flat=True)) == ["148", "155"]
    assert "verified" in noted.first().note


def test_crosswalk_matches_the_data_file(frameworks):
    with (DATA_DIR / "crosswalk.csv").open() as handle:
        d3 = next(row for row in csv.DictReader(handle) if row["migof_domain"] == "D3")
    linked = CrosswalkLink.objects.filter(domain__code="D3").select_related("item__framework")
    by_kind = {kind: sorted(link.item.code for link in linked if link.item.framework.kind == kind) for kind in FrameworkKind.values}
    assert by_kind["gcm_objective"] == sorted(d3["gcm_objectives"].split(";"))
    assert by_kind["sdg_target"] == sorted(d3["sdg_targets"].split(";"))
    assert by_kind["nua_paragraph"] == sorted(d3["nua_paragraphs"].split(";"))


def _copy_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def test_a_crosswalk_naming_an_unknown_code_changes_nothing(frameworks, tmp_path):
    data = _copy_data(tmp_path)
    text = (data / "crosswalk.csv").read_text().replace('"1.5;11.5;13.1"', '"1.5;11.5;99.9"')
    (data / "crosswalk.csv").write_text(text)
    (data / "gcm_objectives.csv").write_text((data / "gcm_objectives.csv").read_text().replace("Access to basic services", "Changed"))
    with pytest.raises(FrameworkDataError, match="99.9"):
        load_frameworks(data_dir=data)
    assert item_get(kind="gcm_objective", code="15").label == "Access to basic services for migrants"
    assert _counts() == EXPECTED


def test_a_revised_crosswalk_replaces_the_links(frameworks, tmp_path):
    data = _copy_data(tmp_path)
    (data / "crosswalk.csv").write_text((data / "crosswalk.csv").read_text().replace('"1.5;11.5;13.1"', '"1.5;11.5"'))
    assert load_frameworks(data_dir=data)["crosswalk links"] == 73
    assert not CrosswalkLink.objects.filter(domain__code="D5", item__code="13.1").exists()


def test_an_item_with_tags_cannot_vanish_from_its_version(frameworks, tmp_path, superuser):
    from arrival.frameworks.services import tag_add

    tag_add(user=superuser, record=ActorFactory(), item=item_get(kind="gcm_objective", code="23"))
    data = _copy_data(tmp_path)
    lines = (data / "gcm_objectives.csv").read_text().splitlines()
    (data / "gcm_objectives.csv").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(FrameworkDataError, match="new version"):
        load_frameworks(data_dir=data)
    assert Tag.objects.count() == 1 and _counts() == EXPECTED


def test_a_new_version_becomes_current_and_the_old_one_stays(frameworks, tmp_path):
    data = _copy_data(tmp_path)
    with (data / "frameworks.csv").open("a") as handle:
        handle.write('domain,MiGOF 2030,Migration governance domains,migof_domains.csv,"a later revision"\n')
    load_frameworks(data_dir=data)
    assert Framework.objects.get(kind="domain", is_current=True).version == "MiGOF 2030"
    assert Framework.objects.get(kind="domain", version="MiGOF 2015").items.count() == 6
    assert item_get(kind="domain", code="D1", version="MiGOF 2015").framework.version == "MiGOF 2015"
