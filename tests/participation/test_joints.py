"""The joints between the steps of a participation process (issue 12 §4): phases in their natural sequence, a
collect phase followed directly by an answer phase, times read in the zone the form sets, and a commitment
picked by searching for it rather than by typing its number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from arrival.engagement.phases import PhaseSpec
from arrival.participation import services
from arrival.participation.links import COMMITMENT_TYPE
from arrival.participation.models import AnswerStatus, ParticipationProcess, ProposalLink, StatusKind
from tests.accounts.factories import sign_in_as
from tests.commitments.factories import draft_commitment, published_commitment
from tests.participation.factories import START, city_with_officer, open_process, posted, resident

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
NATURAL = [services.PHASE_COLLECT, services.PHASE_SUPPORT, services.PHASE_ANSWER, services.PHASE_REPORT_BACK]


def _signed_in(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def _form(city, **phases: tuple[str, str]) -> dict[str, str]:
    """The process form as a city officer fills it in: `phases` maps a phase type's key to (starts, ends)."""
    data = {"owner": str(city.pk), "title": "Welcoming neighbourhoods", "purpose": "Tell us what you need.",
            "input_use": "We answer every input.", "languages": "en, fr", "access": "open", "retention_months": "24",
            "categories": "Housing", "time_zone": "Europe/Brussels"}
    for key, (starts, ends) in phases.items():
        prefix = key.replace(".", "_")
        data[f"{prefix}_starts"], data[f"{prefix}_ends"] = starts, ends
    return data


def _phase_types(process: ParticipationProcess) -> list[str]:
    return list(process.process.phases.order_by("position").values_list("phase_type", flat=True))


def test_the_form_creates_the_four_phases_in_their_natural_sequence() -> None:
    city, officer = city_with_officer()
    response = _signed_in(officer).post(reverse("participation:process_create"), _form(
        city, **{services.PHASE_COLLECT: ("2026-01-05T09:00", "2026-01-20T18:00"),
                 services.PHASE_SUPPORT: ("2026-01-20T18:00", "2026-02-01T18:00"),
                 services.PHASE_ANSWER: ("2026-02-01T18:00", "2026-03-01T18:00"),
                 services.PHASE_REPORT_BACK: ("2026-03-01T18:00", "2026-06-01T18:00")}))
    assert response.status_code == 302, response.content.decode()
    assert _phase_types(ParticipationProcess.objects.get()) == NATURAL


def test_the_form_lists_the_phases_in_their_natural_sequence() -> None:
    city, officer = city_with_officer()
    page = _signed_in(officer).get(reverse("participation:process_create")).content.decode()
    positions = [page.index(f'name="{key.replace(".", "_")}_starts"') for key in NATURAL]
    assert positions == sorted(positions)


def test_a_collect_phase_followed_directly_by_an_answer_phase_is_accepted() -> None:
    city, officer = city_with_officer()
    response = _signed_in(officer).post(reverse("participation:process_create"), _form(
        city, **{services.PHASE_COLLECT: ("2026-01-05T09:00", "2026-01-20T18:00"),
                 services.PHASE_ANSWER: ("2026-01-20T18:00", "2026-03-01T18:00")}))
    assert response.status_code == 302, response.content.decode()
    assert _phase_types(ParticipationProcess.objects.get()) == [services.PHASE_COLLECT, services.PHASE_ANSWER]


def test_the_service_orders_phases_given_in_any_order() -> None:
    phases = [PhaseSpec(services.PHASE_ANSWER, START + 20 * DAY, START + 40 * DAY),
              PhaseSpec(services.PHASE_REPORT_BACK, START + 40 * DAY, START + 60 * DAY),
              PhaseSpec(services.PHASE_COLLECT, START, START + 20 * DAY)]
    process = open_process(phases=phases)
    assert _phase_types(process) == [services.PHASE_COLLECT, services.PHASE_ANSWER, services.PHASE_REPORT_BACK]


