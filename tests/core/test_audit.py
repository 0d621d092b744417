from arrival.core.models import AuditEvent
from arrival.core.selectors import audit_list_for
from arrival.core.services import audit_record, audit_redact_target, snapshot
from tests.actors.factories import ActorFactory


def test_audit_record_keeps_who_what_and_values(django_user_model):
    user = django_user_model.objects.create_user("officer", "pw-long-enough")
    actor = ActorFactory(name="Mechelen")
    before = snapshot(actor, ["name", "website"])
    actor.website = "https://mechelen.example.org"
    event = audit_record(user=user, action="actor.update", target=actor, before=before, after=snapshot(actor, ["name", "website"]))

    assert event.user == user
    assert event.target_type == "actors.actor"
    assert event.target_id == str(actor.pk)
    assert event.before == {"name": "Mechelen", "website": ""}
    assert event.after["website"] == "https://mechelen.example.org"
    assert list(audit_list_for(target=actor)) == [event]


def test_anonymous_or_system_changes_are_recorded_without_a_user():
    actor = ActorFactory()
    event = audit_record(user=None, action="actor.import", target=actor, after={"name": actor.name})
    assert event.user is None


def test_redaction_blanks_values_but_keeps_the_fact_of_the_change():
    actor = ActorFactory(name="A resident's words")
    audit_record(user=None, action="proposal.create", target=actor, after={"text": "private words"})

    assert audit_redact_target(target_type="actors.actor", target_ids=[str(actor.pk)]) == 1

    event = AuditEvent.objects.get()
    assert event.redacted and event.after is None and event.before is None and event.target_repr == ""
    assert event.action == "proposal.create"
