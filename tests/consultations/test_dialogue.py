"""Dialogue on the draft (issue 12, §3): a comment on a paragraph survives new versions — shown beside the
paragraph it became and on the version it was written on — with the editors' answer (taken in, partly, declined,
with a reason)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from arrival.consultations import selectors, services
from arrival.consultations.models import CommentAnswer, CommentState
from arrival.core.models import AuditEvent
from arrival.engagement.services import comment_create
from tests.accounts.factories import sign_in_as
from tests.consultations.factories import (
    ADOPTION,
    COMMENTS,
    ENDORSEMENT,
    at,
    city,
    draft,
    person,
)


def _draft_with_comment() -> dict:
    cons, staff, v1 = draft(["Alpha proposes one desk.", "Beta proposes welcome groups."], names=["Alpha", "Beta"])
    first, second = v1.paragraphs.order_by("position")
    town = city("Gamma")
    commenter = person(town)
    with at(COMMENTS):
        comment = comment_create(user=commenter, target=first, body="Please add funding for small towns.",
                                 process=cons.process, author_actor=town)
    return {"consultation": cons, "staff": staff, "v1": v1, "first": first, "second": second,
            "commenter": commenter, "comment": comment}


def _rewrite(flow: dict, *, keep_first: bool = True):  # noqa: ANN202
    first, second = flow["first"], flow["second"]
    edits = [services.ParagraphEdit(text="We, the cities…", heading="Preamble", editorial=True)]
    if keep_first:
        edits.append(services.ParagraphEdit(key=first.key, text="Alpha proposes one desk, funded for small towns."))
    edits.append(services.ParagraphEdit(key=second.key, text=second.text))
    with at(COMMENTS):
        return services.document_version_create(user=flow["staff"], document=flow["v1"].document, paragraphs=edits)


def test_a_comment_is_carried_to_the_paragraph_it_became_and_stays_on_the_old_version() -> None:
    flow = _draft_with_comment()
    with at(COMMENTS):
        services.paragraph_comment_answer(user=flow["staff"], comment=flow["comment"], state=CommentState.PARTLY,
                                          reason="Added a line on funding; the amount is for the ministry.")
    v2 = _rewrite(flow)
    became = v2.paragraphs.get(key=flow["first"].key)
    assert became.position == 2
    dialogues = selectors.paragraph_dialogues(paragraphs=selectors.paragraph_list(version=v2))
    [entry] = dialogues[became.pk]
    assert entry.comment == flow["comment"] and not entry.here
    assert (entry.version_number, entry.position) == (1, 1)
    assert entry.answer.state == CommentState.PARTLY
    assert set(dialogues) == {became.pk}  # nothing carried to the other paragraphs
    old = selectors.paragraph_dialogues(paragraphs=selectors.paragraph_list(version=flow["v1"]))
    assert old[flow["first"].pk][0].here

    client = Client()
    with at(COMMENTS):
        page = client.get(v2.get_absolute_url()).content.decode()
        old_page = client.get(flow["v1"].get_absolute_url()).content.decode()
    section = page.split(f'id="p-{became.key}"')[1].split('class="outcome-paragraph"')[0]
    assert "Please add funding for small towns." in section and "written on paragraph 1 of version 1" in section
    assert "The editors: Partly taken in" in section and "the amount is for the ministry" in section
    assert f'id="answer-{flow["comment"].pk}"' in section
    assert "Please add funding for small towns." in old_page and "The editors: Partly taken in" in old_page


def test_a_dropped_paragraphs_comments_stay_on_the_version_they_were_written_on() -> None:
    flow = _draft_with_comment()
    v2 = _rewrite(flow, keep_first=False)
    assert selectors.paragraph_dialogues(paragraphs=selectors.paragraph_list(version=v2)) == {}
    with at(COMMENTS):
        answer = services.paragraph_comment_answer(user=flow["staff"], comment=flow["comment"],
                                                   state=CommentState.DECLINED, reason="Out of scope.")
    assert answer.state == CommentState.DECLINED
    page = Client().get(flow["v1"].get_absolute_url()).content.decode()
    assert "Please add funding for small towns." in page and "The editors: Declined" in page


def test_only_organisers_answer_with_a_reason_unless_taken_in_and_it_is_on_record() -> None:
    flow = _draft_with_comment()
    comment, staff = flow["comment"], flow["staff"]
    with at(COMMENTS):
        with pytest.raises(PermissionDenied):
            services.paragraph_comment_answer(user=flow["commenter"], comment=comment, state=CommentState.TAKEN_IN)
        with pytest.raises(ValidationError, match="Reason"):
            services.paragraph_comment_answer(user=staff, comment=comment, state=CommentState.DECLINED)
        with pytest.raises(ValidationError, match="Choose an answer"):
            services.paragraph_comment_answer(user=staff, comment=comment, state="maybe")
        reply = comment_create(user=staff, target=flow["first"], body="Thank you, we look at it.",
                               process=flow["consultation"].process, parent=comment)
        with pytest.raises(ValidationError, match="not a reply"):
            services.paragraph_comment_answer(user=staff, comment=reply, state=CommentState.TAKEN_IN)
        assert not CommentAnswer.objects.exists()
        services.paragraph_comment_answer(user=staff, comment=comment, state=CommentState.TAKEN_IN)
        services.paragraph_comment_answer(user=staff, comment=comment, state=CommentState.TAKEN_IN)  # no change
        services.paragraph_comment_answer(user=staff, comment=comment, state=CommentState.PARTLY, reason="In part.")
    answer = CommentAnswer.objects.get()
    assert (answer.state, answer.reason, answer.answered_by) == (CommentState.PARTLY, "In part.", staff)
    events = AuditEvent.objects.filter(action="consultations.answer_comment").order_by("at", "id")
    assert [(e.before or {}).get("state") for e in events] == [None, CommentState.TAKEN_IN]
    # Answers are given while the draft is worked on (synthesis to adoption), not once endorsement opened.
    with at(ADOPTION):
        services.paragraph_comment_answer(user=staff, comment=comment, state=CommentState.TAKEN_IN)
    with at(ENDORSEMENT), pytest.raises(ValidationError):
        services.paragraph_comment_answer(user=staff, comment=comment, state=CommentState.DECLINED, reason="No.")


def test_comments_go_to_the_latest_version_only() -> None:
    flow = _draft_with_comment()
    v2 = _rewrite(flow)
    with at(COMMENTS):
        with pytest.raises(PermissionDenied):
            comment_create(user=flow["commenter"], target=flow["first"], body="On the old one",
                           process=flow["consultation"].process)
        comment_create(user=flow["commenter"], target=v2.paragraphs.get(key=flow["first"].key), body="On the new one",
                       process=flow["consultation"].process)


def test_organisers_answer_from_the_page_and_the_form_shows_only_to_them(client) -> None:  # noqa: ANN001
    flow = _draft_with_comment()
    v2 = _rewrite(flow)
    comment = flow["comment"]
    url = reverse("consultations:comment_answer", args=[comment.pk])
    with at(COMMENTS):
        sign_in_as(client, flow["commenter"])
        assert "Record the editors" not in client.get(v2.get_absolute_url()).content.decode()
        sign_in_as(client, flow["staff"])
        page = client.get(v2.get_absolute_url()).content.decode()
        assert f'action="{url}"' in page and "Awaiting the editors" in page
        response = client.post(url, {f"a{comment.pk}-state": "declined", f"a{comment.pk}-reason": "",
                                     "next": v2.get_absolute_url()})
        assert response["Location"] == f"{v2.get_absolute_url()}#answer-{comment.pk}"
        assert not CommentAnswer.objects.exists()  # a reason is needed: nothing stored, the message says why
        response = client.post(url, {f"a{comment.pk}-state": "taken_in", f"a{comment.pk}-reason": "",
                                     "next": "https://elsewhere.example/"})
        assert response["Location"].startswith(v2.get_absolute_url())
    assert CommentAnswer.objects.get().state == CommentState.TAKEN_IN


def test_the_answer_stays_when_the_editor_who_gave_it_erases_their_account() -> None:
    from arrival.accounts.personal_data import personal_data_providers

    flow = _draft_with_comment()
    with at(COMMENTS):
        services.paragraph_comment_answer(user=flow["staff"], comment=flow["comment"], state=CommentState.TAKEN_IN)
    provider = next(p for p in personal_data_providers() if p.key == "consultations")
    assert provider.export(flow["staff"])["comment_answers_given"] == [
        {"comment": flow["comment"].pk, "answer": "taken_in", "reason": ""}]
    provider.erase(flow["staff"], keep_content_anonymised=False)
    answer = CommentAnswer.objects.get()
    assert answer.answered_by is None and answer.state == CommentState.TAKEN_IN
