"""The framework file format: clear errors with paths, and the shipped LMGF 1.0 file."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from arrival.assessments.domain.framework_file import (
    FRAMEWORKS_DIR,
    SCHEMA_PATH,
    FrameworkFileError,
    load_framework,
    parse_framework,
    parse_framework_text,
)

REFERENCE = Path(__file__).resolve().parents[2] / "arrival" / "frameworks" / "data"
LMGF = FRAMEWORKS_DIR / "lmgf-1.0.yaml"


def reference_codes() -> dict[str, set[str]]:
    def column(name: str, field: str) -> set[str]:
        with (REFERENCE / name).open(encoding="utf-8") as handle:
            return {row[field] for row in csv.DictReader(handle)}

    return {
        "gcm_objective": column("gcm_objectives.csv", "number"),
        "sdg_target": column("sdg_targets.csv", "code"),
        "nua_paragraph": column("nua_paragraphs.csv", "paragraph"),
        "domain": column("migof_domains.csv", "code"),
    }


def minimal() -> dict[str, Any]:
    levels = ["none", "planned", "partial", "city-wide", "evaluated"]
    return {
        "format": "arrival-framework/1", "code": "TEST", "version": "0.1", "title": "Test", "licence": "CC0-1.0",
        "bands": {"note": "test cut-offs", "cutoffs": [{"from": 0, "code": "low", "label": "Low"},
                                                       {"from": 50, "code": "high", "label": "High"}]},
        "maturity_scale": levels,
        "domains": [{"code": "D1", "title": "One", "subcategories": [{"code": "S1", "title": "Sub", "indicators": [
            {"code": "I1", "question": "Q?", "guidance": "G", "type": "maturity", "levels": list(levels)},
            {"code": "I2", "question": "Q?", "guidance": "G", "type": "yes_no"},
        ]}]}],
    }


def errors_of(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(FrameworkFileError) as caught:
        parse_framework(data)
    return caught.value.errors


def test_minimal_file_parses_with_defaults() -> None:
    framework = parse_framework(minimal())
    first, second = framework.indicators
    assert framework.key == "TEST-0.1"
    assert framework.min_coverage_percent == 60
    assert first.weight == 1.0 and first.evidence_from_level == 1
    assert second.evidence_required is True


def test_wrong_number_of_levels_names_the_path() -> None:
    data = minimal()
    data["domains"].append(copy.deepcopy(data["domains"][0]))
    data["domains"].append(copy.deepcopy(data["domains"][0]))
    third = data["domains"][2]
    third["code"] = "D3"
    third["subcategories"].append(copy.deepcopy(third["subcategories"][0]))
    for n, domain in enumerate(data["domains"]):  # keep codes unique
        domain["code"] = f"D{n + 1}"
        for m, sub in enumerate(domain["subcategories"]):
            sub["code"] = f"S{n}{m}"
            for k, indicator in enumerate(sub["indicators"]):
                indicator["code"] = f"I{n}{m}{k}"
    third["subcategories"][1]["indicators"][0]["levels"] = ["a", "b", "c", "d"]
    assert errors_of(data) == [("domains[2].subcategories[1].indicators[0].levels", "expected 5 levels, got 4")]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda d: d.pop("licence"), "licence", "required field is missing"),
        (lambda d: d.update(version=1.0), "version", 'expected text, got a number (quote it, e.g. "1.0")'),
        (lambda d: d.update(format="other/1"), "format", "expected 'arrival-framework/1', got 'other/1'"),
        (lambda d: d.update(colour="red"), "colour", "unknown field"),
        (lambda d: d["bands"]["cutoffs"][1].update({"from": 0}), "bands.cutoffs[1].from",
         "must be above the previous band's 0"),
        (lambda d: d["domains"][0].update(code="D9"), "domains[0].code", "does not match"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"][1].update(code="I1"),
         "domains[0].subcategories[0].indicators[1].code", "duplicate code 'I1'"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"][0]["levels"].__setitem__(3, "partial"),
         "domains[0].subcategories[0].indicators[0].levels[3]", "repeats the descriptor"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"][0].update(tags=["sdg:10.7"]),
         "domains[0].subcategories[0].indicators[0].tags[0]", "unknown tag kind 'sdg'"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"][0].update(tags=["gcm_objective:24"]),
         "domains[0].subcategories[0].indicators[0].tags[0]", "not a valid gcm_objective code"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"][1].update(weight=0),
         "domains[0].subcategories[0].indicators[1].weight", "must be greater than 0"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"][1].update(type="slider"),
         "domains[0].subcategories[0].indicators[1].type", "expected one of maturity, yes_no, number, choice"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"][1].update(levels=["a"] * 5),
         "domains[0].subcategories[0].indicators[1].levels", "unknown field"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"][0].update(evidence_required=7),
         "domains[0].subcategories[0].indicators[0].evidence_required", "lowest level needing evidence"),
        (lambda d: d["domains"][0]["subcategories"][0].update(indicators=[
            {"code": "N1", "question": "Q", "guidance": "G", "type": "number", "unit": "%"}]),
         "domains[0].subcategories[0].indicators", "needs at least one scored indicator"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"].append(
            {"code": "N1", "question": "Q", "guidance": "G", "type": "number", "unit": "%",
             "thresholds": [{"from": 0, "score": 0}, {"from": 10, "score": 100}]}),
         "domains[0].subcategories[0].indicators[2].minimum", "needs a minimum at or above the first threshold"),
        (lambda d: d["domains"][0]["subcategories"][0]["indicators"].append(
            {"code": "C1", "question": "Q", "guidance": "G", "type": "choice",
             "options": [{"code": "a", "label": "A", "score": 0}, {"code": "a", "label": "B", "score": 150}]}),
         "domains[0].subcategories[0].indicators[2].options[1]", "duplicate option code 'a'"),
        (lambda d: d.update(outcome_panel=[{"code": "O1", "title": "T", "definition": "D", "unit": "pp",
                                            "direction": "up", "disaggregation": "x", "sdg_indicators": ["8.5"]}]),
         "outcome_panel[0]", "expected one of higher_is_better, lower_is_better"),
    ],
)
def test_errors_name_the_path(change: Any, path: str, message: str) -> None:
    data = minimal()
    change(data)
    found = errors_of(data)
    assert any(p.startswith(path) and message in m for p, m in found), found


def test_all_errors_are_reported_together() -> None:
    data = minimal()
    data.pop("title")
    data["domains"][0]["subcategories"][0]["indicators"][0]["levels"] = ["x"]
    paths = [p for p, _ in errors_of(data)]
    assert "title" in paths and "domains[0].subcategories[0].indicators[0].levels" in paths


def test_yaml_syntax_error_gives_the_line() -> None:
    with pytest.raises(FrameworkFileError, match=r"not valid YAML: line 2"):
        parse_framework_text("code: LMGF\n  version: [1.0\n")


def test_unknown_reference_code_is_rejected() -> None:
    data = minimal()
    data["domains"][0]["subcategories"][0]["indicators"][0]["tags"] = ["sdg_target:9.1"]
    with pytest.raises(FrameworkFileError, match="sdg_target '9.1' is not in the reference list"):
        parse_framework(data, known_tags=reference_codes())


def test_number_and_choice_indicators_parse() -> None:
    data = minimal()
    data["domains"][0]["subcategories"][0]["indicators"] += [
        {"code": "N1", "question": "Q", "guidance": "G", "type": "number", "unit": "%", "minimum": 0, "maximum": 100,
         "thresholds": [{"from": 0, "score": 0}, {"from": 50, "score": 100}]},
        {"code": "C1", "question": "Q", "guidance": "G", "type": "choice", "weight": 2.5,
         "options": [{"code": "a", "label": "A", "score": 0}, {"code": "b", "label": "B", "score": 40}]},
    ]
    framework = parse_framework(data)
    number, choice = framework.indicators[2:]
    assert number.is_scored and number.evidence_required is False and number.thresholds[1].lower == 50
    assert choice.weight == 2.5 and [o.score for o in choice.options] == [0, 40]


# --- the shipped framework ---


@pytest.fixture(scope="module")
def lmgf() -> Any:
    return load_framework(LMGF, known_tags=reference_codes())


def test_lmgf_has_six_domains_of_five_subcategories_of_two_indicators(lmgf: Any) -> None:
    assert lmgf.key == "LMGF-1.0"
    assert [d.code for d in lmgf.domains] == ["D1", "D2", "D3", "D4", "D5", "D6"]
    assert all(len(d.subcategories) == 5 for d in lmgf.domains)
    assert all(len(s.indicators) == 2 for d in lmgf.domains for s in d.subcategories)
    assert len(lmgf.indicators) == 60


def test_lmgf_indicators_are_maturity_scales_with_specific_descriptors(lmgf: Any) -> None:
    codes = [i.code for i in lmgf.indicators]
    assert len(set(codes)) == 60
    descriptors = [level for i in lmgf.indicators for level in i.levels]
    for indicator in lmgf.indicators:
        assert indicator.answer_type == "maturity" and indicator.weight == 1.0
        assert len(set(indicator.levels)) == 5
        assert indicator.question and indicator.guidance
        assert indicator.evidence_from_level == 1
    # Specific, not generic: no descriptor is shared between indicators or equal to the generic scale.
    assert len(set(descriptors)) == len(descriptors)
    assert not set(descriptors) & set(lmgf.maturity_scale)


def test_lmgf_tags_point_to_their_domain_and_the_reference_lists(lmgf: Any) -> None:
    for domain in lmgf.domains:
        for sub in domain.subcategories:
            for indicator in sub.indicators:
                kinds = {t.split(":")[0] for t in indicator.tags}
                assert f"domain:{domain.code}" in indicator.tags
                assert {"gcm_objective", "sdg_target", "nua_paragraph"} <= kinds


def test_lmgf_bands_and_outcome_panel(lmgf: Any) -> None:
    assert [(b.lower, b.label) for b in lmgf.bands] == [
        (0, "Requires further progress"), (25, "Partially meets"), (50, "Meets"), (75, "Fully meets")]
    assert "Arrival's own" in lmgf.bands_note
    assert 12 <= len(lmgf.outcome_panel) <= 16
    for outcome in lmgf.outcome_panel:
        assert outcome.unit and outcome.direction in {"higher_is_better", "lower_is_better"}
        assert outcome.sdg_indicators and "sdg_target:17.18" in outcome.tags
    panel_codes = {o.code for o in lmgf.outcome_panel}
    assert not panel_codes & {i.code for i in lmgf.indicators}


def test_schema_describes_the_same_format() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    document = yaml.safe_load(LMGF.read_text(encoding="utf-8"))
    assert set(schema["required"]) <= set(document)
    assert set(document) <= set(schema["properties"])
    assert schema["properties"]["format"]["const"] == document["format"]
    indicator_types = {branch["properties"]["type"]["const"] for branch in schema["$defs"]["indicator"]["oneOf"]}
    assert indicator_types == {"maturity", "yes_no", "number", "choice"}
