"""Exports of one document version: HTML (the page), PDF, DOCX, Markdown (arrival.reports.documents) and the
paragraphs as open data, CSV or JSON with framework codes and source contribution ids (arrival.reports.exports).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from arrival.consultations import selectors
from arrival.consultations.models import DocumentVersion
from arrival.reports.documents import (
    Bullets,
    Document,
    Heading,
    Paragraph,
    render_docx,
    render_markdown,
    render_pdf,
)
from arrival.reports.exports import OpenDataMeta, csv_bytes, json_bytes

COLUMNS = ("document", "version", "paragraph", "group", "group_code", "heading", "text", "editorial",
           "source_contribution_ids", "contributors", "framework_codes")
OPEN_DATA_VERSION = "consultations-1"


def _status(version: DocumentVersion) -> str:
    if version.frozen_at:
        return _("Adopted version %(number)d, %(date)s") % {"number": version.number,
                                                            "date": version.frozen_at.date().isoformat()}
    return _("Draft version %(number)d — not adopted") % {"number": version.number}


def _sources_line(paragraph: Any) -> str:
    if paragraph.editorial and not paragraph.sources.all():
        return _("Editorial paragraph (written by the editors).")
    names = ", ".join(f"#{s.pk} {s.actor.name}" for s in paragraph.sources.all())
    return _("Sources: %(names)s") % {"names": names}


def document_blocks(version: DocumentVersion) -> Document:
    paragraphs = selectors.paragraph_list(version=version)
    blocks: list[Any] = [Paragraph(_status(version), emphasis=True)]
    if version.document.is_demo:
        blocks.append(Paragraph(_("Demo data: invented for the demonstration."), emphasis=True))
    for paragraph in paragraphs:
        blocks.append(Heading(paragraph.numbered_heading, level=1))
        blocks.extend(Paragraph(line) for line in paragraph.text.splitlines() if line.strip())
        blocks.append(Bullets([_sources_line(paragraph)]))
    return Document(title=version.document.title, subtitle=version.document.consultation.title, blocks=blocks,
                    rtl=False if version.document.consultation.language != "ar" else True)


def version_docx(version: DocumentVersion) -> bytes:
    return render_docx(document_blocks(version))


def version_markdown(version: DocumentVersion) -> str:
    return render_markdown(document_blocks(version))


def version_pdf(version: DocumentVersion) -> bytes:
    return render_pdf("consultations/document_pdf.html", {
        "version": version, "document": version.document, "status": _status(version),
        "paragraphs": selectors.paragraph_list(version=version),
    })


def _meta(version: DocumentVersion, source: str) -> OpenDataMeta:
    return OpenDataMeta(title=f"{version.document.title} — v{version.number}", version=OPEN_DATA_VERSION,
                        source=source, notes={"adopted": bool(version.frozen_at)})


def _flat(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "source_contribution_ids": " ".join(str(i) for i in row["source_contribution_ids"]),
             "contributors": "; ".join(row["contributors"]), "framework_codes": " ".join(row["framework_codes"])}
            for row in rows]


def version_csv(version: DocumentVersion, *, source: str = "") -> bytes:
    return csv_bytes(COLUMNS, _flat(selectors.export_rows(version=version)), _meta(version, source))


def version_json(version: DocumentVersion, *, source: str = "") -> bytes:
    return json_bytes(COLUMNS, selectors.export_rows(version=version), _meta(version, source))
