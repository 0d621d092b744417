"""What participation adds to other apps: the profile section, the assessment evidence links, images."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arrival.actors.profile_sections import profile_sections_render
from arrival.assessments.evidence_links import evidence_links
from arrival.participation import services
from arrival.participation.models import AnswerStatus, ProposalImage, StatusKind
from tests.participation.factories import open_process, posted, resident
from tests.participation.test_services import process_officer


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_profile_section_lists_the_city_processes() -> None:
    process = open_process(title="Parks for everyone")
    html = "".join(profile_sections_render(actor=process.owner))
    assert "Resident participation" in html and "Parks for everyone" in html


def test_assessment_answer_shows_linked_proposal() -> None:
    process = open_process()
    officer = process_officer(process)
    proposal = posted(process, resident(), title="Interpreters at the clinic")
    services.answer_create(user=officer, proposal=proposal,
                           status=AnswerStatus.objects.get(owner=process.owner, kind=StatusKind.ACCEPTED), text="Yes")
    proposal.refresh_from_db()
    services.proposal_link_create(user=officer, proposal=proposal, kind="evidence", target_type="assessments.answer",
                                  target_id=41, label="Indicator 3.2", url="/assessments/x/")

    class AssessmentAnswer:
        pk = 41

    assert evidence_links(AssessmentAnswer()) == [("From resident proposal “Interpreters at the clinic”",
                                                  proposal.get_absolute_url())]


def test_image_with_alt_text(client) -> None:
    process = open_process()
    proposal = posted(process, resident(), images=[(SimpleUploadedFile("square.png", _png()), "The empty square")])
    image = ProposalImage.objects.get(proposal=proposal)
    assert image.alt_text == "The empty square" and image.attachment.media_type == "image/png"
    assert 'alt="The empty square"' in client.get(proposal.get_absolute_url()).content.decode()
    assert client.get(reverse("core:attachment_download", args=[image.attachment_id])).status_code == 200
    with pytest.raises(ValidationError):
        posted(process, resident(), images=[(SimpleUploadedFile("x.png", _png()), "  ")])
