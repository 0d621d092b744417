"""Read and check an indicator framework file (format `arrival-framework/1`, see docs/framework-format.md).

`parse_framework_text` / `load_framework` turn YAML (or JSON, which is YAML) into frozen dataclasses. Every
problem found is collected with the path of the offending value, e.g.
`domains[2].subcategories[1].indicators[0].levels: expected 5 levels, got 4`, and raised together as one
`FrameworkFileError`, so an author fixes a file in one pass. The JSON Schema shipped beside the framework
files (`frameworks/framework.schema.json`) describes the same format for editors and other tools; this
module is the authority and also checks what a schema cannot (unique codes, ascending cut-offs, tag codes).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

FORMAT = "arrival-framework/1"
FRAMEWORKS_DIR = Path(__file__).resolve().parent.parent / "frameworks"
SCHEMA_PATH = FRAMEWORKS_DIR / "framework.schema.json"

MATURITY = "maturity"
YES_NO = "yes_no"
NUMBER = "number"
CHOICE = "choice"
ANSWER_TYPES = (MATURITY, YES_NO, NUMBER, CHOICE)
MATURITY_LEVELS = 5  # levels 0 to 4
MAX_CHOICE_OPTIONS = 100  # answer codes are stored as int8 in the vectorised scorer
DIRECTIONS = ("higher_is_better", "lower_is_better")
TAG_KINDS = ("gcm_objective", "sdg_target", "nua_paragraph", "domain")
DEFAULT_MIN_COVERAGE_PERCENT = 60
# Languages a file may translate into: the other UN languages (the file's own texts are English).
TRANSLATION_LANGUAGES = ("ar", "es", "fr", "ru", "zh")

_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,39}$")
_FRAMEWORK_CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,19}$")
_VERSION_RE = re.compile(r"^\d+(\.\d+){0,2}$")
_DOMAIN_RE = re.compile(r"^D[1-6]$")
_SDG_INDICATOR_RE = re.compile(r"^\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}$")
_TAG_CODE_RE = {
    "gcm_objective": re.compile(r"^([1-9]|1\d|2[0-3])$"),
    "sdg_target": re.compile(r"^\d{1,2}\.[0-9a-z]{1,2}$"),
    "nua_paragraph": re.compile(r"^[1-9]\d{0,2}$"),
    "domain": _DOMAIN_RE,
}


class FrameworkFileError(ValueError):
    """A framework file breaks the format; `errors` lists (path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("\n".join(f"{path}: {message}" if path else message for path, message in errors))


@dataclass(frozen=True, slots=True)
class Band:
    lower: float  # inclusive; a band runs up to the next band's lower bound (exclusive)
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Threshold:
    lower: float  # a value at or above `lower` (and below the next threshold) scores `score`
    score: float


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    code: str
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    question: str
    guidance: str
    answer_type: str
    weight: float
    tags: tuple[str, ...]
    levels: tuple[str, ...] = ()  # maturity: descriptors of levels 0..4
    options: tuple[ChoiceOption, ...] = ()  # choice
    unit: str = ""  # number
    minimum: float | None = None  # number
    maximum: float | None = None  # number
    thresholds: tuple[Threshold, ...] = ()  # number; empty means the number is recorded, not scored
    evidence_from_level: int | None = None  # maturity: evidence needed at this level and above; None = never
    evidence_required: bool = False  # other types: evidence needed for a scored answer above zero

    @property
    def is_scored(self) -> bool:
        return self.answer_type != NUMBER or bool(self.thresholds)


@dataclass(frozen=True, slots=True)
class Subcategory:
    code: str
    title: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, slots=True)
class Domain:
    code: str
    title: str
    subcategories: tuple[Subcategory, ...]


