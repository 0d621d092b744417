"""Documents for every app: HTML templates to PDF (WeasyPrint), and a small block model to DOCX and Markdown.

PDF: `render_pdf("app/report.html", context)` renders a Django template and prints it. The document may
link our own static files (`{% static 'reports/document.css' %}`); every other URL — remote, `file:`,
`data:` — is refused, so rendering never touches the network or the file system beyond static files.

DOCX and Markdown: build a `Document` from blocks (`Heading`, `Paragraph`, `Bullets`, `Table`) and call
`render_docx(document)` or `render_markdown(document)`.

Every document carries its language. A PDF takes it from `<html lang>` (reports/document_base.html: the active
language), which WeasyPrint writes as the catalogue's /Lang; text in another language is marked in the template
with `lang`/`dir` (`{% content record "field" %}`, `|lang_attrs`), and numbers on a right-to-left page are kept
left to right with `|ltr`. A DOCX names it in its core properties and its default run properties (`w:lang`);
a block's text may be a `Span` (or a `Localized`) in another language, written as a run with its own `w:lang`
and, for Arabic and the like, right to left (`w:rtl`, `w:bidi`). Right-to-left documents lay paragraphs and
tables out from the right.

Fonts (scripts/bootstrap installs them): DejaVu Sans for Latin and Cyrillic, Noto Sans Arabic, WenQuanYi Micro
Hei for Chinese.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from arrival.core.languages import base_language, language_dir, language_tag

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
class Span:
    """A text in a stated language: user or reference content inside a document in another language (a practice
    written in Arabic in an English report). `arrival.core.translations.Localized` serves as well."""

    text: str
    language: str

    def __str__(self) -> str:
        return self.text


class _LanguageText(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def language(self) -> str: ...


# A block's text: a plain string is in the document's language; a Span (or a Localized) says its own; a tuple
# of them is one paragraph of several runs ("<question in English> (nivel 3)").
Text = str | _LanguageText | tuple["str | _LanguageText", ...]


def plain(value: Text | object) -> str:
    """The characters of a text, whatever its kind."""
    if isinstance(value, tuple):
        return "".join(plain(piece) for piece in value)
    return value if isinstance(value, str) else str(getattr(value, "text", value))


def text_language(value: Text | object) -> str:
    """The language a text says it is in; "" for a plain string (the document's)."""
    return "" if isinstance(value, str) else str(getattr(value, "language", "") or "")


@dataclass(frozen=True)
class Heading:
    text: Text
    level: int = 1  # 1 = chapter heading under the document title


@dataclass(frozen=True)
class Paragraph:
    text: Text
    emphasis: bool = False  # a note set apart in italics, e.g. "this is a draft"


@dataclass(frozen=True)
class Bullets:
    items: Sequence[Text]


@dataclass(frozen=True)
class Table:
    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Text]]


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
    title: Text
    blocks: Sequence[Block] = field(default_factory=tuple)
    subtitle: Text = ""
    rtl: bool | None = None  # None: as the document's language is written
    colophon: Colophon | None = None
    language: str = ""  # the language of the document's own words; "": the active interface language


# Word keeps three languages per run: `val` for Latin, Greek and Cyrillic letters, `eastAsia` for Chinese,
# Japanese and Korean characters, `bidi` for Arabic and other complex scripts. A language is given in the slots
# of its script; the others keep Word's defaults for letters of another script.
_EAST_ASIAN = {"zh", "ja", "ko"}


def _lang_attributes(tag: str) -> dict[str, str]:
    base = base_language(tag)
    if base in _EAST_ASIAN:
        return {"w:eastAsia": tag}
    if language_dir(tag) == "rtl":
        return {"w:bidi": tag}
    return {"w:val": tag}


def _set_lang(properties: Any, tag: str) -> None:
    """`<w:lang>` in run properties (`w:rPr`) for text in `tag`."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = properties.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        properties.append(element)
    for name, value in _lang_attributes(tag).items():
        element.set(qn(name), value)


def _set_default_lang(out: Any, tag: str) -> None:
    """The document's language as the default of every run (docDefaults), in the slot of its script."""
    from docx.oxml.ns import qn

    defaults = out.styles.element.find(qn("w:docDefaults"))
    properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_lang(properties, tag)


def _set_paragraph_direction(paragraph: Any, rtl: bool) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    existing = properties.find(qn("w:bidi"))
    if rtl and existing is None:
        properties.append(OxmlElement("w:bidi"))
    elif not rtl and existing is not None:
        properties.remove(existing)


