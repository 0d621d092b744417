"""Download my data and delete my account (both choices), through the accounts services and pages."""

from __future__ import annotations

import json

import time_machine
from django.urls import reverse

from arrival.accounts import services as account_services
from arrival.accounts.models import User
from arrival.accounts.personal_data import personal_data_providers
from arrival.core.models import AuditEvent
from arrival.engagement import services as engagement
from arrival.engagement.models import Comment, Visibility
from arrival.participation import services
from arrival.participation.models import Proposal, ProposalTranslation, Support
from tests.accounts.factories import PASSWORD, sign_in_as
from tests.participation.factories import COLLECT_AT, SUPPORT_AT, open_process, posted, resident
from tests.participation.test_services import process_officer


def _writer():
    process = open_process()
    author = resident(email="me@example.org")
    proposal = posted(process, author, title="Shade on the square", body="Trees and benches.")
    other = posted(process, resident(), title="Other")
    services.support_create(user=author, proposal=other, at=SUPPORT_AT)
    with time_machine.travel(COLLECT_AT, tick=False):
        engagement.comment_create(user=author, target=other, body="Good idea", process=process.process)
    officer = process_officer(process)
    services.proposal_translation_save(user=officer, proposal=proposal, language="fr", title="De l'ombre",
                                       body="Des arbres.")
    return process, author, proposal, other


def test_providers_registered() -> None:
    assert {"participation", "engagement"} <= {p.key for p in personal_data_providers()}


def test_download_my_data_has_everything(client) -> None:
    _process, author, proposal, other = _writer()
    sign_in_as(client, author)
    assert client.get(reverse("accounts:my_data")).status_code == 200
    response = client.get(reverse("accounts:my_data_download"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == "me@example.org"
    assert [p["title"] for p in data["participation"]["proposals"]] == ["Shade on the square"]
    assert [s["proposal"] for s in data["participation"]["supports"]] == [other.pk]
    assert [c["body"] for c in data["engagement"]["comments"]] == ["Good idea"]


def test_delete_keeping_content_anonymised(client) -> None:
    _process, author, proposal, other = _writer()
    sign_in_as(client, author)
    response = client.post(reverse("accounts:delete_account"),
                           {"content": "keep", "password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=author.pk).exists()
    proposal.refresh_from_db()
    assert proposal.author is None and proposal.title == "Shade on the square"
    assert proposal.visibility == Visibility.VISIBLE
    assert Comment.objects.get().author is None and Comment.objects.get().body == "Good idea"
    assert not Support.objects.exists() and Proposal.objects.get(pk=other.pk).support_count == 0
    assert not AuditEvent.objects.filter(target_type="accounts.user", target_id=str(author.pk),
                                         redacted=False).exclude(action="accounts.account_delete").exists()


def test_delete_removing_content_redacts_audit(client) -> None:
    _process, author, proposal, _other = _writer()
    account_services.account_delete(user=author, keep_content_anonymised=False, password=PASSWORD)
    proposal.refresh_from_db()
    assert proposal.visibility == Visibility.REMOVED and proposal.title == "" and proposal.body == ""
    assert not ProposalTranslation.objects.filter(proposal=proposal).exists()
    comment = Comment.objects.get()
    assert comment.visibility == Visibility.REMOVED and comment.body == ""
    rows = AuditEvent.objects.filter(target_type="participation.proposal", target_id=str(proposal.pk))
    assert rows.exists() and all(r.redacted and r.before is None and r.after is None for r in rows)
    dumped = json.dumps(list(AuditEvent.objects.values("before", "after", "target_repr")))
    assert "Shade on the square" not in dumped and "De l'ombre" not in dumped and "Good idea" not in dumped
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Its author removed this proposal." in page


def test_wrong_password_changes_nothing(client) -> None:
    _process, author, proposal, _other = _writer()
    sign_in_as(client, author)
    response = client.post(reverse("accounts:delete_account"), {"content": "remove", "password": "x", "confirm": "on"})
    assert response.status_code == 200 and User.objects.filter(pk=author.pk).exists()
    assert Proposal.objects.get(pk=proposal.pk).title == "Shade on the square"


def test_guest_deletes_without_password() -> None:
    process = open_process()
    proposal, guest, _raw = services.guest_proposal_create(process=process, title="t", body="b", language="ar",
                                                           at=COLLECT_AT)
    account_services.account_delete(user=guest, keep_content_anonymised=False)
    assert not User.objects.filter(pk=guest.pk).exists()
    assert Proposal.objects.get(pk=proposal.pk).visibility == Visibility.REMOVED