@dataclass(frozen=True, slots=True)
class OutcomeIndicator:
    code: str
    title: str
    definition: str
    unit: str
    direction: str
    disaggregation: str
    sdg_indicators: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Framework:
    code: str
    version: str
    title: str
    licence: str
    description: str
    bands_note: str
    bands: tuple[Band, ...]
    min_coverage_percent: float
    maturity_scale: tuple[str, ...]
    domains: tuple[Domain, ...]
    outcome_panel: tuple[OutcomeIndicator, ...]
    languages: tuple[str, ...] = ()  # languages the file's `translations` give texts in

    @property
    def key(self) -> str:
        return f"{self.code}-{self.version}"

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for d in self.domains for s in d.subcategories for i in s.indicators)

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def band_for(self, score: float) -> Band:
        """The band whose range holds `score` (bands are ascending and the first starts at 0)."""
        chosen = self.bands[0]
        for band in self.bands:
            if score >= band.lower:
                chosen = band
        return chosen


# --- the scoring content and its checksum -----------------------------------------------------------------

TRANSLATIONS = "translations"


def scoring_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """Everything of a decoded framework file but its translations: what a version's scores and the meaning of
    its answers rest on (structure, codes, answer types, weights, options, thresholds, bands, the coverage
    rule, and the source texts that say what each answer means)."""
    return {key: value for key, value in content.items() if key != TRANSLATIONS}


