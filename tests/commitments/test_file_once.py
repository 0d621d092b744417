"""File once: the commitment in the fields of the UN Network's GCM pledge form and of the Call to Local Action,
as JSON, CSV and DOCX — opened and read back."""

from __future__ import annotations

import csv
import io
import json

import docx
from django.core.management import call_command
from django.urls import reverse

from arrival.commitments import file_once, services
from arrival.core.models import Job
from tests.commitments.factories import city, draft_commitment, network, person, published_commitment


def _commitment():
    partner = network("Welcoming Cities")
    original = published_commitment()["commitment"]
    parts = published_commitment(city("Ghent"), commitment_type="matching", matches=original, partners=[partner])
    return parts["commitment"], original


def _docx_table(body: bytes) -> dict[str, str]:
    document = docx.Document(io.BytesIO(body))
    table = document.tables[0]
    return {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}


def test_pledge_form_fields_in_docx():
    commitment, original = _commitment()
    body = file_once.render(commitment, "un_gcm_pledge", "docx")
    fields = _docx_table(body)
    assert fields["Pledging entity"] == "Ghent"
    assert fields["Type of pledge"] == "Matching pledge"
    assert fields["Pledge matched (id)"] == original.public_id
    assert fields["GCM objectives"].startswith("16 ")
    assert fields["GCM guiding principles"].startswith("a ")
    assert fields["Pledge description"] == "Trained volunteer hosts meet every newcomer within a month."
    assert fields["Form of the pledge"] == "Human resources; Process"
    assert fields["Timeline"].startswith("2026-01-01 – 2027-12-31") and "First twenty hosts trained" in fields["Timeline"]
    assert fields["Contact"] == "Migrant inclusion office, inclusion@example.org"
    assert fields["Other entities in a common or partnership pledge"] == "Welcoming Cities"
    paragraphs = " ".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    assert "Arrival's mapping" in paragraphs and "not an official export" in paragraphs


def test_call_to_local_action_fields_in_csv_and_json():
    commitment, _original = _commitment()
    rows = list(csv.DictReader(io.StringIO(file_once.render(commitment, "call_to_local_action", "csv")
                                           .decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["local_government"] == "Ghent"
    assert row["action_title"] == "Welcome hosts in every neighbourhood"
    assert "16 " in row["objectives"] and "10.2 " in row["objectives"]
    assert row["partners"] == "Welcoming Cities"
    assert row["status"] == "Planning (0%)"
    assert row["arrival_public_id"] == commitment.public_id
    assert row["data_version"] == file_once.MAPPING_VERSION and row["licence"]
    data = json.loads(file_once.render(commitment, "call_to_local_action", "json"))
    assert data["metadata"]["form"] == "call_to_local_action"
    assert "Arrival's mapping" in data["metadata"]["mapping"]
    assert data["data"][0]["timeline"].startswith("2026-01-01 – 2027-12-31")


def test_pledge_json_columns_are_the_documented_mapping():
    commitment, _original = _commitment()
    data = json.loads(file_once.render(commitment, "un_gcm_pledge", "json"))
    assert data["metadata"]["columns"] == [
        "pledging_entity", "pledging_entity_country", "pledge_type", "matched_pledge_id", "co_pledging_entities",
        "gcm_objectives", "gcm_guiding_principles", "pledge_title", "pledge_description", "pledge_form", "timeline",
        "contact", "arrival_public_id", "language", "translations"]


def test_a_draft_exports_for_its_team_without_a_public_id():
    lead = city()
    draft = draft_commitment(user=person(lead), lead=lead)
    data = json.loads(file_once.render(draft, "un_gcm_pledge", "json"))
    assert data["data"][0]["arrival_public_id"] == "" and file_once.filename(draft, "un_gcm_pledge", "json").startswith(
        "commitment-")


def _get(client, url):  # noqa: ANN001, ANN202
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_publication_prepares_the_files_and_a_new_milestone_rebuilds_them(client, settings):  # noqa: ANN001
    settings.ARRIVAL_SITE_URL = "http://testserver"
    parts = published_commitment(city("Ghent"))
    commitment = parts["commitment"]
    queued = {(j.kwargs["params"]["form"], j.kwargs["fmt"]) for j in Job.objects.filter(name="reports.prepare_file")}
    assert queued == {(form, fmt) for form in file_once.FORMS for fmt in file_once.FORMATS}
    call_command("worker", "--once", stdout=io.StringIO())
    url = reverse("commitments:file_once_export", args=[commitment.pk, "un_gcm_pledge", "json"])
    before = json.loads(_get(client, url))
    assert before["metadata"]["source"] == f"http://testserver{url}" and before["metadata"]["licence"] == "CC BY 4.0"
    services.milestone_add(user=parts["team"], commitment=commitment, title="Desk opens", due_on="2030-01-01")
    assert json.loads(_get(client, url)) == before  # the latest prepared file while the rebuild waits
    call_command("worker", "--once", stdout=io.StringIO())
    after = json.loads(_get(client, url))
    assert "Desk opens" in after["data"][0]["timeline"] and "Desk opens" not in before["data"][0]["timeline"]
    words = "\n".join(p.text for p in docx.Document(io.BytesIO(_get(client, url.replace(".json", ".docx")))).paragraphs)
    assert "CC BY 4.0" in words and f"http://testserver{url.replace('.json', '.docx')}" in words
