"""A Spanish-speaking city officer answers the questionnaire in Spanish and downloads the report as a Spanish PDF.

The interface strings come from the Spanish catalogue; the framework's texts from `framework_parsed(…, "es")`,
so the test asks for whatever Spanish the framework file gives (and more of it as translations land).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from arrival.assessments.selectors import framework_parsed
from arrival.assessments.selectors.records import indicator_list
from arrival.assessments.services import answers_save_many
from tests.assessments.factories import AssessmentFactory, officer_for
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pdf_language(pdf: bytes) -> str:
    """The /Lang of a PDF's catalogue, looked for in the file and in its compressed object streams."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"/Lang\s*\(([^)]*)\)", chunk)
        if found:
            return found.group(1).decode("ascii")
    return ""


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is missing: scripts/bootstrap installs it"
    path = tmp_path / "report-es.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607


def test_spanish_officer_answers_in_spanish_and_downloads_a_spanish_pdf(browser, live_server, settings, tmp_path):
    settings.ARRIVAL_JOBS_EAGER = True
    assessment = AssessmentFactory(cycle=2025)
    officer = officer_for(assessment.government)
    officer.preferred_language = "es"
    officer.save(update_fields=["preferred_language"])
    answers_save_many(user=officer, assessment=assessment, rows=[
        {"indicator_code": i.code, "value": 3, "evidence_reference": f"Acuerdo del pleno {i.code}"}
        for i in indicator_list(framework=assessment.framework) if i.code != "D1.1.1"
    ])
    spanish = framework_parsed(framework=assessment.framework, language="es")
    first = next(i for i in spanish.indicators if i.code == "D1.1.1")
    with translation.override("es"):
        saved, save = _("Saved."), _("Save %(code)s") % {"code": "D1.1.1"}
        level_two = _("Level %(level)s: %(text)s") % {"level": 2, "text": " ".join(first.levels[2].split())}
        scores_by_domain, methods = _("Scores by domain"), _("Methods")
        title = _("Migration governance assessment: %(government)s, %(cycle)s") % {
            "government": assessment.government.name, "cycle": 2025}

    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    context.set_default_timeout(30_000)
    sign_in(context, live_server, officer)
    page = context.new_page()

    # The questionnaire in Spanish: the interface from the catalogue, the question as the framework gives it.
    page.goto(f"/assessments/{assessment.pk}/questionnaire/?domain=D1")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    card = page.locator("#ind-D1-1-1")
    expect(card.locator("h4")).to_contain_text(" ".join(first.question.split()))
    card.get_by_label(level_two).check()
    card.locator("#id_D1_1_1-evidence_reference").fill("Acuerdo del pleno 2025/12")
    card.get_by_role("button", name=save).click()
    expect(page.locator("#ind-D1-1-1")).to_contain_text(saved)

    # The report, prepared in the reader's language: a Spanish PDF whose catalogue says /Lang (es).
    # (Playwright's request context sends the session cookie, not the browser's Accept-Language: given here.)
    address, spanish_browser = f"/assessments/{assessment.pk}/report.pdf", {"Accept-Language": "es-ES,es;q=0.9"}
    response = page.request.get(address, headers=spanish_browser)
    if response.status == 503:  # the first build was queued (run at once here): ask again
        response = page.request.get(address, headers=spanish_browser)
    assert response.status == 200, response.text()
    assert response.headers["content-language"] == "es"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    assert _pdf_language(pdf) == "es"
    text = " ".join(_pdf_text(pdf, tmp_path).split())
    for expected in (title, scores_by_domain, methods):
        assert " ".join(expected.split()) in text, expected
    # Framework texts as the Spanish translation gives them (the English original where it gives none yet).
    assert spanish.domains[0].title.split()[0] in text
    context.close()
