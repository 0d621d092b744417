"""Exports of one document version: HTML (the page), PDF, DOCX, Markdown (arrival.reports.documents) and the
paragraphs as open data, CSV or JSON with framework codes and source contribution ids (arrival.reports.exports).

The files are the export kind "consultations.version" (arrival.reports.prepared): built by a background job
when the version is made and again when it is adopted; its address serves the latest built file. Each names
its licence and its source address (the version's page).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from arrival.consultations import selectors
from arrival.consultations.models import DocumentVersion
from arrival.core.site import absolute_url
from arrival.core.translations import localized
from arrival.reports.documents import (
    Bullets,
    Colophon,
    Document,
    Heading,
    Paragraph,
    Span,
    colophon,
    render_docx,
    render_markdown,
    render_pdf,
)
from arrival.reports.exports import OpenDataMeta, csv_bytes, json_bytes
from arrival.reports.prepared import CSV, DOCX, JSON, MARKDOWN, PDF, Built, ExportKind, export_kind_register
from arrival.reports.services import prepared_files_refresh

COLUMNS = ("document", "language", "version", "paragraph", "group", "group_code", "heading", "text", "editorial",
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
    names = []
    for source in paragraph.sources.all():
        name = f"#{source.pk} {source.actor.name}"
        signers = [cosignature.actor.name for cosignature in source.cosignatures.all()]
        names.append(_("%(name)s, co-signed by %(names)s") % {"name": name, "names": ", ".join(signers)} if signers
                     else name)
    return _("Sources: %(names)s") % {"names": "; ".join(names)}


def document_blocks(version: DocumentVersion, about: Colophon | None = None) -> Document:
    """The version as document blocks: its words in the consultation's language (marked as such), what Arrival
    says of it in the reader's."""
    paragraphs = selectors.paragraph_list(version=version)
    language = version.document.language or version.document.consultation.language or "en"
    blocks: list[Any] = [Paragraph(_status(version), emphasis=True)]
    if version.document.is_demo:
        blocks.append(Paragraph(_("Demo data: invented for the demonstration."), emphasis=True))
    for paragraph in paragraphs:
        blocks.append(Heading(Span(paragraph.numbered_heading, language), level=1))
        blocks.extend(Paragraph(Span(line, language)) for line in paragraph.text.splitlines() if line.strip())
        blocks.append(Bullets([_sources_line(paragraph)]))
    # The reader's translation of the titles when there is one, marked with its language; the paragraphs are in
    # the document's language.
    return Document(title=localized(version.document, "title"),
                    subtitle=localized(version.document.consultation, "title"), blocks=blocks, colophon=about)


def _colophon(version: DocumentVersion) -> Colophon:
    return colophon(source=version.get_absolute_url())


def version_docx(version: DocumentVersion) -> bytes:
    return render_docx(document_blocks(version, _colophon(version)))


def version_markdown(version: DocumentVersion) -> str:
    return render_markdown(document_blocks(version, _colophon(version)))


def version_pdf(version: DocumentVersion) -> bytes:
    return render_pdf("consultations/document_pdf.html", {
        "version": version, "document": version.document, "status": _status(version),
        "paragraphs": selectors.paragraph_list(version=version), "colophon": _colophon(version),
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


# --- the files behind the export address (arrival.reports.prepared) ---------------------------------------

KIND_VERSION = "consultations.version"
FORMATS = {"pdf": PDF, "docx": DOCX, "md": MARKDOWN, "csv": CSV, "json": JSON}


def _version_of(params: dict[str, Any]) -> DocumentVersion:
    return selectors.version_get(document=selectors.document_get(pk=params["document"]), number=params["number"])


def build_version(params: dict[str, Any], fmt: str) -> Built:
    """One version of an outcome document as PDF, DOCX, Markdown, CSV or JSON."""
    version = _version_of(params)
    source = absolute_url(version.get_absolute_url())
    if fmt == "pdf":
        content = version_pdf(version)
    elif fmt == "docx":
        content = version_docx(version)
    elif fmt == "md":
        content = version_markdown(version).encode("utf-8")
    elif fmt == "csv":
        content = version_csv(version, source=source)
    else:
        content = version_json(version, source=source)
    return Built(content=content, filename=f"outcome-{params['document']}-v{params['number']}.{fmt}")


def _version_source(params: dict[str, Any]) -> str:
    return f"consultations.document:{params['document']}:v{params['number']}"


def _version_address(params: dict[str, Any], fmt: str) -> str:
    return reverse("consultations:version_export", args=[params["document"], params["number"], fmt])


def _published() -> Any:
    versions = DocumentVersion.objects.order_by("pk").values_list("document_id", "number")
    return ({"document": document, "number": number} for document, number in versions.iterator(chunk_size=2000))


export_kind_register(ExportKind(name=KIND_VERSION, formats=FORMATS, build=build_version, source=_version_source,
                                address=_version_address, published=_published))


def version_files_refresh(*, version: DocumentVersion) -> None:
    """The version was made or adopted: (re)build its files."""
    params = {"document": version.document_id, "number": version.number}
    prepared_files_refresh(source=_version_source(params), kinds=[(KIND_VERSION, params)])