def test_times_typed_in_the_form_are_read_in_the_zone_the_form_sets() -> None:
    city, officer = city_with_officer()
    officer.time_zone = "America/Bogota"  # the officer's own zone must not change what the form means
    officer.save(update_fields=["time_zone"])
    response = _signed_in(officer).post(reverse("participation:process_create"), _form(
        city, **{services.PHASE_COLLECT: ("2026-01-12T09:00", "2026-01-30T17:30")}))
    assert response.status_code == 302, response.content.decode()
    process = ParticipationProcess.objects.get()
    phase = process.process.phases.get()
    assert process.process.time_zone == "Europe/Brussels"
    # 09:00 in Brussels in winter (UTC+1) is 08:00 UTC.
    assert phase.starts_at == dt.datetime(2026, 1, 12, 8, 0, tzinfo=dt.UTC)
    assert phase.ends_at == dt.datetime(2026, 1, 30, 16, 30, tzinfo=dt.UTC)
    # Editing shows the same times back, in the process's zone, whatever the viewer's zone.
    edit = _signed_in(officer).get(reverse("participation:process_edit", args=[process.slug])).content.decode()
    assert 'value="2026-01-12T09:00"' in edit
    # Saving the edit form reads its times in the process's zone too.
    data = _form(city, **{services.PHASE_COLLECT: ("2026-01-12T10:00", "2026-01-30T17:30")})
    del data["time_zone"]  # fixed once the process is open
    response = _signed_in(officer).post(reverse("participation:process_edit", args=[process.slug]), data)
    assert response.status_code == 302, response.content.decode()
    assert process.process.phases.get().starts_at == dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


def test_the_form_starts_from_the_citys_time_zone() -> None:
    city, officer = city_with_officer()
    form = _signed_in(officer).get(reverse("participation:process_create")).content.decode()
    assert '<option value="Europe/Brussels" selected>' in form


def _accepted_proposal():
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city)
    proposal = posted(process, resident())
    status = AnswerStatus.objects.get(owner=city, kind=StatusKind.ACCEPTED)
    services.answer_create(user=officer, proposal=proposal, status=status, text="Yes.")
    return city, officer, proposal


def test_a_commitment_is_found_as_the_officer_types_and_linked_with_one_click() -> None:
    city, officer, proposal = _accepted_proposal()
    classes = published_commitment(lead=city, title="Language classes in every district")["commitment"]
    published_commitment(lead=city, title="Green roofs on schools")
    client = _signed_in(officer)
    search = reverse("participation:commitment_search", args=[proposal.pk])

    # With htmx, typing returns only the matching commitments, each with its own button.
    partial = client.get(search, {"q": "language cla"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Language classes in every district" in partial and "Green roofs" not in partial
    assert "<html" not in partial
    # Without JavaScript the same address is a whole page with the search form and the results.
    page = client.get(search, {"q": "language"}).content.decode()
    assert "<html" in page and 'name="q"' in page and "Language classes in every district" in page

    response = client.post(reverse("participation:link_commitment", args=[proposal.pk]),
                           {"commitment": classes.pk})
    assert response.status_code == 302
    link = ProposalLink.objects.get(proposal=proposal)
    assert (link.target_type, link.target_id, link.url) == (COMMITMENT_TYPE, str(classes.pk),
                                                            classes.get_absolute_url())
    assert "Language classes in every district" in link.label
    # The proposal page offers the picker, not a box for a number.
    detail = client.get(proposal.get_absolute_url()).content.decode()
    assert search in detail and "Number of the commitment" not in detail


def test_the_picker_offers_only_published_commitments_and_only_to_the_team() -> None:
    city, officer, proposal = _accepted_proposal()
    search = reverse("participation:commitment_search", args=[proposal.pk])
    # Only a published commitment can be what a proposal became: the public follows the link.
    draft = draft_commitment(user=officer, lead=city, title="Language cafés")
    assert "Language cafés" not in _signed_in(officer).get(search, {"q": "language"}).content.decode()
    assert _signed_in(resident()).get(search, {"q": "language"}).status_code == 403
    response = _signed_in(officer).post(reverse("participation:link_commitment", args=[proposal.pk]),
                                        {"commitment": draft.pk})
    assert response.status_code == 302 and not ProposalLink.objects.exists()