def content_checksum(content: Mapping[str, Any]) -> str:
    """SHA-256 of the scoring content as canonical JSON (sorted keys, no spaces, UTF-8): comments, layout,
    key order and translations of the file never change it."""
    text = json.dumps(scoring_content(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def translated(framework: Framework, content: Mapping[str, Any], language: str) -> Framework:
    """`framework` with the texts `content["translations"][language]` gives (checked by the parser); every
    text it does not give stays in the file's language. Codes, numbers and structure never change."""
    texts = (content.get(TRANSLATIONS) or {}).get(language) or {}
    if not texts:
        return framework
    items: Mapping[str, Any] = texts.get("items") or {}

    def text(item: Mapping[str, Any], key: str, default: str) -> str:
        value = item.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else default

    def indicator(i: Indicator) -> Indicator:
        item = items.get(i.code) or {}
        labels = item.get("options") or {}
        return replace(
            i, question=text(item, "question", i.question), guidance=text(item, "guidance", i.guidance),
            unit=text(item, "unit", i.unit),
            levels=tuple(" ".join(t.split()) for t in item["levels"]) if item.get("levels") else i.levels,
            options=tuple(replace(o, label=labels.get(o.code, o.label)) for o in i.options),
        )

    def outcome(o: OutcomeIndicator) -> OutcomeIndicator:
        item = items.get(o.code) or {}
        return replace(o, title=text(item, "title", o.title), definition=text(item, "definition", o.definition),
                       unit=text(item, "unit", o.unit), disaggregation=text(item, "disaggregation", o.disaggregation))

    band_labels: Mapping[str, str] = texts.get("bands") or {}
    return replace(
        framework, title=text(texts, "title", framework.title),
        description=text(texts, "description", framework.description),
        bands_note=text(texts, "bands_note", framework.bands_note),
        bands=tuple(replace(b, label=band_labels.get(b.code, b.label)) for b in framework.bands),
        maturity_scale=tuple(texts["maturity_scale"]) if texts.get("maturity_scale") else framework.maturity_scale,
        domains=tuple(
            replace(d, title=text(items.get(d.code) or {}, "title", d.title), subcategories=tuple(
                replace(sub, title=text(items.get(sub.code) or {}, "title", sub.title),
                        indicators=tuple(indicator(i) for i in sub.indicators))
                for sub in d.subcategories))
            for d in framework.domains
        ),
        outcome_panel=tuple(outcome(o) for o in framework.outcome_panel),
    )


# --- reading ---------------------------------------------------------------------------------------------


def load_framework(path: str | Path, *, known_tags: Mapping[str, set[str]] | None = None) -> Framework:
    return parse_framework_text(Path(path).read_text(encoding="utf-8"), known_tags=known_tags)


def parse_framework_text(text: str, *, known_tags: Mapping[str, set[str]] | None = None) -> Framework:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkFileError([("", f"not valid YAML: {where}{problem}")]) from exc
    try:
        return parse_framework(data, known_tags=known_tags)
    except FrameworkFileError as exc:
        root = yaml.compose(text)  # the same text parsed above: composes without error
        raise FrameworkFileError([
            (f"line {_line_of(root, path)}, {path}" if path and root is not None else path, message)
            for path, message in exc.errors
        ]) from None


def _line_of(node: yaml.Node, path: str) -> int:
    """The line (from 1) of the value at `path` (e.g. `domains[0].subcategories[1].code`, where codes may hold
    dots): the deepest node the path reaches; keys are matched longest first."""
    line = node.start_mark.line + 1
    rest = path
    while rest:
        if isinstance(node, yaml.MappingNode):
            found: tuple[str, yaml.Node, yaml.Node] | None = None
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if (rest == key or rest.startswith((key + ".", key + "["))) and (found is None or len(key) > len(found[0])):
                    found = (key, key_node, value_node)
            if found is None:
                break
            key, key_node, node = found
            line = key_node.start_mark.line + 1
            rest = rest[len(key):].removeprefix(".")
        elif isinstance(node, yaml.SequenceNode):
            match = re.match(r"\[(\d+)\]\.?", rest)
            if match is None or int(match.group(1)) >= len(node.value):
                break
            node = node.value[int(match.group(1))]
            line = node.start_mark.line + 1
            rest = rest[match.end():]
        else:
            break
    return line


def parse_framework(data: Any, *, known_tags: Mapping[str, set[str]] | None = None) -> Framework:
    """Check a decoded framework document and build the dataclasses; `known_tags` maps a tag kind to its codes."""
    reader = _Reader(known_tags)
    framework = reader.framework(data)
    if reader.errors or framework is None:
        raise FrameworkFileError(reader.errors or [("", "empty framework file")])
    return framework


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class _Reader:
    def __init__(self, known_tags: Mapping[str, set[str]] | None) -> None:
        self.errors: list[tuple[str, str]] = []
        self.known_tags = known_tags
        self.codes_seen: dict[str, str] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    # Small typed getters: each records an error and returns None when the value is missing or wrong.

    def mapping(self, value: Any, path: str, allowed: set[str], required: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {_type_name(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(_join(path, str(key)), f"unknown field (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(required - set(value)):
            self.error(_join(path, key), "required field is missing")
        return value

    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            return ""  # a missing required key is already reported by `mapping`
        if not isinstance(value, str):
            hint = ' (quote it, e.g. "1.0")' if isinstance(value, int | float) and key == "version" else ""
            self.error(_join(path, key), f"expected text, got {_type_name(value)}{hint}")
            return ""
        if required and not value.strip():
            self.error(_join(path, key), "must not be empty")
        return value.strip()

    def number(self, value: Any, path: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.error(path, f"expected a number, got {_type_name(value)}")
            return None
        if low is not None and (value < low or (low_open and value == low)):
            self.error(path, f"must be {'greater than' if low_open else 'at least'} {low:g}, got {value:g}")
            return None
        if high is not None and value > high:
            self.error(path, f"must be at most {high:g}, got {value:g}")
            return None
        return float(value)

    def items(self, value: Any, path: str, *, what: str, min_items: int = 1) -> list[Any]:
        if not isinstance(value, list):
            self.error(path, f"expected a list of {what}, got {_type_name(value)}")
            return []
        if len(value) < min_items:
            self.error(path, f"expected at least {min_items} {what}, got {len(value)}")
        return value

    def code(self, data: dict[str, Any], path: str, *, pattern: re.Pattern[str] = _CODE_RE,
             unique: bool = True) -> str:
        code = self.text(data, "code", path)
        if not code:
            return ""
        if not pattern.match(code):
            self.error(_join(path, "code"), f"{code!r} does not match {pattern.pattern}")
        elif unique:
            if code in self.codes_seen:
                self.error(_join(path, "code"), f"duplicate code {code!r}, first used at {self.codes_seen[code]}")
            else:
                self.codes_seen[code] = path
        return code

    def tags(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        tags: list[str] = []
        for n, tag in enumerate(self.items(value, path, what="tags", min_items=0)):
            where = f"{path}[{n}]"
            if not isinstance(tag, str) or ":" not in tag:
                self.error(where, f"expected 'kind:code', got {tag!r}")
                continue
            kind, code = tag.split(":", 1)
            if kind not in TAG_KINDS:
                self.error(where, f"unknown tag kind {kind!r} (allowed: {', '.join(TAG_KINDS)})")
            elif not _TAG_CODE_RE[kind].match(code):
                self.error(where, f"{code!r} is not a valid {kind} code")
            elif self.known_tags is not None and code not in self.known_tags.get(kind, set()):
                self.error(where, f"{kind} {code!r} is not in the reference list")
            elif tag in tags:
                self.error(where, f"duplicate tag {tag!r}")
            else:
                tags.append(tag)
        return tuple(tags)

    # --- the document ---

    def framework(self, data: Any) -> Framework | None:
        allowed = {"format", "code", "version", "title", "licence", "description", "bands", "min_coverage_percent",
                   "maturity_scale", "domains", "outcome_panel", "translations"}
        required = {"format", "code", "version", "title", "licence", "bands", "domains"}
        doc = self.mapping(data, "", allowed, required)
        if doc is None:
            return None
        if "format" in doc and doc["format"] != FORMAT:
            self.error("format", f"expected {FORMAT!r}, got {doc['format']!r}")
        code = self.code(doc, "", pattern=_FRAMEWORK_CODE_RE, unique=False)
        version = self.text(doc, "version", "")
        if version and not _VERSION_RE.match(version):
            self.error("version", f"{version!r} is not a version like '1.0' or '2.1.3'")
        coverage = float(DEFAULT_MIN_COVERAGE_PERCENT)
        if "min_coverage_percent" in doc:
            given = self.number(doc["min_coverage_percent"], "min_coverage_percent", low=0, high=100)
            coverage = coverage if given is None else given
        bands, note = self.bands(doc.get("bands"), "bands") if "bands" in doc else ((), "")
        scale: tuple[str, ...] = ()
        if "maturity_scale" in doc:
            scale = self.levels(doc["maturity_scale"], "maturity_scale")
        domains = tuple(
            d for n, raw in enumerate(self.items(doc.get("domains"), "domains", what="domains"))
            if (d := self.domain(raw, f"domains[{n}]")) is not None
        ) if "domains" in doc else ()
        panel = tuple(
            o for n, raw in enumerate(self.items(doc.get("outcome_panel"), "outcome_panel", what="outcome indicators",
                                                 min_items=0))
            if (o := self.outcome(raw, f"outcome_panel[{n}]")) is not None
        ) if "outcome_panel" in doc else ()
        if not scale and any(i.answer_type == MATURITY for d in domains for s in d.subcategories
                             for i in s.indicators):
            self.error("maturity_scale", "required when any indicator is a maturity scale")
        languages = self.translations(doc["translations"], domains, panel, bands) if "translations" in doc else ()
        return Framework(
            code=code, version=version, title=self.text(doc, "title", ""), licence=self.text(doc, "licence", ""),
            description=self.text(doc, "description", "", required=False), bands_note=note, bands=bands,
            min_coverage_percent=coverage, maturity_scale=scale, domains=domains, outcome_panel=panel,
            languages=languages,
        )

    def translations(self, value: Any, domains: tuple[Domain, ...], panel: tuple[OutcomeIndicator, ...],
                     bands: tuple[Band, ...]) -> tuple[str, ...]:
        """`translations: {fr: {...}, ...}`: texts only, checked against the codes of the file."""
        doc = self.mapping(value, TRANSLATIONS, set(TRANSLATION_LANGUAGES), set())
        if doc is None:
            return ()
        fields: dict[str, set[str]] = {}
        options: dict[str, set[str]] = {}
        for domain in domains:
            fields[domain.code] = {"title"}
            for sub in domain.subcategories:
                fields[sub.code] = {"title"}
                for indicator in sub.indicators:
                    fields[indicator.code] = {"question", "guidance"} | (
                        {"levels"} if indicator.answer_type == MATURITY else set()) | (
                        {"options"} if indicator.answer_type == CHOICE else set()) | (
                        {"unit"} if indicator.answer_type == NUMBER else set())
                    options[indicator.code] = {o.code for o in indicator.options}
        for outcome in panel:
            fields[outcome.code] = {"title", "definition", "unit", "disaggregation"}
        band_codes = {band.code for band in bands}
        for language, raw in doc.items():
            path = _join(TRANSLATIONS, str(language))
            texts = self.mapping(raw, path, {"title", "description", "bands_note", "bands", "maturity_scale", "items"},
                                 set())
            if texts is None:
                continue
            for key in ("title", "description", "bands_note"):
                if key in texts:
                    self.text(texts, key, path)
            if "maturity_scale" in texts:
                self.levels(texts["maturity_scale"], _join(path, "maturity_scale"))
            if "bands" in texts:
                self.text_map(texts["bands"], _join(path, "bands"), band_codes, "band code")
            items = self.mapping(texts.get("items", {}), _join(path, "items"), set(fields), set()) or {}
            for code, item in items.items():
                where = _join(_join(path, "items"), str(code))
                item_doc = self.mapping(item, where, fields.get(str(code), set()), set())
                if item_doc is None:
                    continue
                for key in ("title", "question", "guidance", "definition", "unit", "disaggregation"):
                    if key in item_doc:
                        self.text(item_doc, key, where)
                if "levels" in item_doc:
                    self.levels(item_doc["levels"], _join(where, "levels"))
                if "options" in item_doc:
                    self.text_map(item_doc["options"], _join(where, "options"), options.get(str(code), set()),
                                  "option code")
        return tuple(sorted(str(language) for language in doc))

    def text_map(self, value: Any, path: str, codes: set[str], what: str) -> None:
        """A mapping from known codes to non-empty texts."""
        doc = self.mapping(value, path, codes, set())
        for code, text in (doc or {}).items():
            if not isinstance(text, str) or not text.strip():
                self.error(_join(path, str(code)), f"expected a non-empty text for this {what}")

    def bands(self, value: Any, path: str) -> tuple[tuple[Band, ...], str]:
        doc = self.mapping(value, path, {"note", "cutoffs"}, {"note", "cutoffs"})
        if doc is None:
            return (), ""
        note = self.text(doc, "note", path)
        bands: list[Band] = []
        for n, raw in enumerate(self.items(doc.get("cutoffs"), _join(path, "cutoffs"), what="bands", min_items=2)):
            where = f"{path}.cutoffs[{n}]"
            item = self.mapping(raw, where, {"from", "code", "label"}, {"from", "code", "label"})
            if item is None:
                continue
            lower = self.number(item.get("from"), _join(where, "from"), low=0, high=100)
            band_code = self.code(item, where, unique=False)
            label = self.text(item, "label", where)
            if lower is None:
                continue
            if not bands and lower != 0:
                self.error(_join(where, "from"), f"the first band must start at 0, got {lower:g}")
            if bands and lower <= bands[-1].lower:
                self.error(_join(where, "from"), f"must be above the previous band's {bands[-1].lower:g}")
            bands.append(Band(lower=lower, code=band_code, label=label))
        if len({b.code for b in bands}) != len(bands):
            self.error(_join(path, "cutoffs"), "band codes must be unique")
        return tuple(bands), note

    def levels(self, value: Any, path: str) -> tuple[str, ...]:
        raw = self.items(value, path, what="levels", min_items=0)
        if not isinstance(value, list):
            return ()
        if len(raw) != MATURITY_LEVELS:
            self.error(path, f"expected {MATURITY_LEVELS} levels, got {len(raw)}")
            return ()
        levels: list[str] = []
        for n, text in enumerate(raw):
            if not isinstance(text, str) or not text.strip():
                self.error(f"{path}[{n}]", f"expected a non-empty descriptor, got {_type_name(text)}")
            elif " ".join(text.split()) in levels:
                self.error(f"{path}[{n}]", "repeats the descriptor of another level")
            else:
                levels.append(" ".join(text.split()))
        return tuple(levels) if len(levels) == MATURITY_LEVELS else ()

    def domain(self, raw: Any, path: str) -> Domain | None:
        doc = self.mapping(raw, path, {"code", "title", "subcategories"}, {"code", "title", "subcategories"})
        if doc is None:
            return None
        code = self.code(doc, path, pattern=_DOMAIN_RE)
        subs = tuple(
            s for n, item in enumerate(self.items(doc.get("subcategories"), _join(path, "subcategories"),
                                                  what="sub-categories"))
            if (s := self.subcategory(item, f"{path}.subcategories[{n}]")) is not None
        )
        return Domain(code=code, title=self.text(doc, "title", path), subcategories=subs)

    def subcategory(self, raw: Any, path: str) -> Subcategory | None:
        doc = self.mapping(raw, path, {"code", "title", "indicators"}, {"code", "title", "indicators"})
        if doc is None:
            return None
        code = self.code(doc, path)
        indicators = tuple(
            i for n, item in enumerate(self.items(doc.get("indicators"), _join(path, "indicators"), what="indicators"))
            if (i := self.indicator(item, f"{path}.indicators[{n}]")) is not None
        )
        if indicators and not any(i.is_scored for i in indicators):
            self.error(_join(path, "indicators"), "needs at least one scored indicator (a number without "
                                                  "thresholds is recorded, not scored)")
        return Subcategory(code=code, title=self.text(doc, "title", path), indicators=indicators)

    def indicator(self, raw: Any, path: str) -> Indicator | None:
        common = {"code", "question", "guidance", "type", "weight", "evidence_required", "tags"}
        per_type = {MATURITY: {"levels"}, YES_NO: set(), NUMBER: {"unit", "minimum", "maximum", "thresholds"},
                    CHOICE: {"options"}}
        kind = raw.get("type") if isinstance(raw, dict) else None
        if isinstance(raw, dict) and "type" not in raw:
            self.error(_join(path, "type"), f"required field is missing (one of {', '.join(ANSWER_TYPES)})")
            return None
        if isinstance(raw, dict) and kind not in ANSWER_TYPES:
            self.error(_join(path, "type"), f"expected one of {', '.join(ANSWER_TYPES)}, got {kind!r}")
            return None
        required = {"code", "question", "guidance", "type"} | {MATURITY: {"levels"}, NUMBER: {"unit"},
                                                               CHOICE: {"options"}}.get(str(kind), set())
        doc = self.mapping(raw, path, common | per_type.get(str(kind), set()), required)
        if doc is None:
            return None
        weight = 1.0
        if "weight" in doc:
            weight = self.number(doc["weight"], _join(path, "weight"), low=0, low_open=True) or 1.0
        fields: dict[str, Any] = {}
        evidence = doc.get("evidence_required")
        if kind == MATURITY:
            fields["levels"] = self.levels(doc.get("levels"), _join(path, "levels")) if "levels" in doc else ()
            if evidence is None:
                fields["evidence_from_level"] = 1
            elif evidence is False:
                fields["evidence_from_level"] = None
            elif isinstance(evidence, int) and not isinstance(evidence, bool) and 0 <= evidence < MATURITY_LEVELS:
                fields["evidence_from_level"] = evidence
            else:
                self.error(_join(path, "evidence_required"),
                           f"for a maturity scale give the lowest level needing evidence (0-4) or false, got {evidence!r}")
        else:
            if evidence is None:
                fields["evidence_required"] = kind != NUMBER
            elif isinstance(evidence, bool):
                fields["evidence_required"] = evidence
            else:
                self.error(_join(path, "evidence_required"), f"expected true or false, got {_type_name(evidence)}")
        if kind == NUMBER:
            fields.update(self.number_spec(doc, path))
        if kind == CHOICE:
            fields["options"] = self.options(doc.get("options"), _join(path, "options")) if "options" in doc else ()
        return Indicator(
            code=self.code(doc, path), question=self.text(doc, "question", path),
            guidance=self.text(doc, "guidance", path), answer_type=str(kind), weight=weight,
            tags=self.tags(doc.get("tags"), _join(path, "tags")), **fields,
        )

    def number_spec(self, doc: dict[str, Any], path: str) -> dict[str, Any]:
        spec: dict[str, Any] = {"unit": self.text(doc, "unit", path)}
        for bound in ("minimum", "maximum"):
            if bound in doc:
                spec[bound] = self.number(doc[bound], _join(path, bound))
        if spec.get("minimum") is not None and spec.get("maximum") is not None and spec["minimum"] >= spec["maximum"]:
            self.error(_join(path, "maximum"), "must be above minimum")
        thresholds: list[Threshold] = []
        if "thresholds" in doc:
            where_list = _join(path, "thresholds")
            for n, raw in enumerate(self.items(doc["thresholds"], where_list, what="thresholds")):
                where = f"{where_list}[{n}]"
                item = self.mapping(raw, where, {"from", "score"}, {"from", "score"})
                if item is None:
                    continue
                lower = self.number(item.get("from"), _join(where, "from"))
                score = self.number(item.get("score"), _join(where, "score"), low=0, high=100)
                if lower is None or score is None:
                    continue
                if thresholds and lower <= thresholds[-1].lower:
                    self.error(_join(where, "from"), f"must be above the previous threshold's {thresholds[-1].lower:g}")
                thresholds.append(Threshold(lower=lower, score=score))
            minimum = spec.get("minimum")
            if thresholds and (minimum is None or minimum < thresholds[0].lower):
                self.error(_join(path, "minimum"), f"a scored number needs a minimum at or above the first threshold "
                                                   f"({thresholds[0].lower:g}) so that every valid value has a score")
        spec["thresholds"] = tuple(thresholds)
        return spec

    def options(self, value: Any, path: str) -> tuple[ChoiceOption, ...]:
        options: list[ChoiceOption] = []
        raw = self.items(value, path, what="options", min_items=2)
        if len(raw) > MAX_CHOICE_OPTIONS:
            self.error(path, f"at most {MAX_CHOICE_OPTIONS} options, got {len(raw)}")
        seen: set[str] = set()
        for n, item in enumerate(raw):
            where = f"{path}[{n}]"
            doc = self.mapping(item, where, {"code", "label", "score"}, {"code", "label", "score"})
            if doc is None:
                continue
            code = self.code(doc, where, unique=False)
            if code in seen:
                self.error(_join(where, "code"), f"duplicate option code {code!r}")
            seen.add(code)
            score = self.number(doc.get("score"), _join(where, "score"), low=0, high=100)
            options.append(ChoiceOption(code=code, label=self.text(doc, "label", where), score=score or 0.0))
        return tuple(options)

    def outcome(self, raw: Any, path: str) -> OutcomeIndicator | None:
        fields = {"code", "title", "definition", "unit", "direction", "disaggregation", "sdg_indicators", "tags"}
        doc = self.mapping(raw, path, fields, fields - {"tags"})
        if doc is None:
            return None
        direction = self.text(doc, "direction", path)
        if direction and direction not in DIRECTIONS:
            self.error(_join(path, "direction"), f"expected one of {', '.join(DIRECTIONS)}, got {direction!r}")
        sdg: list[str] = []
        for n, value in enumerate(self.items(doc.get("sdg_indicators"), _join(path, "sdg_indicators"),
                                             what="SDG indicators")):
            if not isinstance(value, str) or not _SDG_INDICATOR_RE.match(value):
                self.error(f"{path}.sdg_indicators[{n}]", f"expected an SDG indicator code like '8.5.2', got {value!r}")
            else:
                sdg.append(value)
        return OutcomeIndicator(
            code=self.code(doc, path), title=self.text(doc, "title", path),
            definition=self.text(doc, "definition", path), unit=self.text(doc, "unit", path), direction=direction,
            disaggregation=self.text(doc, "disaggregation", path), sdg_indicators=tuple(sdg),
            tags=self.tags(doc.get("tags"), _join(path, "tags")),
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
