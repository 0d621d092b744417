"""The interface ships complete in the six UN languages (English, French, Spanish, Arabic, Chinese, Russian), and the committed .mo files match their .po files."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LANGUAGES = ["fr", "es", "ar", "zh_Hans", "ru"]
LOCALE = Path(settings.LOCALE_PATHS[0])
MSGFMT = shutil.which("msgfmt")
# Python format fields, str.format fields and HTML tags must come through a translation unchanged.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}|</?[a-z]+[^>]*>")



def test_gettext_tools_are_installed():
    assert MSGFMT, "gettext's msgfmt is missing: scripts/bootstrap installs it"


def _po(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def _msgfmt(po: Path, mo: Path) -> str:
    result = subprocess.run(  # noqa: S603 — a fixed local tool on a file of the repository
        [MSGFMT, "--check", "--statistics", "-o", str(mo), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def _catalog(mo: Path) -> gettext.GNUTranslations:
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang: str, tmp_path: Path) -> None:
    statistics = _msgfmt(_po(lang), tmp_path / "django.mo")
    assert re.fullmatch(r"\d+ translated messages?\.\n", statistics), f"{lang}: {statistics}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_mo_matches_the_po(lang: str, tmp_path: Path) -> None:
    """A .mo left behind after editing the .po fails here: run `bash scripts/translations compile`."""
    fresh = tmp_path / "django.mo"
    _msgfmt(_po(lang), fresh)
    committed = _po(lang).with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing"
    # Compare what the files mean, not their bytes: msgfmt versions may lay the hash table out differently.
    assert _catalog(committed)._catalog == _catalog(fresh)._catalog  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str, tmp_path: Path) -> None:
    mo = tmp_path / "django.mo"
    _msgfmt(_po(lang), mo)
    wrong = []
    for key, msgstr in _catalog(mo)._catalog.items():  # type: ignore[attr-defined]
        if key == "":
            continue  # the header
        if isinstance(key, tuple):
            # A plural form may leave out the number ("one place") but must not invent a field.
            if not set(PLACEHOLDER.findall(msgstr)) <= set(PLACEHOLDER.findall(key[0])):
                wrong.append((key, msgstr))
        elif sorted(PLACEHOLDER.findall(msgstr)) != sorted(PLACEHOLDER.findall(key)):
            wrong.append((key, msgstr))
    assert not wrong, wrong


def test_arabic_has_six_plural_forms(tmp_path: Path) -> None:
    mo = tmp_path / "django.mo"
    _msgfmt(_po("ar"), mo)
    plural = _catalog(mo).plural  # type: ignore[attr-defined]
    assert [plural(n) for n in (0, 1, 2, 3, 11, 100)] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("lang", "places", "networks", "direction"),
    [
        ("fr", "Lieux", "Réseaux", "ltr"),
        ("es", "Lugares", "Redes", "ltr"),
        ("ar", "الأماكن", "الشبكات", "rtl"),
        ("zh-hans", "地点", "网络", "ltr"),
        ("ru", "Места", "Сети", "ltr"),
    ],
)
def test_home_page_follows_the_browser_language(client, lang, places, networks, direction) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f">{places}</a>" in html
    assert f">{networks}</a>" in html
    assert ">Places</a>" not in html


def test_language_cookie_wins_over_the_browser_language(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert ">الأطر المرجعية</a>" in html  # "Frameworks" in the main navigation


def test_switching_language_sets_the_cookie(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert ">Marcos de referencia</a>" in client.get("/").content.decode()


def test_the_language_switcher_offers_the_six_un_languages(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/").content.decode()
    for code, name in [("en", "English"), ("fr", "français"), ("es", "español"), ("ar", "العربيّة"),
                       ("zh-hans", "简体中文"), ("ru", "Русский")]:
        assert f'<option value="{code}" lang="{code}"' in html
        assert f">{name}</option>" in html


def test_russian_has_djangos_four_plural_forms(tmp_path: Path) -> None:
    mo = tmp_path / "django.mo"
    _msgfmt(_po("ru"), mo)
    plural = _catalog(mo).plural  # type: ignore[attr-defined]
    assert [plural(n) for n in (1, 21, 2, 24, 5, 11, 0)] == [0, 0, 1, 1, 2, 2, 2]
