"""A page's text with each piece's effective language, and the share of each script in its main text."""

from __future__ import annotations

from arrival.core.page_text import latin_share, page_text, script_shares

PAGE = """<!doctype html><html lang="ar" dir="rtl"><head><title>ignored</title><style>p{}</style></head><body>
<header><a href="/">وصول</a></header>
<main><h1>الممارسات</h1><p lang="en" dir="ltr">Evening classes <span class="badge" lang="ar">تجريبي</span></p>
<p>بقلم <bdi>Amina</bdi> · <code>group_a</code></p><input type="submit" value="إرسال"><img alt="خريطة">
<ul><li>أ<li>ب</ul><script>var x = "Latin";</script></main></body></html>"""


def test_each_piece_has_its_nearest_lang_and_marks() -> None:
    text = page_text(PAGE)
    assert text.html_lang == "ar"
    by_text = {piece.text: piece for piece in text.pieces}
    assert "ignored" not in by_text and not any("Latin" in t for t in by_text)  # head and scripts are not read
    assert by_text["Evening classes"].lang == "en" and not by_text["Evening classes"].lang_from_page
    assert by_text["تجريبي"].lang == "ar"  # the badge says the page's language inside English text
    assert by_text["الممارسات"].lang == "ar" and by_text["الممارسات"].lang_from_page
    assert by_text["Amina"].verbatim and by_text["group_a"].verbatim and not by_text["بقلم"].verbatim
    assert by_text["إرسال"].source == "@value" and by_text["خريطة"].source == "@alt"
    assert not by_text["وصول"].in_main and by_text["أ"].in_main and by_text["ب"].path.endswith("li")


def test_script_shares_count_letters_only() -> None:
    assert script_shares("ab 12 جد!") == {"arabic": 0.5, "latin": 0.5}
    assert script_shares("") == {}
    share = latin_share(PAGE)
    assert round(share, 3) == round(25 / 46, 3)  # "Evening classes", "Amina", "group" and "a" of 46 letters in <main>
