"""Notifications through engagement: new consultation in my network, phase changes, comments on my contribution."""

from __future__ import annotations

from arrival.accounts.models import RoleKind
from arrival.consultations import services
from arrival.engagement.models import Notification
from arrival.engagement.services import comment_create, phases_announce
from tests.consultations.factories import (
    CALL,
    SYNTHESIS,
    at,
    city,
    consultation,
    contribute,
    member_of,
    network,
    person,
)


def test_new_consultation_notifies_people_of_member_governments() -> None:
    net = network("Member Net")
    member, outsider = city("Member"), city("Outsider")
    member_of(member, net)
    member_officer, outsider_officer = person(member), person(outsider)
    consultation(owner=net)
    assert Notification.objects.filter(recipient=member_officer, kind="consultations.new_consultation").count() == 1
    assert not Notification.objects.filter(recipient=outsider_officer).exists()


def test_phase_start_is_announced_once_to_contributors_and_members() -> None:
    net = network("Net")
    member = city("Member")
    member_of(member, net)
    member_officer = person(member)
    cons = consultation(owner=net)
    contributor = city("Contributor")
    officer = person(contributor)
    contribute(cons, contributor, officer)
    with at(SYNTHESIS):
        phases_announce()
        phases_announce()
    texts = list(Notification.objects.filter(recipient=officer, kind="consultations.phase_changed")
                 .values_list("text", flat=True))
    assert any("Synthesis" in text for text in texts)
    assert len(texts) == len(set(texts))  # each phase once
    assert Notification.objects.filter(recipient=member_officer, kind="consultations.phase_changed").exists()


def test_comment_on_a_contribution_notifies_its_authors_not_the_commenter() -> None:
    cons = consultation()
    town = city()
    author, editor = person(town), person(town, RoleKind.ADMINISTRATOR)
    contribution = contribute(cons, town, author)
    with at(CALL):
        services.contribution_update(user=editor, contribution=contribution, title="Edited")
        reader = person(city())
        comment_create(user=reader, target=contribution, body="Which budget line?", process=cons.process)
        comment_create(user=author, target=contribution, body="The social budget.", process=cons.process)
    assert Notification.objects.filter(recipient=author, kind="consultations.contribution_commented").count() == 1
    assert Notification.objects.filter(recipient=editor, kind="consultations.contribution_commented").count() == 2
    assert not Notification.objects.filter(recipient=reader, kind="consultations.contribution_commented").exists()


def test_invited_governments_are_told_of_the_consultation() -> None:
    from arrival.consultations.models import Access

    guest = city("Guest")
    guest_officer = person(guest)
    consultation(access=Access.INVITED, invited=[guest])
    assert Notification.objects.filter(recipient=guest_officer, kind="consultations.new_consultation").count() == 1
