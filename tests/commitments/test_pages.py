"""The commitment pages: list, page with history and origin, the team's forms, dashboards, calendar, profile."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arrival.commitments import services
from arrival.commitments.models import Commitment
from tests.accounts.factories import sign_in_as
from tests.commitments.factories import T0, at, city, draft_commitment, person, published_commitment


def test_public_pages_show_published_commitments_with_history(client: Client):
    parts = published_commitment(city("Ghent"))
    commitment = parts["commitment"]
    with at(T0 + dt.timedelta(days=3)):
        services.progress_update_add(user=parts["team"], commitment=commitment, status="in_progress", percent=20,
                                     narrative="First hosts at work.")
    listing = client.get(reverse("commitments:list")).content.decode()
    assert commitment.public_id in listing
    page = client.get(reverse("commitments:detail", args=[commitment.pk])).content.decode()
    assert "First hosts at work." in page and "First twenty hosts trained" in page and "Newcomers met by a host" in page
    assert "Arrival&#x27;s mapping" in page or "Arrival's mapping" in page
    assert client.get(reverse("commitments:by_public_id", args=[commitment.public_id])).url.endswith(
        f"/commitments/{commitment.pk}/")
    board = client.get(reverse("commitments:dashboard_government", args=[parts["lead"].slug])).content.decode()
    assert "<svg" in board and commitment.title in board
    assert client.get(reverse("commitments:dashboards")).status_code == 200
    assert client.get(reverse("commitments:calendar")).status_code == 200
    profile = client.get(reverse("actors:actor_detail", args=[parts["lead"].slug])).content.decode()
    assert commitment.title in profile


def test_a_draft_is_hidden_and_the_team_works_through_forms(client: Client):
    lead = city()
    team = person(lead)
    draft = draft_commitment(user=team, lead=lead)
    assert client.get(reverse("commitments:detail", args=[draft.pk])).status_code == 404
    sign_in_as(client, team)
    assert client.get(reverse("commitments:detail", args=[draft.pk])).status_code == 200
    response = client.post(reverse("commitments:create"), {
        "lead": lead.pk, "title": "Night buses to the reception centre", "description": "Two lines.",
        "language": "en", "commitment_type": "individual", "pledge_forms": ["financial"], "target_date": "2027-01-01",
        "sdg_targets": "11.1", "nua_paragraphs": "", "partners": "", "matched_public_id": ""})
    created = Commitment.objects.get(title="Night buses to the reception centre")
    assert response.status_code == 302 and response.url == reverse("commitments:detail", args=[created.pk])
    bad = client.post(reverse("commitments:create"), {
        "lead": lead.pk, "title": "X", "description": "Y", "language": "en", "commitment_type": "individual",
        "pledge_forms": ["financial"], "sdg_targets": "99.99"})
    assert bad.status_code == 200 and "Unknown codes" in bad.content.decode()
    step = client.post(reverse("commitments:action", args=[created.pk, "submit_for_approval"]), follow=True)
    assert "Tag at least one GCM objective." in step.content.decode()
    created.refresh_from_db()
    assert created.status == "draft"


def test_progress_form_publishes_an_update_with_evidence(client: Client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    parts = published_commitment()
    sign_in_as(client, parts["team"])
    url = reverse("commitments:progress_add", args=[parts["commitment"].pk])
    assert client.get(url).status_code == 200
    evidence = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes of the council", content_type="application/pdf")
    response = client.post(url, {"reported_on": timezone.localdate().isoformat(), "status": "in_progress", "percent": 15,
                                 "narrative": "Council voted the budget.", "links": "Minutes | https://example.org/m",
                                 "evidence": evidence})
    assert response.status_code == 302
    page = client.get(reverse("commitments:detail", args=[parts["commitment"].pk])).content.decode()
    assert "Council voted the budget." in page and "minutes.pdf" in page and "https://example.org/m" in page
    outsider = Client()
    sign_in_as(outsider, person(city()))
    assert outsider.get(url).status_code == 403


def test_list_and_dashboard_pages_do_not_grow_with_the_number_of_commitments(client: Client,
                                                                             django_assert_max_num_queries):
    lead = city()
    for _ in range(2):
        published_commitment(lead)
    url = reverse("commitments:dashboard_government", args=[lead.slug])
    with django_assert_max_num_queries(40) as first:
        client.get(url)
        client.get(reverse("commitments:list"))
    for _ in range(3):
        published_commitment(lead)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
        client.get(reverse("commitments:list"))
