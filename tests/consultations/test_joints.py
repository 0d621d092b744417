"""The joints between the steps of a consultation (issue 12, §4), each with the test that failed before its fix:
organisers edit a consultation and its phases after opening; a version adds, edits and reorders several
paragraphs and headings at once; an unchanged paragraph is not marked in a diff (line endings); headings are
numbered once; compiling keeps the answers to the guiding questions and counts co-signers."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from arrival.accounts.models import RoleKind
from arrival.consultations import selectors, services
from arrival.consultations.models import Access, Consultation, Contribution, Paragraph, heading_without_number
from arrival.core.models import AuditEvent
from arrival.engagement.models import Notification
from arrival.engagement.phases import PhaseSpec
from tests.accounts.factories import sign_in_as
from tests.consultations.factories import (
    CALL,
    COMMENTS,
    START,
    SYNTHESIS,
    at,
    city,
    consultation,
    contribute,
    draft,
    person,
    phase_specs,
)

# --- A diff does not mark an unchanged paragraph ---------------------------------------------------------


def _rewrite_post(version, paragraphs, **extra) -> dict[str, str]:  # noqa: ANN001
    """The rewrite form as a browser sends it: every paragraph as it stands, with Windows line endings."""
    data = {"note": "", **extra}
    for p in paragraphs:
        data.setdefault(f"text_{p.key}", p.text.replace("\n", "\r\n"))
        data.setdefault(f"heading_{p.key}", p.heading)
        data.setdefault(f"order_{p.key}", str(p.position))
        data.setdefault(f"sources_{p.key}", ", ".join(str(s.pk) for s in p.sources.all()))
    return data


def test_an_unchanged_paragraph_sent_back_by_a_browser_is_not_marked_changed(client) -> None:  # noqa: ANN001
    _cons, staff, v1 = draft(["First line.\nSecond line.", "Welcome desks in every district."])
    paragraphs = list(v1.paragraphs.order_by("position"))
    sign_in_as(client, staff)
    with at(COMMENTS):
        response = client.post(reverse("consultations:version_create", args=[v1.document.pk]),
                               _rewrite_post(v1, paragraphs))
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = v1.document.versions.get(number=2)
    assert all("\r" not in p.text for p in v2.paragraphs.all())
    assert [row.status for row in selectors.version_diff(old=v1, new=v2)] == ["same", "same"]


def test_services_store_line_endings_as_newlines() -> None:
    cons = consultation()
    town = city()
    with at(CALL):
        contribution = services.contribution_create(
            user=person(town), consultation=cons, actor=town, title="Input",
            summary="One.\r\nTwo.\rThree.", proposed_actions="A\r\nB",
            answers={str(cons.questions.get().pk): "Yes.\r\nReally."})
    assert (contribution.summary, contribution.proposed_actions) == ("One.\nTwo.\nThree.", "A\nB")
    assert list(contribution.answers.values()) == ["Yes.\nReally."]


def test_the_data_migration_normalises_stored_line_endings() -> None:
    _cons, _staff, v1 = draft(["Line one.", "Other."])
    contribution = Contribution.objects.order_by("pk").first()
    paragraph = v1.paragraphs.order_by("position").first()
    Paragraph.objects.filter(pk=paragraph.pk).update(text="Line one.\r\nLine two.\rLine three.")
    Contribution.objects.filter(pk=contribution.pk).update(summary="a\r\nb", proposed_actions="c\rd",
                                                           answers={"1": "e\r\nf"})
    Consultation.objects.filter(pk=_cons.pk).update(purpose="p\r\nq")
    migration = importlib.import_module("arrival.consultations.migrations.0002_normalise_line_endings")
    migration.normalise_line_endings(apps, None)
    migration.normalise_line_endings(apps, None)  # a second run changes nothing
    paragraph.refresh_from_db()
    contribution.refresh_from_db()
    assert paragraph.text == "Line one.\nLine two.\nLine three."
    assert (contribution.summary, contribution.proposed_actions, contribution.answers) == ("a\nb", "c\nd", {"1": "e\nf"})
    assert Consultation.objects.get(pk=_cons.pk).purpose == "p\nq"


# --- Headings are numbered once ----------------------------------------------------------------------------


def test_a_heading_typed_with_its_own_number_is_numbered_once(client) -> None:  # noqa: ANN001
    _cons, staff, v1 = draft(["Open all services."])
    key = v1.paragraphs.get().key
    with at(COMMENTS):
        v2 = services.document_version_create(user=staff, document=v1.document, paragraphs=[
            services.ParagraphEdit(text="We, the cities…", heading="1. Preamble", editorial=True),
            services.ParagraphEdit(key=key, text="Open all services.", heading="2) Access to services"),
        ])
    assert [p.heading for p in v2.paragraphs.order_by("position")] == ["Preamble", "Access to services"]
    # A heading that only starts with a figure keeps it.
    assert heading_without_number("2030 Agenda and cities") == "2030 Agenda and cities"
    assert heading_without_number("1.5 degrees") == "1.5 degrees"
    page = client.get(v2.get_absolute_url()).content.decode()
    assert "1. Preamble" in page and "2. Access to services" in page and "1. 1." not in page
    # A heading stored before the fix is shown with one number too.
    Paragraph.objects.filter(version=v2, position=1).update(heading="1. Preamble")
    page = client.get(v2.get_absolute_url()).content.decode()
    assert "1. 1. Preamble" not in page and "1. Preamble" in page
    # The comparison page numbers each paragraph once: not also as an ordered list.
    diff = client.get(reverse("consultations:version_diff", args=[v1.document.pk])).content.decode()
    assert '<ol class="diff-list"' not in diff and "2. Access to services" in diff


# --- Compiling keeps the answers; the page names the co-signers -------------------------------------------


def test_compiling_keeps_answers_to_the_guiding_questions_and_the_page_names_cosigners() -> None:
    cons = consultation(questions=["What works in your city?", "What do you need from the state?"])
    first, second = cons.questions.order_by("position")
    alpha, beta, gamma = city("Alpha"), city("Beta"), city("Gamma")
    with at(CALL):
        contribution = services.contribution_create(
            user=person(alpha), consultation=cons, actor=alpha, title="Alpha's input",
            proposed_actions="One desk for all services.",
            answers={str(first.pk): "Welcome desks.", str(second.pk): "Funding for interpreters."})
        services.contribution_cosign(user=person(beta), contribution=contribution, actor=beta)
        services.contribution_cosign(user=person(gamma), contribution=contribution, actor=gamma)
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    text = version.paragraphs.get().text
    assert "One desk for all services." in text
    assert "What works in your city? Welcome desks." in text
    assert "What do you need from the state? Funding for interpreters." in text
    # The text is the contributions' own words; who co-signed is said from the sources, in the reader's language.
    assert text.splitlines()[0] == "Alpha: One desk for all services."
    assert "co-signed" not in text and "contribution" not in text
    page = Client().get(version.get_absolute_url(), headers={"Accept-Language": "en"}).content.decode()
    assert re.search(r'#\d+ <bdi translate="no">Alpha</bdi></a>, co-signed by <bdi translate="no">Beta</bdi> and '
                     r'<bdi translate="no">Gamma</bdi>', page)


# --- A version adds, edits and reorders several paragraphs and headings at once ------------------------------


def test_a_version_adds_edits_and_reorders_several_paragraphs_and_headings(client) -> None:  # noqa: ANN001
    cons, staff, v1 = draft(["Alpha text.", "Beta text.", "Gamma text."])
    p1, p2, p3 = v1.paragraphs.order_by("position")
    sources = {p.key: p.sources.get() for p in (p1, p2, p3)}
    sign_in_as(client, staff)
    data = _rewrite_post(v1, [p1, p2, p3], note="Reordered, two new paragraphs")
    data.update({
        f"order_{p3.key}": "1", f"order_{p1.key}": "2", f"order_{p2.key}": "3",  # gamma, alpha, beta
        f"heading_{p1.key}": "Services for everyone", f"text_{p1.key}": "Alpha text, rewritten.",
        f"drop_{p2.key}": "on",
        "new-0-order": "0", "new-0-heading": "Preamble", "new-0-text": "We, the cities…",
        "new-1-order": "2.5", "new-1-heading": "Funding", "new-1-text": "Beta and Gamma ask for funding.",
        "new-1-sources": f"{sources[p2.key].pk}, {sources[p3.key].pk}",
    })
    with at(COMMENTS):
        response = client.post(reverse("consultations:version_create", args=[v1.document.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    v2 = v1.document.versions.get(number=2)
    rows = [(p.heading, p.text, p.editorial, sorted(s.pk for s in p.sources.all()))
            for p in v2.paragraphs.order_by("position")]
    assert rows == [
        ("Preamble", "We, the cities…", True, []),
        (p3.heading, p3.text, False, [sources[p3.key].pk]),
        ("Services for everyone", "Alpha text, rewritten.", False, [sources[p1.key].pk]),
        ("Funding", "Beta and Gamma ask for funding.", False, sorted([sources[p2.key].pk, sources[p3.key].pk])),
    ]
    # Rewritten paragraphs keep their lineage (key); the new ones start their own.
    keys = [p.key for p in v2.paragraphs.order_by("position")]
    assert keys[1:3] == [p3.key, p1.key] and p2.key not in keys


def test_the_rewrite_form_refuses_a_source_from_elsewhere_and_changes_nothing(client) -> None:  # noqa: ANN001
    _cons, staff, v1 = draft(["Alpha text."])
    other = consultation(title="Another consultation")
    town = city("Elsewhere")
    stranger = contribute(other, town, person(town))
    p1 = v1.paragraphs.get()
    sign_in_as(client, staff)
    data = _rewrite_post(v1, [p1], **{"new-0-text": "Added.", "new-0-sources": f"{stranger.pk}"})
    with at(COMMENTS):
        response = client.post(reverse("consultations:version_create", args=[v1.document.pk]), data)
    assert response.status_code == 400
    assert f"#{stranger.pk}" in response.content.decode()
    assert v1.document.versions.count() == 1


# --- Organisers edit a consultation and its phases after opening --------------------------------------------


def _later(specs: list[PhaseSpec], days: int) -> list[PhaseSpec]:
    """The call for input closes `days` later; every later phase moves with it."""
    shift = dt.timedelta(days=days)
    return [PhaseSpec(s.phase_type, s.starts_at if i == 0 else s.starts_at + shift, s.ends_at + shift)
            for i, s in enumerate(specs)]


def test_organisers_edit_the_consultation_and_its_phases_after_opening_with_an_audit_trail() -> None:
    cons = consultation(access=Access.INVITED, invited=[city("First guest")])
    staff = person(cons.process.owner, RoleKind.STAFF)
    newcomer = city("Late guest")
    newcomer_officer = person(newcomer)
    question = cons.questions.get()
    with at(CALL):
        services.consultation_update(
            user=staff, consultation=cons, title="Local input, extended", purpose="Now also on housing.",
            invited=[*cons.invited.all(), newcomer], phases=_later(phase_specs(), 7),
            questions=[services.QuestionSpec(text="What works in your city, and why?", pk=question.pk),
                       services.QuestionSpec(text="What about housing?")])
    cons = Consultation.objects.get(pk=cons.pk)
    assert (cons.title, cons.purpose) == ("Local input, extended", "Now also on housing.")
    assert [q.text for q in cons.questions.order_by("position")] == ["What works in your city, and why?",
                                                                    "What about housing?"]
    assert cons.questions.order_by("position").first().pk == question.pk
    call = cons.process.phases.order_by("position").first()
    assert call.ends_at == START + dt.timedelta(days=17)
    change = AuditEvent.objects.get(action="consultations.change_consultation", target_id=str(cons.pk))
    assert change.before["title"] == "Local input to the review" and change.after["title"] == "Local input, extended"
    assert change.after["invited"] == sorted([*change.before["invited"], newcomer.pk])
    assert AuditEvent.objects.filter(action="engagement.change_process", target_id=str(cons.process_id)).exists()
    # Its process carries the new title, so phase messages and the moderation queue name it the same.
    assert cons.process.title == "Local input, extended"
    # The government invited late is told, like those invited at the opening.
    assert Notification.objects.filter(recipient=newcomer_officer, kind="consultations.new_consultation").exists()


def test_only_organisers_edit_and_bad_phases_change_nothing() -> None:
    cons = consultation()
    staff = person(cons.process.owner, RoleKind.STAFF)
    town = city()
    with at(CALL), pytest.raises(PermissionDenied):
        services.consultation_update(user=person(town), consultation=cons, title="Mine now")
    backwards = [PhaseSpec(s.phase_type, s.ends_at, s.starts_at) for s in phase_specs()]
    with at(CALL), pytest.raises(ValidationError):
        services.consultation_update(user=staff, consultation=cons, title="Half done", phases=backwards)
    cons.refresh_from_db()
    assert cons.title == "Local input to the review"
    assert not AuditEvent.objects.filter(action="consultations.change_consultation").exists()


def test_a_question_with_answers_cannot_be_dropped() -> None:
    cons = consultation()
    town = city()
    question = cons.questions.get()
    with at(CALL):
        services.contribution_create(user=person(town), consultation=cons, actor=town, title="Input",
                                     answers={str(question.pk): "Our answer."})
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(CALL), pytest.raises(ValidationError, match="answered"):
        services.consultation_update(user=staff, consultation=cons, questions=[])
    assert cons.questions.count() == 1


def test_the_edit_page_keeps_unchanged_phase_times_and_saves_changes(client) -> None:  # noqa: ANN001
    cons = consultation()
    staff = person(cons.process.owner, RoleKind.STAFF)
    before = [(p.starts_at, p.ends_at) for p in cons.process.phases.order_by("position")]
    sign_in_as(client, staff)
    url = reverse("consultations:edit", args=[cons.slug])
    with at(CALL):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'value="Local input to the review"' in html and 'value="2026-03-11"' in html
        form = page.context["form"]
        data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "")}
        data.update({"title": "Renamed", "comments_ends": "2026-03-25"})
        data.pop("access_networks", None)
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cons.refresh_from_db()
    after = [(p.starts_at, p.ends_at) for p in cons.process.phases.order_by("position")]
    assert cons.title == "Renamed"
    assert after[:2] == before[:2]  # dates left as they were keep their time of day
    assert after[2][1].date() == dt.date(2026, 3, 25) and after[3][0] == after[2][1]
    # A stranger may not even see the form.
    sign_in_as(client, person(city()))
    assert client.get(url).status_code == 403
    detail = client.get(cons.get_absolute_url()).content.decode()
    assert url not in detail
