import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arrival.core.models import AuditEvent
from arrival.frameworks.models import Tag
from arrival.frameworks.selectors import item_get, tags_for
from arrival.frameworks.services import tag_add, tag_remove, tags_set
from tests.actors.factories import ActorFactory


@pytest.fixture
def gcm15(frameworks):
    return item_get(kind="gcm_objective", code="15")


@pytest.fixture
def sdg107(frameworks):
    return item_get(kind="sdg_target", code="10.7")


def test_tag_add_tags_once_and_audits_once(superuser, gcm15):
    actor = ActorFactory()
    tag = tag_add(user=superuser, record=actor, item=gcm15)
    assert tag_add(user=superuser, record=actor, item=gcm15) == tag
    assert Tag.objects.count() == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.target_type, event.target_id) == ("frameworks.tag_add", "actors.actor", str(actor.pk))
    assert event.user == superuser and event.after == {"tag": "gcm_objective:2018:15"}


def test_tag_remove(superuser, gcm15):
    actor = ActorFactory()
    tag_add(user=superuser, record=actor, item=gcm15)
    assert tag_remove(user=superuser, record=actor, item=gcm15) is True
    assert tag_remove(user=superuser, record=actor, item=gcm15) is False
    assert not Tag.objects.exists()
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["frameworks.tag_add", "frameworks.tag_remove"]
    assert AuditEvent.objects.get(action="frameworks.tag_remove").before == {"tag": "gcm_objective:2018:15"}


def test_tags_set_replaces_the_tags_in_one_audited_change(superuser, gcm15, sdg107):
    actor = ActorFactory()
    tag_add(user=superuser, record=actor, item=gcm15)
    tags = tags_set(user=superuser, record=actor, items=[sdg107, sdg107])
    assert [t.item for t in tags] == [sdg107]
    assert [t.item for t in tags_for(record=actor)] == [sdg107]
    event = AuditEvent.objects.get(action="frameworks.tags_set")
    assert event.before == {"tags": ["gcm_objective:2018:15"]}
    assert event.after == {"tags": ["sdg_target:2015:10.7"]}
    tags_set(user=superuser, record=actor, items=[sdg107])  # no change, no row
    assert AuditEvent.objects.filter(action="frameworks.tags_set").count() == 1
    tags_set(user=superuser, record=actor, items=[])
    assert not tags_for(record=actor).exists()


def test_tags_on_one_record_leave_other_records_alone(superuser, gcm15, sdg107):
    first, second = ActorFactory(), ActorFactory()
    tag_add(user=superuser, record=second, item=gcm15)
    tags_set(user=superuser, record=first, items=[sdg107])
    assert [t.item for t in tags_for(record=second)] == [gcm15]


def test_a_user_who_may_not_change_the_record_may_not_tag_it(plain_user, superuser, gcm15):
    actor = ActorFactory()
    tag_add(user=superuser, record=actor, item=gcm15)
    for call in (
        lambda: tag_add(user=plain_user, record=actor, item=gcm15),
        lambda: tag_remove(user=plain_user, record=actor, item=gcm15),
        lambda: tags_set(user=plain_user, record=actor, items=[]),
        lambda: tag_add(user=None, record=actor, item=gcm15),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Tag.objects.count() == 1 and AuditEvent.objects.count() == 1


def test_bad_input_is_refused_and_changes_nothing(superuser, gcm15, sdg107):
    from arrival.actors.models import Actor

    with pytest.raises(ValidationError):
        tag_add(user=superuser, record=Actor(name="unsaved"), item=gcm15)
    with pytest.raises(ValidationError):
        tag_add(user=superuser, record=gcm15, item=sdg107)
    actor = ActorFactory()
    tag_add(user=superuser, record=actor, item=gcm15)
    with pytest.raises(ValidationError):
        tags_set(user=superuser, record=actor, items=[sdg107, "15"])
    assert [t.item for t in tags_for(record=actor)] == [gcm15]
    assert AuditEvent.objects.count() == 1


def test_any_model_can_be_tagged(superuser, gcm15):
    from arrival.core.services import audit_record

    event = audit_record(user=None, action="test.event", target=ActorFactory())
    tag_add(user=superuser, record=event, item=gcm15)
    assert [t.item for t in tags_for(record=event)] == [gcm15]
