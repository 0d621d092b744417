"""The text of an HTML page as a reader meets it, each piece with the language it is marked as.

Used by the page-language crawler (tests/test_page_languages.py) and by `arrival script-share`, which prints
the share of Latin-script letters in a page's main text. Standard library only: the pages are our own
well-formed templates, so a small tolerant parser is enough.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

# Elements whose content a reader never sees as text.
_INVISIBLE = frozenset({"script", "style", "template", "head"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
# Elements an opening tag of the same kind closes (HTML's optional end tags, enough for our templates).
_SELF_CLOSING_SIBLINGS = frozenset({"p", "li", "option", "tr", "td", "th", "dt", "dd"})
# Attributes whose text a reader meets (tooltips, placeholders, names read by screen readers, confirmations).
_TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "hx-confirm", "data-confirm")
_BUTTON_INPUTS = frozenset({"submit", "button", "reset"})
# Code, and <bdi>: text a person wrote whose language is not known (a name, a title), isolated as HTML advises.
_CODE = frozenset({"code", "kbd", "samp", "bdi"})


@dataclass(frozen=True)
class TextPiece:
    """One run of text: a text node, or an attribute a reader meets (`source` names which)."""

    text: str
    lang: str  # the nearest `lang` around it ("" when none is given anywhere)
    path: str  # the innermost elements around it, e.g. "main > article.card > h2"
    in_main: bool
    # Inside an element marked as text that is not translated: a proper name or code (translate="no", <code>,
    # <kbd>, <samp>) or a person's text of unknown language (<bdi>, dir="auto" without lang).
    verbatim: bool
    lang_from_page: bool  # its language is the page's own (<html lang>), not given by an element inside the page
    source: str = "text"  # "text", or "@title", "@placeholder", …


@dataclass
class _Element:
    tag: str
    lang: str
    label: str
    verbatim: bool
    lang_from_page: bool
    invisible: bool
    in_main: bool


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[TextPiece] = []
        self.html_lang = ""
        self.stack: list[_Element] = []

    # The element text and attributes of a new element inherit from.
    def _top(self) -> _Element:
        if self.stack:
            return self.stack[-1]
        return _Element(tag="", lang="", label="", verbatim=False, lang_from_page=True, invisible=False,
                        in_main=False)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        if tag in _SELF_CLOSING_SIBLINGS and self.stack and self.stack[-1].tag == tag:
            self.stack.pop()
        parent = self._top()
        if tag == "html":
            self.html_lang = values.get("lang", "")
        lang = values["lang"] if "lang" in values else parent.lang
        lang_from_page = parent.lang_from_page if "lang" not in values else tag == "html"
        marked = parent.verbatim or values.get("translate") == "no" or tag in _CODE or (
            values.get("dir") == "auto" and "lang" not in values)
        classes = ".".join(values.get("class", "").split()[:2])
        element = _Element(
            tag=tag, lang=lang, label=f"{tag}.{classes}" if classes else tag, verbatim=marked,
            lang_from_page=lang_from_page, invisible=parent.invisible or tag in _INVISIBLE,
            in_main=parent.in_main or tag == "main",
        )
        if not element.invisible:
            for name in _TEXT_ATTRIBUTES:
                if values.get(name, "").strip():
                    self._add(values[name], element, source=f"@{name}")
            if tag == "input" and values.get("type", "") in _BUTTON_INPUTS and values.get("value", "").strip():
                self._add(values["value"], element, source="@value")
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        element = self._top()
        if element.invisible or not data.strip() or not self.stack:
            return
        self._add(data, element, source="text")

    def _add(self, text: str, element: _Element, *, source: str) -> None:
        labels = [e.label for e in self.stack[-3:]] if source == "text" else [e.label for e in self.stack[-2:]]
        if source != "text":
            labels.append(element.label)
        self.pieces.append(TextPiece(
            text=" ".join(text.split()), lang=element.lang, path=" > ".join(labels), in_main=element.in_main,
            verbatim=element.verbatim, lang_from_page=element.lang_from_page, source=source,
        ))


@dataclass(frozen=True)
class PageText:
    html_lang: str
    pieces: tuple[TextPiece, ...]

    def main_text(self) -> str:
        """The text nodes inside <main>, one space apart."""
        return " ".join(piece.text for piece in self.pieces if piece.in_main and piece.source == "text")


def page_text(html: str) -> PageText:
    """Every visible text and reader-facing attribute of `html`, in document order, with its language."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return PageText(html_lang=collector.html_lang, pieces=tuple(collector.pieces))


def letter_script(character: str) -> str:
    """"latin", "arabic", "han", "cyrillic", … for a letter (from its Unicode name), "" for anything else."""
    if not character.isalpha():
        return ""
    name = unicodedata.name(character, "")
    if name.startswith("CJK") or name.startswith(("HIRAGANA", "KATAKANA")):
        return "han"
    return name.split(" ", 1)[0].lower()


def script_shares(text: str | Iterable[str]) -> dict[str, float]:
    """The share of each script among the letters of `text` (digits, punctuation and spaces not counted)."""
    counts: dict[str, int] = {}
    for chunk in [text] if isinstance(text, str) else text:
        for character in chunk:
            script = letter_script(character)
            if script:
                counts[script] = counts.get(script, 0) + 1
    total = sum(counts.values())
    return {script: count / total for script, count in sorted(counts.items())} if total else {}


def latin_share(html: str) -> float:
    """The share of Latin-script letters in the main text (<main>) of `html`: 0.0 when it has no letters."""
    return script_shares(page_text(html).main_text()).get("latin", 0.0)
