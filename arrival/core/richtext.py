"""The one place rich text written by users is cleaned before it is stored or shown.

A small allow-list (paragraphs, line breaks, emphasis, lists, links, two heading levels, quotes), parsed by
`nh3` (ammonia, an HTML5 parser): anything else — scripts, styles, event handlers, frames, SVG — is dropped
with its content where it could run code, and links keep only http, https and mailto targets.
"""

from __future__ import annotations

import nh3

_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote"})
# "*" empties the generic attributes nh3 would otherwise allow on every tag (lang, title).
_ATTRIBUTES = {"a": frozenset({"href"}), "*": frozenset()}
_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Elements whose text content must go as well, not only their tags.
_CLEAN_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript",
                            "svg", "math", "textarea", "select", "xmp", "noembed", "noframes", "title"})


def sanitise_html(text: str | None) -> str:
    """`text` with only the allowed tags and attributes; links get rel="noopener nofollow"."""
    if not text:
        return ""
    return nh3.clean(
        str(text),
        tags=set(_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noopener nofollow",
        strip_comments=True,
    ).strip()
