"""Rich text is cleaned by one function (`arrival.core.richtext.sanitise_html`) against an XSS payload list."""

from __future__ import annotations

import re

import pytest

from arrival.core.richtext import sanitise_html
from arrival.practices import services
from tests.practices.factories import draft_practice, team_of

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<p onclick=\"alert(1)\">click</p>",
    "<p ONMOUSEOVER=alert(1)>hover</p>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<p style=\"width: expression(alert(1))\">x</p>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<div style=\"behavior: url(x.htc)\">x</div>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<a href=\"https://ok.example\" onmouseover=\"alert(1)\" style=\"x\" target=\"_blank\">ok</a>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<p>\"><script>alert(1)</script></p>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<blockquote cite=\"javascript:alert(1)\">q</blockquote>",
    "<h3 id=\"x\" class=\"y\" onclick=\"alert(1)\">t</h3>",
]

_DANGEROUS = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|math|img|form|input|meta|base|link|body|video|source|details|template)\b"
    r"|\son\w+\s*=|javascript:|vbscript:|data:|expression\(|style\s*=|srcdoc|xlink:|cite\s*=|target\s*=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised(payload: str) -> None:
    cleaned = sanitise_html(payload)
    assert not _DANGEROUS.search(cleaned), cleaned
    # Cleaning is stable: the output is already clean.
    assert sanitise_html(cleaned) == cleaned


def test_allowed_markup_survives() -> None:
    html = (
        "<h3>Steps</h3><p>One <strong>desk</strong>, <em>many</em> languages.<br>Open daily.</p>"
        "<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>quote</blockquote><h4>More</h4>"
    )
    assert sanitise_html(html) == html


@pytest.mark.parametrize("href", ["https://example.org/a?b=1", "http://example.org", "mailto:office@example.org"])
def test_safe_links_keep_their_target_and_get_rel(href: str) -> None:
    cleaned = sanitise_html(f'<a href="{href}" title="t">x</a>')
    assert cleaned == f'<a href="{href.replace("&", "&amp;")}" rel="noopener nofollow">x</a>'


def test_other_tags_are_stripped_but_text_kept() -> None:
    assert sanitise_html("<div><span>kept</span> <table><tr><td>too</td></tr></table></div>") == "kept too"


def test_empty_input() -> None:
    assert sanitise_html(None) == ""
    assert sanitise_html("   ") == ""


@pytest.mark.parametrize("field", services.RICH_TEXT_FIELDS)
def test_every_rich_text_field_is_sanitised_on_save(field: str) -> None:
    practice = draft_practice()
    services.practice_update(user=team_of(practice), practice=practice,
                             **{field: '<p onclick="x()">Text</p><script>alert(1)</script><svg onload=alert(1)>'})
    practice.refresh_from_db()
    assert getattr(practice, field) == "<p>Text</p>"


def test_adaptation_note_is_sanitised() -> None:
    from tests.practices.factories import government, officer_for, published_practice

    source = published_practice()
    city = government()
    team = officer_for(city)
    practice = draft_practice(user=team, government=city)
    services.practice_set_adapted_from(user=team, practice=practice, source=source,
                                       note='<a href="javascript:alert(1)">Smaller</a> team')
    practice.refresh_from_db()
    assert "javascript" not in practice.adaptation_note
    assert "Smaller" in practice.adaptation_note
