"""Pages: list with filters, detail, contribution form and page (where it ended up), document, diff,
endorsements with counter and map table, forums, the government profile section."""

from __future__ import annotations

import json

from django.urls import reverse

from arrival.accounts.models import RoleKind
from arrival.consultations import services
from arrival.consultations.loaders import load_forums
from arrival.consultations.models import Contribution, Forum
from tests.accounts.factories import sign_in_as
from tests.consultations.factories import (
    CALL,
    COMMENTS,
    ENDORSEMENT,
    SYNTHESIS,
    adopted_flow,
    at,
    city,
    consultation,
    contribute,
    gcm_objective,
    person,
)


def test_list_filters_and_htmx_partial(client) -> None:  # noqa: ANN001
    load_forums()
    forum = Forum.objects.get(key="imrf-2026")
    cons = consultation(title="For the IMRF")
    cons.forum = forum
    cons.save()
    consultation(title="Unrelated")
    with at(CALL):
        page = client.get(reverse("consultations:list"), {"forum": forum.pk})
        assert "For the IMRF" in page.content.decode() and "Unrelated" not in page.content.decode()
        phase = client.get(reverse("consultations:list"), {"phase": "consultations.synthesis"})
        assert "For the IMRF" not in phase.content.decode()
        partial = client.get(reverse("consultations:list"), {"phase": "consultations.call_for_input"},
                             HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "For the IMRF" in partial.content.decode()
    # The current phase shows by its label, never by its internal key.
    assert "Call for input" in partial.content.decode()
    assert "consultations.call_for_input" not in partial.content.decode().split("<tbody")[1]


def test_detail_shows_timeline_questions_and_contribute_button(client) -> None:  # noqa: ANN001
    cons = consultation()
    town = city()
    officer = person(town)
    sign_in_as(client, officer)
    with at(CALL):
        page = client.get(cons.get_absolute_url()).content.decode()
    assert 'aria-current="step"' in page and "What works in your city?" in page
    assert reverse("consultations:contribution_create", args=[cons.slug]) in page
    with at(SYNTHESIS):
        page = client.get(cons.get_absolute_url()).content.decode()
    assert reverse("consultations:contribution_create", args=[cons.slug]) not in page


def test_contribution_form_creates_with_answers_tags_and_evidence(client) -> None:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    cons = consultation()
    town = city()
    sign_in_as(client, person(town))
    question = cons.questions.get()
    pdf = SimpleUploadedFile("evidence.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                             content_type="application/pdf")
    with at(CALL):
        response = client.post(reverse("consultations:contribution_create", args=[cons.slug]), {
            "actor": town.pk, "title": "Our input", "summary": "Short", "language": "en",
            f"answer_{question.pk}": "One desk", "proposed_actions": "Open services",
            "links": "https://example.org/plan City plan", "gcm_objectives": [gcm_objective("15").pk],
            "evidence": pdf,
        })
    assert response.status_code == 302, response.content.decode()[:2000]
    contribution = Contribution.objects.get(title="Our input")
    assert contribution.answers == {str(question.pk): "One desk"}
    assert contribution.links == [{"url": "https://example.org/plan", "label": "City plan"}]
    page = client.get(contribution.get_absolute_url()).content.decode()
    assert "evidence.pdf" in page and "City plan" in page and "One desk" in page


def test_stranger_gets_403_on_contribute(client) -> None:  # noqa: ANN001
    cons = consultation()
    sign_in_as(client, person(city(), RoleKind.REVIEWER))
    with at(CALL):
        assert client.get(reverse("consultations:contribution_create", args=[cons.slug])).status_code == 403


def test_contribution_page_shows_where_it_ended_up(client) -> None:  # noqa: ANN001
    flow = adopted_flow()
    contribution = flow["contributions"][1]
    paragraph = flow["version"].paragraphs.get(sources=contribution)
    page = client.get(contribution.get_absolute_url()).content.decode()
    assert "Where it ended up" in page
    assert f"paragraph {paragraph.position}" in page
    assert paragraph.get_absolute_url() in page


def test_document_page_lists_sources_and_paragraph_comments_in_comment_phase(client) -> None:  # noqa: ANN001
    cons = consultation()
    town = city("Sourcetown")
    contribute(cons, town, person(town))
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    sign_in_as(client, staff)
    with at(COMMENTS):
        page = client.get(version.document.get_absolute_url()).content.decode()
    assert "Sourcetown" in page and "Comments on paragraph 1" in page
    assert reverse("consultations:version_create", args=[version.document.pk]) in page
    with at(SYNTHESIS):
        page = client.get(version.document.get_absolute_url()).content.decode()
    assert "Comments on paragraph 1" not in page


def test_rewrite_page_then_diff(client) -> None:  # noqa: ANN001
    cons = consultation()
    town = city()
    contribute(cons, town, person(town), text="Open all services to every resident.")
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        v1 = services.outcome_draft_compile(user=staff, consultation=cons)
    key = v1.paragraphs.get().key
    sign_in_as(client, staff)
    with at(COMMENTS):
        response = client.post(reverse("consultations:version_create", args=[v1.document.pk]), {
            f"text_{key}": "Open all public services to every resident.", "note": "wording",
            "new-0-heading": "Closing", "new-0-text": "Cities stand ready."})
        assert response.status_code == 302
        diff = client.get(response["Location"]).content.decode()
    assert "<ins>" in diff and "public" in diff and "inserted:" in diff
    assert "new paragraph" in diff and "Cities stand ready." in diff


def test_adopt_button_and_endorsement_page_counter(client) -> None:  # noqa: ANN001
    flow = adopted_flow()
    document = flow["document"]
    signer_city = flow["cities"][0]
    signer = person(signer_city, RoleKind.ADMINISTRATOR)
    sign_in_as(client, signer)
    with at(ENDORSEMENT):
        page = client.get(reverse("consultations:endorsements", args=[document.pk])).content.decode()
        assert 'data-testid="endorsement-count">0<' in page and "Endorse the document" in page
        response = client.post(reverse("consultations:endorsement_create", args=[document.pk]), {
            "actor": signer_city.pk, "signatory_name": "Ana Example", "signatory_title": "Mayor",
            "authority": "Council decision"})
        assert response.status_code == 302
        page = client.get(reverse("consultations:endorsements", args=[document.pk])).content.decode()
    assert 'data-testid="endorsement-count">1<' in page
    assert "Ana Example" in page and "Show the map data as a table" in page and "Alpha City" in page
    map_data = json.loads(page.split('id="endorsers-map-data" type="application/json">')[1].split("</script>")[0])
    assert [p["name"] for p in map_data["points"]] == ["Alpha City"]  # the endorser is on the map


def test_forum_pages() -> None:
    from django.test import Client

    load_forums()
    client = Client()
    page = client.get(reverse("consultations:forum_list")).content.decode()
    assert "World Urban Forum" in page and "Katowice" in page
    detail = client.get(reverse("consultations:forum_detail", args=["gcm-stocktaking-2017"])).content.decode()
    assert "Puerto Vallarta" in detail and "71/280" in detail
    # In Arabic, the forum's name is the reader's, on its page and in the list.
    client.cookies["django_language"] = "ar"
    arabic = client.get(reverse("consultations:forum_detail", args=["grf-2023"])).content.decode()
    assert '<h1>المنتدى العالمي للاجئين 2023 (<abbr lang="en" dir="ltr" translate="no">GRF</abbr>)</h1>' in arabic
    assert "الدورة الحادية عشرة للمنتدى الحضري العالمي" in client.get(reverse("consultations:forum_list")).content.decode()


def test_forums_without_a_year_come_last() -> None:
    from arrival.consultations.selectors import forum_list

    load_forums()
    years = [f.year for f in forum_list()]
    assert None in years and years.index(None) > 0
    dated = [y for y in years if y is not None]
    assert dated == sorted(dated, reverse=True) and all(y is None for y in years[len(dated):])


def test_government_profile_lists_contributions_and_endorsements(client) -> None:  # noqa: ANN001
    flow = adopted_flow()
    town = flow["cities"][0]
    with at(ENDORSEMENT):
        services.endorsement_create(user=flow["users"][0], document=flow["document"], actor=town,
                                    signatory_name="N", signatory_title="Mayor", authority="Council")
    page = client.get(reverse("actors:actor_detail", args=[town.slug])).content.decode()
    assert "Consultations" in page and flow["contributions"][0].title in page and flow["document"].title in page


def test_home_map_counts_contributing_and_endorsing_governments(client) -> None:  # noqa: ANN001
    from arrival.actors.selectors import places_with_records

    adopted_flow()
    names = {point["name"] for point in places_with_records()}
    assert {"Alpha City", "Beta City"} <= names
    assert client.get("/").status_code == 200


def test_pages_read_in_a_bounded_number_of_queries(client, django_assert_max_num_queries) -> None:  # noqa: ANN001
    cons = consultation()
    for i in range(8):
        town = city(f"Town {i}")
        contribute(cons, town, person(town))
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    with at(SYNTHESIS):
        with django_assert_max_num_queries(25):
            assert client.get(cons.get_absolute_url()).status_code == 200
        with django_assert_max_num_queries(25):
            assert client.get(reverse("consultations:list")).status_code == 200
        with django_assert_max_num_queries(25):
            assert client.get(version.document.get_absolute_url()).status_code == 200