def _write(paragraph: Any, value: Text, *, document_language: str, document_rtl: bool, italic: bool = False,
           bold: bool = False) -> None:
    """Write `value` into an empty paragraph as one run: in the document's language, or marked with its own
    (`w:lang`, and right to left with `w:rtl` and a `w:bidi` paragraph for Arabic and the like)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    pieces = value if isinstance(value, tuple) else (value,)
    paragraph_rtl = document_rtl
    for piece in pieces:
        language = text_language(piece)
        own = bool(language) and base_language(language) != base_language(document_language)
        rtl = language_dir(language) == "rtl" if own else document_rtl
        if len(pieces) == 1:
            paragraph_rtl = rtl  # a paragraph wholly in another language takes its direction
        run = paragraph.add_run(plain(piece))
        run.italic = italic or None
        run.bold = bold or None
        properties = run._r.get_or_add_rPr()
        if own:
            _set_lang(properties, language_tag(language))
        if rtl and properties.find(qn("w:rtl")) is None:
            properties.append(OxmlElement("w:rtl"))
    _set_paragraph_direction(paragraph, paragraph_rtl)


def render_docx(document: Document) -> bytes:
    """The document as a .docx file (Word's built-in heading, list and table styles, so it stays editable), its
    language in the core properties and the default run properties; text in another language is marked."""
    from docx import Document as new_docx

    tag = language_tag(document.language or None)
    rtl = language_dir(tag) == "rtl" if document.rtl is None else document.rtl
    out = new_docx()
    _set_default_lang(out, tag)
    out.core_properties.language = tag

    def write(paragraph: Any, value: Text, **style: bool) -> None:
        _write(paragraph, value, document_language=tag, document_rtl=rtl, **style)

    write(out.add_heading(level=0), document.title)
    if document.subtitle:
        write(out.add_paragraph(style="Subtitle"), document.subtitle)
    for block in document.blocks:
        if isinstance(block, Heading):
            write(out.add_heading(level=min(max(block.level, 1), 9)), block.text)
        elif isinstance(block, Paragraph):
            write(out.add_paragraph(), block.text, italic=block.emphasis)
        elif isinstance(block, Bullets):
            for item in block.items:
                write(out.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            write(out.add_paragraph(style="Caption"), block.caption)
            table = out.add_table(rows=1, cols=len(block.columns))
            table.style = "Table Grid"
            if rtl:
                _set_table_rtl(table)
            for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
                write(cell.paragraphs[0], str(column), bold=True)
            for row in block.rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    write(cell.paragraphs[0], value if not isinstance(value, int | float) else str(value))
    if document.colophon is not None:
        for line in document.colophon.lines():
            write(out.add_paragraph(), line, italic=True)
        properties = out.core_properties
        properties.title = plain(document.title)[:255]
        properties.identifier = document.colophon.source
        properties.comments = " · ".join(document.colophon.lines())
        properties.version = document.colophon.version
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _set_table_rtl(table: Any) -> None:
    """A table read from the right: its first column on the right (`w:bidiVisual`)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    if properties.find(qn("w:bidiVisual")) is None:
        properties.append(OxmlElement("w:bidiVisual"))


def _md_escape(text: str) -> str:
    # Characters that would start Markdown syntax inside running text.
    for char in ("\\", "`", "*", "_", "[", "]", "<", ">", "#", "|"):
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def render_markdown(document: Document) -> str:
    """The document as CommonMark with GitHub-style tables."""
    lines = [f"# {_md_escape(plain(document.title))}", ""]
    if document.subtitle:
        lines += [_md_escape(plain(document.subtitle)), ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * min(block.level + 1, 6)} {_md_escape(plain(block.text))}", ""]
        elif isinstance(block, Paragraph):
            text = _md_escape(plain(block.text))
            lines += [f"*{text}*" if block.emphasis else text, ""]
        elif isinstance(block, Bullets):
            lines += [f"- {_md_escape(plain(item))}" for item in block.items] + [""]
        elif isinstance(block, Table):
            lines += [f"**{_md_escape(block.caption)}**", ""]
            lines.append("| " + " | ".join(_md_escape(str(c)) for c in block.columns) + " |")
            lines.append("|" + "|".join(" --- " for _c in block.columns) + "|")
            lines += ["| " + " | ".join(_md_escape(plain(v)) for v in row) + " |" for row in block.rows]
            lines.append("")
    if document.colophon is not None:
        lines += ["---", ""] + [f"{_md_escape(line)}  " for line in document.colophon.lines()]
    return "\n".join(lines).rstrip() + "\n"
