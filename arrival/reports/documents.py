"""Documents for every app: HTML templates to PDF (WeasyPrint), and a small block model to DOCX and Markdown.

PDF: `render_pdf("app/report.html", context)` renders a Django template and prints it. The document may
link our own static files (`{% static 'reports/document.css' %}`); every other URL — remote, `file:`,
`data:` — is refused, so rendering never touches the network or the file system beyond static files.

DOCX and Markdown: build a `Document` from blocks (`Heading`, `Paragraph`, `Bullets`, `Table`) and call
`render_docx(document)` or `render_markdown(document)`. Right-to-left languages set the paragraphs' and
runs' bidi properties so Word lays Arabic out from the right.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import get_language_bidi

# WeasyPrint resolves relative URLs against this base; only this host is ever answered.
DOCUMENT_BASE_URL = "https://arrival.invalid/"


class ResourceRefused(ValueError):
    """A document asked for something outside our static files."""


def _static_path(url: str) -> Path:
    parts = urlsplit(url)
    base = urlsplit(DOCUMENT_BASE_URL)
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(static_prefix):
        raise ResourceRefused(f"Documents may only use Arrival's static files, not {url!r}")
    relative = unquote(parts.path[len(static_prefix):])
    if not relative or ".." in Path(relative).parts:
        raise ResourceRefused(f"Not a static file: {url!r}")
    found = finders.find(relative)
    if found is None and settings.STATIC_ROOT:
        collected = Path(settings.STATIC_ROOT) / relative
        found = str(collected) if collected.is_file() else None
    if not found:
        raise ResourceRefused(f"No static file {relative!r}")
    return Path(found if isinstance(found, str) else found[0])


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
            path = _static_path(url)
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": media_type})

    return StaticOnlyFetcher()


def render_pdf(template_name: str, context: Mapping[str, Any] | None = None) -> bytes:
    """Render `template_name` with `context` and print it to PDF bytes (fonts: DejaVu and Noto, incl. Arabic)."""
    return html_to_pdf(render_to_string(template_name, dict(context or {})))


def html_to_pdf(html: str) -> bytes:
    """Print an HTML document to PDF bytes; its URLs resolve against our static files only."""
    from weasyprint import HTML

    return HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=_fetcher()).write_pdf()


# --- blocks for DOCX and Markdown --------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = chapter heading under the document title


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False  # a note set apart in italics, e.g. "this is a draft"


@dataclass(frozen=True)
class Bullets:
    items: Sequence[str]


@dataclass(frozen=True)
class Table:
    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]


Block = Heading | Paragraph | Bullets | Table


@dataclass(frozen=True)
class Colophon:
    """What every published document says of itself: its licence, its source address (absolute) and, for
    scores, the framework version they were computed with. DOCX and Markdown end with it; a PDF template
    includes `reports/_colophon.html` (document_base.html does when the context has `colophon`)."""

    licence: str
    source: str
    version: str = ""

    @property
    def licence_url(self) -> str:
        from arrival.reports.exports import LICENCE_URLS

        return LICENCE_URLS.get(self.licence, "")

    def lines(self) -> list[str]:
        from django.utils.translation import gettext as _

        licence = f"{self.licence} ({self.licence_url})" if self.licence_url else self.licence
        lines = [_("Licence: %(licence)s") % {"licence": licence}, _("Source: %(url)s") % {"url": self.source}]
        if self.version:
            lines.append(_("Framework version: %(version)s") % {"version": self.version})
        return lines


def colophon(*, source: str, version: str = "") -> Colophon:
    """The colophon of a document published at `source` (a path or address), under the deployment's licence."""
    from arrival.core.site import absolute_url
    from arrival.reports.exports import data_licence

    return Colophon(licence=data_licence(), source=source if "://" in source else absolute_url(source), version=version)


@dataclass(frozen=True)
class Document:
    title: str
    blocks: Sequence[Block] = field(default_factory=tuple)
    subtitle: str = ""
    rtl: bool | None = None  # None: follow the active language
    colophon: Colophon | None = None


def _set_bidi(paragraph: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    if properties.find(qn("w:bidi")) is None:
        properties.append(OxmlElement("w:bidi"))
    for run in paragraph.runs:
        run_properties = run._r.get_or_add_rPr()
        if run_properties.find(qn("w:rtl")) is None:
            run_properties.append(OxmlElement("w:rtl"))


def render_docx(document: Document) -> bytes:
    """The document as a .docx file (Word's built-in heading, list and table styles, so it stays editable)."""
    from docx import Document as new_docx

    rtl = get_language_bidi() if document.rtl is None else document.rtl
    out = new_docx()
    written = [out.add_heading(document.title, level=0)]
    if document.subtitle:
        written.append(out.add_paragraph(document.subtitle, style="Subtitle"))
    for block in document.blocks:
        if isinstance(block, Heading):
            written.append(out.add_heading(block.text, level=min(max(block.level, 1), 9)))
        elif isinstance(block, Paragraph):
            paragraph = out.add_paragraph()
            run = paragraph.add_run(block.text)
            run.italic = block.emphasis
            written.append(paragraph)
        elif isinstance(block, Bullets):
            written.extend(out.add_paragraph(item, style="List Bullet") for item in block.items)
        elif isinstance(block, Table):
            written.append(out.add_paragraph(block.caption, style="Caption"))
            table = out.add_table(rows=1, cols=len(block.columns))
            table.style = "Table Grid"
            for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
                cell.text = str(column)
                cell.paragraphs[0].runs[0].bold = True
                written.append(cell.paragraphs[0])
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = str(value)
                    written.append(cell.paragraphs[0])
    if document.colophon is not None:
        for line in document.colophon.lines():
            paragraph = out.add_paragraph()
            paragraph.add_run(line).italic = True
            written.append(paragraph)
        properties = out.core_properties
        properties.title = document.title[:255]
        properties.identifier = document.colophon.source
        properties.comments = " · ".join(document.colophon.lines())
        properties.version = document.colophon.version
    if rtl:
        for paragraph in written:
            _set_bidi(paragraph)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _md_escape(text: str) -> str:
    # Characters that would start Markdown syntax inside running text.
    for char in ("\\", "`", "*", "_", "[", "]", "<", ">", "#", "|"):
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def render_markdown(document: Document) -> str:
    """The document as CommonMark with GitHub-style tables."""
    lines = [f"# {_md_escape(document.title)}", ""]
    if document.subtitle:
        lines += [_md_escape(document.subtitle), ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * min(block.level + 1, 6)} {_md_escape(block.text)}", ""]
        elif isinstance(block, Paragraph):
            text = _md_escape(block.text)
            lines += [f"*{text}*" if block.emphasis else text, ""]
        elif isinstance(block, Bullets):
            lines += [f"- {_md_escape(item)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            lines += [f"**{_md_escape(block.caption)}**", ""]
            lines.append("| " + " | ".join(_md_escape(str(c)) for c in block.columns) + " |")
            lines.append("|" + "|".join(" --- " for _c in block.columns) + "|")
            lines += ["| " + " | ".join(_md_escape(str(v)) for v in row) + " |" for row in block.rows]
            lines.append("")
    if document.colophon is not None:
        lines += ["---", ""] + [f"{_md_escape(line)}  " for line in document.colophon.lines()]
    return "\n".join(lines).rstrip() + "\n"
