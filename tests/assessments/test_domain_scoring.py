"""The scoring engine: the worked example of docs/methods.md, rules, and properties (hypothesis)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrival.assessments.domain.framework_file import (
    FRAMEWORKS_DIR,
    Framework,
    load_framework,
    parse_framework,
)
from arrival.assessments.domain.scoring import (
    NOT_APPLICABLE,
    NOT_COMPETENT,
    SPECIAL_ANSWERS,
    STATUS_INSUFFICIENT,
    UNKNOWN,
    Answer,
    AnswerError,
    compile_framework,
    encode_answers,
    round_score,
    score_assessment,
    score_batch,
)

LMGF = load_framework(FRAMEWORKS_DIR / "lmgf-1.0.yaml")
LMGF_COMPILED = compile_framework(LMGF)
LEVELS = ["none", "planned", "partial", "city-wide", "evaluated"]
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lmgf_answers(codes: dict[str, Any]) -> dict[str, Answer]:
    return {code: Answer(special=v) if isinstance(v, str) else Answer(value=v) for code, v in codes.items()}


def worked_example() -> dict[str, Answer]:
    """The answers of the worked example in docs/methods.md."""
    answers: dict[str, Any] = {
        "D1.1.1": 3, "D1.1.2": 2,
        "D1.2.1": NOT_COMPETENT, "D1.2.2": NOT_COMPETENT,
        "D1.3.1": 4, "D1.3.2": UNKNOWN,
        "D1.4.1": 1, "D1.4.2": 0,
        "D1.5.1": 2, "D1.5.2": NOT_APPLICABLE,
    }
    for indicator in LMGF.indicators:
        domain = indicator.code[:2]
        if domain == "D2":
            answers[indicator.code] = 2
        elif domain == "D3":
            answers[indicator.code] = 4 if indicator.code.endswith(".1") else UNKNOWN
        elif domain == "D4":
            answers[indicator.code] = 1
        elif domain == "D5":
            answers[indicator.code] = NOT_COMPETENT
    return lmgf_answers(answers)


def test_worked_example_of_methods_md() -> None:
    result = score_assessment(LMGF, worked_example())
    d1, d2, d3, d4, d5, d6 = result.domains
    assert [s.score for s in d1.subcategories] == [62.5, None, 100.0, 12.5, 50.0]
    assert d1.raw == 56.25 and d1.score == 56.3 and d1.band is not None and d1.band.label == "Meets"
    assert (d1.answered, d1.scored, d1.total, d1.coverage_percent) == (9, 6, 10, 90.0)
    assert d2.score == 50.0 and d2.band is not None and d2.band.label == "Meets"
    assert d3.status == STATUS_INSUFFICIENT and d3.coverage_percent == 50.0 and d3.raw == 100.0
    assert d4.score == 25.0 and d4.band is not None and d4.band.label == "Partially meets"
    assert d5.status == STATUS_INSUFFICIENT and d5.coverage_percent == 100.0 and d5.scored == 0
    assert d6.status == STATUS_INSUFFICIENT and d6.coverage_percent == 0.0
    assert result.overall_raw == 43.75 and result.overall == 43.8 and result.partial
    assert result.band is not None and result.band.label == "Partially meets"
    assert (result.answered, result.total, result.coverage_percent) == (44, 60, 73.3)
    batch = score_batch(LMGF_COMPILED, encode_answers(LMGF_COMPILED, worked_example())[None, :])
    assert batch.overall[0] == 43.8 and list(batch.domain_band[0]) == [2, 2, -1, 1, -1, -1]


def test_rounding_is_half_up_on_one_decimal() -> None:
    assert round_score(56.25) == 56.3
    assert round_score(43.75) == 43.8
    assert round_score(33.333333) == 33.3
    assert round_score(0.04999) == 0.0


def test_bad_answers_are_refused_with_the_indicator_named() -> None:
    with pytest.raises(AnswerError, match="D1.1.1: expected a level from 0 to 4, got 5"):
        score_assessment(LMGF, {"D1.1.1": Answer(value=5)})
    with pytest.raises(AnswerError, match="D1.1.1: unknown special answer 'maybe'"):
        score_assessment(LMGF, {"D1.1.1": Answer(special="maybe")})
    with pytest.raises(AnswerError, match="no such indicator in LMGF-1.0: X9"):
        score_assessment(LMGF, {"X9": Answer(value=1)})
    with pytest.raises(AnswerError, match="row 1: code 5 is not a valid answer to D1.1.1"):
        score_batch(LMGF_COMPILED, np.array([[0] * 60, [5] + [0] * 59], dtype=np.int8))


def mixed_framework() -> Framework:
    indicator = {"question": "Q", "guidance": "G"}
    return parse_framework({
        "format": "arrival-framework/1", "code": "MIX", "version": "1", "title": "Mixed", "licence": "CC0-1.0",
        "bands": {"note": "test", "cutoffs": [{"from": 0, "code": "a", "label": "A"}, {"from": 50, "code": "b", "label": "B"}]},
        "maturity_scale": LEVELS,
        "domains": [{"code": "D1", "title": "One", "subcategories": [{"code": "S1", "title": "S", "indicators": [
            {**indicator, "code": "M", "type": "maturity", "levels": LEVELS, "weight": 3},
            {**indicator, "code": "Y", "type": "yes_no"},
            {**indicator, "code": "C", "type": "choice", "options": [
                {"code": "no", "label": "No", "score": 0}, {"code": "some", "label": "Some", "score": 40}]},
            {**indicator, "code": "N", "type": "number", "unit": "%", "minimum": 0, "maximum": 100,
             "thresholds": [{"from": 0, "score": 0}, {"from": 20, "score": 60}, {"from": 50, "score": 100}]},
            {**indicator, "code": "R", "type": "number", "unit": "people"},
        ]}]}],
    })


def test_every_answer_type_scores_as_documented() -> None:
    framework = mixed_framework()
    answers = {"M": Answer(value=2), "Y": Answer(value=True), "C": Answer(value="some"), "N": Answer(value=35.0),
               "R": Answer(value=1200)}
    sub = score_assessment(framework, answers).domains[0].subcategories[0]
    # (3 × 50 + 1 × 100 + 1 × 40 + 1 × 60) / (3 + 1 + 1 + 1); the unscored number is left out entirely.
    assert sub.raw == (3 * 50 + 100 + 40 + 60) / 6
    assert (sub.scored, sub.total) == (4, 4)
    compiled = compile_framework(framework)
    batch = score_batch(compiled, encode_answers(compiled, answers)[None, :], with_subcategories=True)
    assert batch.subcategory_raw is not None and batch.subcategory_raw[0, 0] == sub.raw


# --- properties ---

answer_values = st.one_of(st.integers(0, 4), st.sampled_from([*SPECIAL_ANSWERS, None]))


@st.composite
def lmgf_answer_sets(draw: st.DrawFn) -> dict[str, Answer]:
    values = draw(st.lists(answer_values, min_size=60, max_size=60))
    return lmgf_answers({i.code: v for i, v in zip(LMGF.indicators, values, strict=True) if v is not None})


def all_scores(result: Any) -> list[float]:
    values = [result.overall, result.overall_raw]
    for domain in result.domains:
        values += [domain.score, domain.raw] + [s.raw for s in domain.subcategories]
    return [v for v in values if v is not None]


@PROPERTY
@given(lmgf_answer_sets())
def test_scores_are_bounded(answers: dict[str, Answer]) -> None:
    result = score_assessment(LMGF, answers)
    assert all(0.0 <= v <= 100.0 for v in all_scores(result))
    assert 0.0 <= result.coverage_percent <= 100.0


@PROPERTY
@given(lmgf_answer_sets(), st.integers(0, 59), st.integers(0, 3), st.integers(1, 4))
def test_raising_one_answer_never_lowers_its_domain(answers: dict[str, Answer], position: int, level: int,
                                                     step: int) -> None:
    code = LMGF.indicators[position].code
    higher = min(level + step, 4)
    before = score_assessment(LMGF, {**answers, code: Answer(value=level)}).domain(code[:2])
    after = score_assessment(LMGF, {**answers, code: Answer(value=higher)}).domain(code[:2])
    assert before.raw is not None and after.raw is not None and after.raw >= before.raw
    assert (after.score or 0.0) >= (before.score or 0.0) and after.status == before.status


@PROPERTY
@given(lmgf_answer_sets(), st.integers(0, 59), st.sampled_from(SPECIAL_ANSWERS))
def test_special_answers_never_count_as_zero(answers: dict[str, Answer], position: int, special: str) -> None:
    indicator = LMGF.indicators[position]
    with_special = score_assessment(LMGF, {**answers, indicator.code: Answer(special=special)})
    with_zero = score_assessment(LMGF, {**answers, indicator.code: Answer(value=0)})
    domain = indicator.code[:2]
    sub_index = int(indicator.code.split(".")[1]) - 1
    special_sub = with_special.domain(domain).subcategories[sub_index]
    zero_sub = with_zero.domain(domain).subcategories[sub_index]
    partner = next(i for i in LMGF.indicators if i.code[:-1] == indicator.code[:-1] and i.code != indicator.code)
    partner_answer = answers.get(partner.code)
    if partner_answer is not None and partner_answer.special is None:
        # The sub-category is the partner's score alone: the special answer left the denominator.
        assert special_sub.raw == partner_answer.value / 4 * 100  # type: ignore[operator]
        assert zero_sub.raw == special_sub.raw / 2  # type: ignore[operator]
    else:
        assert special_sub.raw is None and special_sub.scored == 0
    assert special_sub.total == zero_sub.total
    assert special_sub.answered == zero_sub.answered - (1 if special == UNKNOWN else 0)


@PROPERTY
@given(lmgf_answer_sets())
def test_same_inputs_same_output(answers: dict[str, Answer]) -> None:
    assert score_assessment(LMGF, answers) == score_assessment(LMGF, dict(reversed(list(answers.items()))))


@st.composite
def framework_and_answers(draw: st.DrawFn) -> tuple[Framework, list[dict[str, Answer]]]:
    """Random frameworks (uneven shapes, weights, every scored answer type) with several answer sets."""
    domains = []
    number = 0
    for d in range(draw(st.integers(1, 3))):
        subs = []
        for s in range(draw(st.integers(1, 3))):
            indicators = []
            for _ in range(draw(st.integers(1, 3))):
                number += 1
                kind = draw(st.sampled_from(["maturity", "yes_no", "choice"]))
                spec: dict[str, Any] = {"code": f"I{number}", "question": "Q", "guidance": "G", "type": kind,
                                        "weight": draw(st.floats(0.1, 10, allow_nan=False))}
                if kind == "maturity":
                    spec["levels"] = LEVELS
                if kind == "choice":
                    spec["options"] = [{"code": f"o{k}", "label": f"O{k}", "score": draw(st.floats(0, 100))}
                                       for k in range(draw(st.integers(2, 4)))]
                indicators.append(spec)
            subs.append({"code": f"S{d}{s}", "title": "S", "indicators": indicators})
        domains.append({"code": f"D{d + 1}", "title": "D", "subcategories": subs})
    framework = parse_framework({
        "format": "arrival-framework/1", "code": "RND", "version": "1", "title": "Random", "licence": "CC0-1.0",
        "min_coverage_percent": draw(st.sampled_from([0, 50, 60, 100])),
        "bands": {"note": "test", "cutoffs": [{"from": 0, "code": "a", "label": "A"}, {"from": 33.3, "code": "b", "label": "B"}]},
        "maturity_scale": LEVELS, "domains": domains,
    })
    answer_sets = []
    for _ in range(draw(st.integers(1, 5))):
        answers = {}
        for indicator in framework.indicators:
            choice = draw(st.sampled_from(["value", "value", "value", *SPECIAL_ANSWERS, "missing"]))
            if choice in SPECIAL_ANSWERS:
                answers[indicator.code] = Answer(special=choice)
            elif choice == "value":
                if indicator.answer_type == "maturity":
                    answers[indicator.code] = Answer(value=draw(st.integers(0, 4)))
                elif indicator.answer_type == "yes_no":
                    answers[indicator.code] = Answer(value=draw(st.booleans()))
                else:
                    answers[indicator.code] = Answer(value=draw(st.sampled_from([o.code for o in indicator.options])))
        answer_sets.append(answers)
    return framework, answer_sets


def same(a: float | None, b: float) -> bool:
    return (a is None and math.isnan(b)) or a == b


@PROPERTY
@given(framework_and_answers())
def test_vectorised_path_equals_per_assessment_path_bit_for_bit(case: tuple[Framework, list[dict[str, Answer]]]) -> None:
    framework, answer_sets = case
    compiled = compile_framework(framework)
    codes = np.stack([encode_answers(compiled, answers) for answers in answer_sets])
    batch = score_batch(compiled, codes, chunk_rows=2, with_subcategories=True)
    assert batch.subcategory_raw is not None
    for row, answers in enumerate(answer_sets):
        result = score_assessment(framework, answers)
        assert same(result.overall, batch.overall[row]) and same(result.overall_raw, batch.overall_raw[row])
        assert result.partial == batch.partial[row] and result.coverage_percent == batch.coverage[row]
        sub_column = 0
        for d, domain in enumerate(result.domains):
            assert same(domain.score, batch.domain_score[row, d]) and same(domain.raw, batch.domain_raw[row, d])
            assert domain.coverage_percent == batch.domain_coverage[row, d]
            assert (domain.answered, domain.scored) == (batch.domain_answered[row, d], batch.domain_scored[row, d])
            expected_band = -1 if domain.band is None else framework.bands.index(domain.band)
            assert batch.domain_band[row, d] == expected_band
            for sub in domain.subcategories:
                assert same(sub.raw, batch.subcategory_raw[row, sub_column])
                sub_column += 1


@PROPERTY
@given(framework_and_answers(), st.floats(0.01, 100, allow_nan=False), st.data())
def test_scaling_the_weights_of_a_subcategory_changes_nothing(case: tuple[Framework, list[dict[str, Answer]]],
                                                              factor: float, data: st.DataObject) -> None:
    framework, answer_sets = case
    d = data.draw(st.integers(0, len(framework.domains) - 1))
    s = data.draw(st.integers(0, len(framework.domains[d].subcategories) - 1))
    domains = list(framework.domains)
    subs = list(domains[d].subcategories)
    subs[s] = replace(subs[s], indicators=tuple(replace(i, weight=i.weight * factor) for i in subs[s].indicators))
    domains[d] = replace(domains[d], subcategories=tuple(subs))
    scaled = replace(framework, domains=tuple(domains))
    for answers in answer_sets:
        before, after = score_assessment(framework, answers), score_assessment(scaled, answers)
        # Normalised weights: equal up to floating-point rounding of the weighted sums.
        for x, y in zip(all_scores(before), all_scores(after), strict=True):
            assert x == pytest.approx(y, rel=1e-12, abs=1e-9)
        assert [dom.status for dom in before.domains] == [dom.status for dom in after.domains]


def test_batch_is_identical_whatever_the_chunk_size() -> None:
    rng = np.random.default_rng(7)
    codes = rng.integers(-4, 5, size=(1000, 60)).astype(np.int8)
    one = score_batch(LMGF_COMPILED, codes, chunk_rows=1000)
    other = score_batch(LMGF_COMPILED, codes, chunk_rows=97)
    for field in ("domain_raw", "domain_score", "overall_raw", "overall", "coverage"):
        assert np.array_equal(getattr(one, field), getattr(other, field), equal_nan=True)
