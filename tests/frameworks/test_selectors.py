import pytest

from arrival.actors.models import Actor
from arrival.core.models import AuditEvent
from arrival.core.services import audit_record
from arrival.frameworks import selectors
from arrival.frameworks.models import FrameworkKind
from arrival.frameworks.services import tags_set
from tests.actors.factories import ActorFactory


def item(kind: str, code: str):
    return selectors.item_get(kind=kind, code=code)


@pytest.fixture
def tagged(frameworks, superuser):
    """GCM 15 belongs to domain D1 only. Records:
    direct: tagged GCM 15 · both: GCM 15 and SDG 3.8 (D1) · via_sdg: SDG 10.2 (D1, D4) ·
    twice: SDG 3.8 and NUA 34 (both D1) · domain: D1 itself · unrelated: GCM 2 (D5 only).
    """
    names = ["direct", "both", "via_sdg", "twice", "domain", "unrelated"]
    records = {name: ActorFactory(name=name) for name in names}
    tags = {
        "direct": [item("gcm_objective", "15")],
        "both": [item("gcm_objective", "15"), item("sdg_target", "3.8")],
        "via_sdg": [item("sdg_target", "10.2")],
        "twice": [item("sdg_target", "3.8"), item("nua_paragraph", "34")],
        "domain": [item("domain", "D1")],
        "unrelated": [item("gcm_objective", "2")],
    }
    for name, items in tags.items():
        tags_set(user=superuser, record=records[name], items=items)
    return records


def _names(queryset) -> list[str]:
    return sorted(record.name for record in queryset)


def test_framework_list_orders_kinds_and_counts_items(frameworks):
    listed = list(selectors.framework_list())
    assert [f.kind for f in listed] == list(FrameworkKind.values)
    assert {f.kind: f.item_count for f in listed}["gcm_objective"] == 23


def test_framework_items_and_item_get_use_the_current_version(frameworks):
    codes = list(selectors.framework_items(kind="gcm_objective").values_list("code", flat=True))
    assert codes == [str(n) for n in range(1, 24)]
    assert selectors.item_get(kind="sdg_target", code="4.b", version="2015").label.startswith("scholarships")


def test_unknown_items_and_versions_are_404(frameworks):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.item_get(kind="gcm_objective", code="24")
    with pytest.raises(Http404):
        selectors.framework_get(kind="gcm_objective", version="1999")


def test_direct_and_crosswalk_related_records_are_kept_apart(tagged):
    gcm15 = item("gcm_objective", "15")
    direct = selectors.records_tagged(item=gcm15, model=Actor)
    related = selectors.records_related_through_crosswalk(item=gcm15, model=Actor)
    assert _names(direct) == ["both", "direct"]
    assert _names(related) == ["domain", "twice", "via_sdg"]
    assert related.count() == 3  # "twice" is tagged with two related items, and comes once


def test_related_from_a_domain_is_one_hop(tagged):
    d5 = item("domain", "D5")
    assert _names(selectors.records_related_through_crosswalk(item=d5, model=Actor)) == ["unrelated"]
    d1 = item("domain", "D1")
    assert _names(selectors.records_tagged(item=d1, model=Actor)) == ["domain"]
    assert _names(selectors.records_related_through_crosswalk(item=d1, model=Actor)) == ["both", "direct", "twice", "via_sdg"]


def test_items_related_through_crosswalk(frameworks):
    gcm15 = item("gcm_objective", "15")
    related = list(selectors.items_related_through_crosswalk(item=gcm15))
    keys = [(i.framework.kind, i.code) for i in related]
    assert len(keys) == len(set(keys))
    assert ("gcm_objective", "15") not in keys
    assert ("domain", "D1") in keys and ("sdg_target", "3.8") in keys and ("nua_paragraph", "34") in keys
    assert ("gcm_objective", "2") not in keys  # D5 only
    # 10.7 is in D1, D2, D3 and D6 and still comes once from SDG 10.7's side
    target = item("sdg_target", "10.7")
    around = [(i.framework.kind, i.code) for i in selectors.items_related_through_crosswalk(item=target)]
    assert len(around) == len(set(around))
    assert {("domain", d) for d in ["D1", "D2", "D3", "D6"]} <= set(around)


def test_crosswalk_links_and_neighbours(frameworks):
    gcm15 = item("gcm_objective", "15")
    assert [d.code for d in selectors.crosswalk_links_for(item=gcm15)] == ["D1"]
    d6 = item("domain", "D6")
    assert len(list(selectors.crosswalk_links_for(item=d6))) == 14
    neighbours = selectors.crosswalk_neighbours(item=item("gcm_objective", "3"))  # D2 and D6
    by_code = {(n.item.framework.kind, n.item.code): n.domain_codes for n in neighbours}
    assert by_code[("sdg_target", "10.7")] == "D2, D6"
    assert ("gcm_objective", "3") not in by_code
    assert selectors.crosswalk_neighbours(item=d6) == []


def test_crosswalk_table_has_one_row_per_domain(frameworks):
    rows = selectors.crosswalk_table()
    assert [row.domain.code for row in rows] == ["D1", "D2", "D3", "D4", "D5", "D6"]
    assert [i.code for i in rows[4].gcm_objectives] == ["2", "7", "8"]
    assert [i.code for i in rows[4].nua_paragraphs] == ["29"]
    assert sum(len(r.gcm_objectives) + len(r.sdg_targets) + len(r.nua_paragraphs) for r in rows) == 74


def test_tags_for_a_record(tagged):
    tags = selectors.tags_for(record=tagged["both"])
    assert [(t.item.framework.kind, t.item.code, t.item.framework.version) for t in tags] == [
        ("gcm_objective", "15", "2018"),
        ("sdg_target", "3.8", "2015"),
    ]


def test_records_of_any_model_are_listed_generically_without_n_plus_one(tagged, superuser, django_assert_num_queries):
    event = audit_record(user=None, action="test.tagged", target=tagged["direct"])
    tags_set(user=superuser, record=event, items=[item("sdg_target", "11.1")])  # D1: related to GCM 15
    gcm15 = item("gcm_objective", "15")

    direct = selectors.tagged_records_resolve(selectors.tagged_record_refs(item=gcm15))
    assert sorted(str(entry.record) for entry in direct) == ["both", "direct"]

    refs = list(selectors.tagged_record_refs(item=gcm15, related=True))
    assert len(refs) == 4
    # one query per model (actors, audit events) and one for the `via` items, however many records
    with django_assert_num_queries(3):
        related = selectors.tagged_records_resolve(refs, via_item=gcm15)
    kinds = {type(entry.record) for entry in related}
    assert kinds == {Actor, AuditEvent}
    twice = next(entry for entry in related if str(entry.record) == "twice")
    assert [(v.framework.kind, v.code) for v in twice.via] == [("sdg_target", "3.8"), ("nua_paragraph", "34")]
    assert twice.type_label == "actor" and twice.url == ""


def test_query_counts_do_not_grow_with_the_number_of_records(frameworks, superuser, django_assert_max_num_queries):
    gcm15, d1 = item("gcm_objective", "15"), item("domain", "D1")
    for n in range(30):
        tags_set(user=superuser, record=ActorFactory(name=f"r{n}"), items=[gcm15 if n % 2 else d1])
    with django_assert_max_num_queries(3):
        assert len(selectors.tagged_records_resolve(selectors.tagged_record_refs(item=gcm15, related=True), via_item=gcm15)) == 15
    with django_assert_max_num_queries(1):
        assert len(list(selectors.records_related_through_crosswalk(item=gcm15, model=Actor))) == 15


def test_records_that_are_not_public_are_left_out_of_the_tagged_lists(frameworks, superuser):
    gcm15, d1 = item("gcm_objective", "15"), item("domain", "D1")
    tags_set(user=superuser, record=ActorFactory(name="published"), items=[gcm15, d1])
    tags_set(user=superuser, record=ActorFactory(name="a draft", is_demo=True), items=[gcm15, d1])
    selectors.register_public_records(Actor, lambda: Actor.objects.filter(is_demo=False))
    try:
        direct = selectors.tagged_records_resolve(selectors.tagged_record_refs(item=gcm15))
        related = selectors.tagged_records_resolve(selectors.tagged_record_refs(item=item("sdg_target", "3.8"), related=True))
    finally:
        selectors.unregister_public_records(Actor)
    assert [str(entry.record) for entry in direct] == ["published"]
    assert [str(entry.record) for entry in related] == ["published"]
