"""Reports of assessments: the assessment report (PDF), a Voluntary Local Review chapter draft (DOCX), and
open data (CSV, JSON, XLSX) for one published assessment or for all of them.

Each is an export kind (arrival.reports.prepared): a background job builds the file when its source changes
— publication, a rescoring, an answer to a draft whose report was asked for — and its address serves the
latest built file (views_exports.py). Every file names its licence, its source address and the framework
version. The HTML report is rendered on request from the same context.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from arrival.assessments.domain import framework_file as ff
from arrival.assessments.domain.scoring import Answer as DomainAnswer
from arrival.assessments.domain.scoring import indicator_score
from arrival.assessments.models import Assessment, AssessmentStatus, DomainScore, OutcomeValue, SpecialAnswer
from arrival.assessments.selectors import (
    answer_counts,
    assessment_answers,
    assessment_get,
    framework_parsed,
    gap_list,
    indicator_changes,
    previous_assessment,
    progress_over_cycles,
    score_changes,
)
from arrival.assessments.selectors.outcomes import group_label
from arrival.core.languages import ltr_in_page
from arrival.core.site import absolute_url
from arrival.core.translations import OriginalTexts, localized
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.reports import charts
from arrival.reports.documents import (
    Bullets,
    Document,
    Heading,
    Paragraph,
    Table,
    colophon,
    render_docx,
    render_pdf,
)
from arrival.reports.exports import OpenDataMeta, open_data_file
from arrival.reports.prepared import CSV, DOCX, JSON, PDF, XLSX, Built, ExportKind, export_kind_register
from arrival.reports.services import prepared_files_refresh

REPORT_FORMATS = {"pdf": PDF, "docx": DOCX}
OPEN_DATA_FORMATS = {"csv": CSV, "json": JSON, "xlsx": XLSX}
KIND_REPORT = "assessments.report"
KIND_OPEN_DATA = "assessments.open_data"
KIND_OPEN_DATA_ALL = "assessments.open_data_all"
SOURCE_ALL = "assessments.published_scores"


def assessment_source(pk: int) -> str:
    """The source name of every file made from assessment `pk` (arrival.reports.prepared)."""
    return f"assessments.assessment:{pk}"


def download_name(*, assessment: Assessment | None, kind: str) -> str:
    if assessment is None:
        return f"arrival-scores.{kind}"
    return f"arrival-{assessment.government.slug}-{assessment.cycle}.{kind}"


# --- the report's content --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainRow:
    code: str
    title: str
    score: float | None
    band: str
    band_index: int | None
    low: float | None
    high: float | None
    coverage: float


def _domain_rows(assessment: Assessment, parsed: ff.Framework) -> list[DomainRow]:
    rows = {row.domain_code: row for row in DomainScore.objects.filter(assessment=assessment)}
    bands = {band.code: (index, band.label) for index, band in enumerate(parsed.bands)}
    result = []
    for domain in parsed.domains:
        row = rows.get(domain.code)
        index, label = bands.get(row.band, (None, "")) if row and row.score is not None else (None, "")
        result.append(DomainRow(
            code=domain.code, title=domain.title, score=row.score if row else None, band=label, band_index=index,
            low=row.low if row else None, high=row.high if row else None, coverage=row.coverage if row else 0.0,
        ))
    return result


def _charts(assessment: Assessment, parsed: ff.Framework, domains: list[DomainRow]) -> list[charts.Chart]:
    found = [charts.bar_chart(
        title=_("Score by domain, %(cycle)s") % {"cycle": assessment.cycle},
        # xgettext:no-python-format — a literal percent sign, never %-formatted
        description=_("Horizontal bars give each domain's score from 0 to 100, its band and, as whiskers, the 90% "
                      "interval from the uncertainty analysis. Dashed lines mark the band cut-offs."),
        bars=[charts.Bar(label=d.title, value=d.score, low=d.low, high=d.high, band=d.band_index, band_label=d.band)
              for d in domains],
        value_label=_("Score (0–100)"), category_label=_("Domain"),
        cutoffs=[(band.lower, band.label) for band in parsed.bands[1:]], missing_label=_("insufficient data"),
        chart_id=f"report-{assessment.pk}-domains",
    )]
    score = getattr(assessment, "score", None)
    if score is not None:
        subs = {d["code"]: [s["score"] for s in d.get("subcategories", []) if s.get("score") is not None]
                for d in score.result.get("domains", [])}
        found.append(charts.distribution_chart(
            title=_("Sub-category scores within each domain"),
            description=_("For each domain, a box from the lower to the upper quartile of its sub-category scores, "
                          "a thick line at the median, a whisker from the lowest to the highest, and one dot per sub-category."),
            groups=[charts.Group(d.title, subs.get(d.code, [])) for d in parsed.domains],
            value_label=_("Score (0–100)"), group_label=_("Domain"), chart_id=f"report-{assessment.pk}-subcategories",
        ))
    cycles = progress_over_cycles(government=assessment.government)
    if len(cycles) >= 2:  # noqa: PLR2004 - a line needs two published cycles
        found.append(charts.line_chart(
            title=_("Published scores over the years"),
            description=_("One line per domain and one for the overall score, by assessment cycle; a gap in a line "
                          "is a year with insufficient data."),
            series=[charts.Series(_("Overall"), [(c.cycle, c.overall) for c in cycles])] + [
                charts.Series(domain.title, [(c.cycle, next((p.score for p in c.domains if p.code == domain.code), None))
                                             for c in cycles])
                for domain in parsed.domains
            ],
            x_label=_("Cycle"), y_label=_("Score"), chart_id=f"report-{assessment.pk}-years",
        ))
    return found


def _outcomes(assessment: Assessment, parsed: ff.Framework) -> list[dict[str, Any]]:
    panel = {item.code: item for item in parsed.outcome_panel}
    rows = OutcomeValue.objects.filter(assessment=assessment).select_related("indicator").order_by(
        "indicator__position", "population_group")
    return [{"code": row.indicator.code, "title": panel[row.indicator.code].title if row.indicator.code in panel else row.indicator.question,
             "unit": panel[row.indicator.code].unit if row.indicator.code in panel else "", "group": group_label(row.population_group),
             "value": row.value, "year": row.year, "source": row.source} for row in rows]


def _target_order(code: str) -> list[tuple[int, str]]:
    # "10.7" before "10.a" before "16.9": numbers by value, letters after them.
    return [(int(part), "") if part.isdigit() else (10**6, part) for part in code.split(".")]


def _sdg_links(parsed: ff.Framework, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """SDG targets the indicators are tagged with, and the mean score of their scored answers."""
    by_target: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for indicator in parsed.indicators:
        for tag in indicator.tags:
            kind, _sep, code = tag.partition(":")
            if kind != "sdg_target":
                continue
            counts[code] += 1
            answer = answers.get(indicator.code)
            if answer is not None and answer.value is not None and indicator.answer_type == ff.MATURITY:
                by_target[code].append(int(answer.value) / 4 * 100)
    labels = {item.code: localized(item, "label").text for item in FrameworkItem.objects.filter(
        framework__kind=FrameworkKind.SDG_TARGET, framework__is_current=True, code__in=list(counts))}
    return [{"code": code, "label": labels.get(code, ""), "indicators": counts[code],
             "mean": round(sum(by_target[code]) / len(by_target[code]), 1) if by_target[code] else None}
            for code in sorted(counts, key=_target_order)]


def framework_originals(framework: Any) -> OriginalTexts:
    """The framework file's own (English) texts, to mark those a partial translation leaves in English."""
    source = framework_parsed(framework=framework, language="")
    texts = {source.title, source.bands_note, *(band.label for band in source.bands)}
    for domain in source.domains:
        texts.add(domain.title)
        for sub in domain.subcategories:
            texts.add(sub.title)
            for indicator in sub.indicators:
                texts.update((indicator.question, *indicator.levels))
    texts.update(text for item in source.outcome_panel for text in (item.title, item.unit))
    return OriginalTexts(language="en", texts=frozenset(t for t in texts if t))


def report_context(*, assessment: Assessment) -> dict[str, Any]:
    """Everything the report shows, for the HTML page, the PDF and the DOCX draft."""
    parsed = framework_parsed(framework=assessment.framework)
    domains = _domain_rows(assessment, parsed)
    answers = assessment_answers(assessment=assessment)
    score = getattr(assessment, "score", None)
    published = assessment.status == AssessmentStatus.PUBLISHED
    strengths = [
        {"code": i.code, "question": i.question, "level": answers[i.code].value}
        for i in parsed.indicators
        if i.answer_type == ff.MATURITY and i.code in answers and isinstance(level := answers[i.code].value, int)
        and level >= 3  # noqa: PLR2004 - implemented city-wide or better
    ]
    previous = previous_assessment(assessment=assessment)
    cycles = {c.cycle: c for c in progress_over_cycles(government=assessment.government)}
    changes = score_changes(current=cycles[assessment.cycle], previous=cycles.get(previous.cycle) if previous else None) \
        if assessment.cycle in cycles and previous else []
    counts = answer_counts(assessment=assessment)
    specials: defaultdict[str, int] = defaultdict(int)
    for answer in answers.values():
        if answer.special:
            specials[str(SpecialAnswer(answer.special).label)] += 1
    return {
        "assessment": assessment,
        "government": assessment.government,
        "parsed": parsed,
        "originals": framework_originals(assessment.framework),
        "published": published,
        "score": score,
        "domains": domains,
        "charts": _charts(assessment, parsed, domains),
        "gaps": gap_list(assessment=assessment, records_per_gap=0),
        "strengths": strengths,
        "previous": previous,
        "changes": changes,
        "indicator_changes": indicator_changes(assessment=assessment) if previous else {"rose": [], "fell": []},
        "outcomes": _outcomes(assessment, parsed),
        "sdg_links": _sdg_links(parsed, answers),
        "specials": dict(specials),
        # The one rule for "answered" (selectors.answer_counts), as coverage counts it.
        "answered": counts.answered,
        "total": counts.total,
        "licence": settings.ARRIVAL_DATA_LICENCE,
    }


# --- the VLR chapter draft -------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return ltr_in_page(charts.fmt(value)) if value is not None else _("insufficient data")


def _range(low: float | None, high: float | None) -> str:
    return ltr_in_page(f"{charts.fmt(low)}–{charts.fmt(high)}") if low is not None and high is not None else "–"


def vlr_document(context: dict[str, Any]) -> Document:
    """A migration chapter for a Voluntary Local Review, in plain words, clearly marked as a draft."""
    assessment: Assessment = context["assessment"]
    city = assessment.government.name
    parsed: ff.Framework = context["parsed"]
    originals: OriginalTexts = context["originals"]
    score = context["score"]
    framework = f"{originals.localized(parsed.title)} ({assessment.framework.label})"
    blocks: list[Any] = [
        Paragraph(_("DRAFT generated by Arrival from the %(cycle)s self-assessment on %(framework)s. It is a starting "
                    "point for %(city)s to edit: check every sentence and figure against the published assessment "
                    "before using it.") % {"cycle": assessment.cycle, "framework": framework, "city": city},
                  emphasis=True),
    ]
    if assessment.is_demo:
        blocks.append(Paragraph(_("Demo data: these answers were invented for the demonstration and describe no real policy."),
                                emphasis=True))
    status = (_("The answers were reviewed by a validator from another local government or a city network and published.")
              if context["published"] else _("The assessment is not yet published; its answers may still change."))
    blocks += [
        Heading(_("How %(city)s governs migration") % {"city": city}),
        Paragraph(_("In %(cycle)s, %(city)s assessed its migration governance with the %(framework)s: %(total)s "
                    "indicators in six domains, each answered on a scale from 0 (nothing in place) to 4 (implemented, "
                    "evaluated and updated). It answered %(answered)s of them.")
                  % {"cycle": assessment.cycle, "city": city, "framework": framework,
                     "total": context["total"], "answered": context["answered"]}),
        Paragraph(status),
    ]
    if score is not None and score.overall is not None:
        blocks.append(Paragraph(
            (_("Across the domains with enough answers, the overall score is %(score)s out of 100; some domains had "
               "too few answers to be scored, so this figure is partial.") if score.partial else
             _("The overall score is %(score)s out of 100.")) % {"score": _fmt(score.overall)}
        ))
    blocks += [
        Heading(_("Scores by domain")),
        # xgettext:no-python-format — a literal percent sign, never %-formatted
        Table(caption=_("Domain scores (0–100) with their band, 90% interval and share of indicators answered"),
              # xgettext:no-python-format — a literal percent sign, never %-formatted
              columns=[_("Domain"), _("Score"), _("Band"), _("90% interval"), _("Answered")],
              rows=[[originals.localized(d.title), _fmt(d.score), originals.localized(d.band) if d.band else "–",
                     _range(d.low, d.high), ltr_in_page(f"{charts.fmt(d.coverage)}%")] for d in context["domains"]]),
        Heading(_("Strengths")),
    ]
    strengths = context["strengths"]
    blocks.append(Bullets([(originals.localized(s["question"]), f" ({_('level')} {s['level']})") for s in strengths[:10]])
                  if strengths else
                  Paragraph(_("No indicator is yet implemented city-wide (level 3 or 4).")))
    blocks.append(Heading(_("Gaps and next steps")))
    gaps = context["gaps"]
    if gaps:
        blocks.append(Paragraph(_("These policies are absent or only planned. The next level describes a concrete next step.")))
        blocks.append(Bullets([(originals.localized(g.result.indicator.question), f" {_('Next step:')} ",
                                originals.localized(g.next_text)) for g in gaps[:12]]))
    else:
        blocks.append(Paragraph(_("No indicator is answered below level 2.")))
    blocks.append(Heading(_("Progress since the previous cycle")))
    previous = context["previous"]
    if previous is None:
        blocks.append(Paragraph(_("This is the first published cycle, so there is no earlier score to compare with.")))
    else:
        blocks.append(Bullets([
            _("%(title)s: from %(before)s to %(after)s") % {"title": c.title, "before": _fmt(c.before), "after": _fmt(c.after)}
            for c in context["changes"]
        ]))
        rose = context["indicator_changes"]["rose"]
        if rose:
            blocks.append(Paragraph(_("The indicators that improved most:")))
            blocks.append(Bullets([originals.localized(c.question) for c in rose]))
    blocks.append(Heading(_("Links to the Sustainable Development Goals")))
    links = context["sdg_links"]
    if links:
        blocks.append(Table(
            caption=_("SDG targets the indicators relate to, through Arrival's crosswalk (a proposal, not an official table)"),
            columns=[_("SDG target"), _("Indicators"), _("Average indicator score")],
            rows=[[f"{link['code']} {link['label']}".strip(), str(link["indicators"]), _fmt(link["mean"])] for link in links],
        ))
    if context["outcomes"]:
        blocks.append(Heading(_("Outcome statistics")))
        blocks.append(Paragraph(_("Aggregate statistics by population group, shown beside the policy score and never part of it.")))
        blocks.append(Table(caption=_("Outcome panel"), columns=[_("Indicator"), _("Group"), _("Value"), _("Year"), _("Source")],
                            rows=[[o["title"], o["group"], f"{charts.fmt(o['value'])} {o['unit']}".strip(), str(o["year"]),
                                   o["source"]] for o in context["outcomes"]]))
    blocks += [
        Heading(_("How the scores are computed")),
        Paragraph(_("An indicator at level L scores L ÷ 4 × 100. A sub-category is the weighted mean of its indicators, a "
                    "domain the mean of its sub-categories. Answers such as “not a power of this government” leave the "
                    "calculation instead of counting as zero. A domain is scored only when at least %(coverage)s%% of its "
                    "indicators are answered. The band cut-offs are Arrival's own. The interval comes from a seeded "
                    "uncertainty analysis over weights and aggregation rules. Every figure can be recomputed from the "
                    "published answers with framework version %(framework)s.")
                  % {"coverage": charts.fmt(parsed.min_coverage_percent), "framework": assessment.framework.label}),
    ]
    return Document(
        title=_("Migration and inclusion in %(city)s") % {"city": city},
        subtitle=_("Draft chapter for a Voluntary Local Review, %(cycle)s") % {"cycle": assessment.cycle},
        blocks=blocks,
    )


# --- open data -------------------------------------------------------------------------------------------

ASSESSMENT_COLUMNS = (
    "government", "government_slug", "country", "cycle", "framework_version", "record", "code", "title",
    "answer", "special_answer", "score", "band", "coverage_percent", "interval_low", "interval_high",
    "evidence_url", "evidence_reference", "is_demo",
)
ALL_COLUMNS = (
    "government", "government_slug", "country", "cycle", "framework_version", "domain_code", "domain_title",
    "score", "band", "coverage_percent", "interval_low", "interval_high", "overall", "overall_partial",
    "published_at", "is_demo",
)


def _assessment_rows(assessment: Assessment) -> list[dict[str, Any]]:
    parsed = framework_parsed(framework=assessment.framework)
    answers = assessment_answers(assessment=assessment)
    common = {"government": assessment.government.name, "government_slug": assessment.government.slug,
              "country": assessment.government.country.code if assessment.government.country else "",
              "cycle": assessment.cycle, "framework_version": assessment.framework.label, "is_demo": assessment.is_demo}
    rows: list[dict[str, Any]] = []
    score = getattr(assessment, "score", None)
    if score is not None:
        rows.append({**common, "record": "overall", "code": "overall", "title": _("Overall"), "score": score.overall,
                     "coverage_percent": score.coverage,
                     # a partial overall score is not banded (docs/methods.md §10), as on the page and in the API
                     "band": parsed.band_for(score.overall).label if score.overall is not None and not score.partial
                     else ""})
    for domain in _domain_rows(assessment, parsed):
        rows.append({**common, "record": "domain", "code": domain.code, "title": domain.title, "score": domain.score,
                     "band": domain.band, "coverage_percent": domain.coverage, "interval_low": domain.low,
                     "interval_high": domain.high})
    for indicator in parsed.indicators:
        answer = answers.get(indicator.code)
        score_value = None
        if answer is not None and answer.value is not None and indicator.is_scored:
            score_value = indicator_score(indicator, DomainAnswer(value=answer.value))
        rows.append({**common, "record": "indicator", "code": indicator.code, "title": indicator.question,
                     "answer": answer.value if answer else None, "special_answer": answer.special if answer else "",
                     "score": score_value, "evidence_url": answer.evidence_url if answer else "",
                     "evidence_reference": answer.evidence_reference if answer else ""})
    return rows


def _all_rows() -> Any:
    titles: dict[int, dict[str, str]] = {}
    bands: dict[int, dict[str, str]] = {}
    rows = (DomainScore.objects.filter(assessment__status=AssessmentStatus.PUBLISHED)
            .select_related("assessment__government__country", "assessment__framework", "assessment__score")
            .order_by("assessment__government__name", "assessment__cycle", "domain_code"))
    for row in rows.iterator(chunk_size=2000):
        assessment = row.assessment
        framework_id = assessment.framework_id
        if framework_id not in titles:
            parsed = framework_parsed(framework=assessment.framework)
            titles[framework_id] = {d.code: d.title for d in parsed.domains}
            bands[framework_id] = {b.code: b.label for b in parsed.bands}
        score = getattr(assessment, "score", None)
        yield {
            "government": assessment.government.name, "government_slug": assessment.government.slug,
            "country": assessment.government.country.code if assessment.government.country else "",
            "cycle": assessment.cycle, "framework_version": assessment.framework.label,
            "domain_code": row.domain_code, "domain_title": titles[framework_id].get(row.domain_code, ""),
            "score": row.score, "band": bands[framework_id].get(row.band, row.band), "coverage_percent": row.coverage,
            "interval_low": row.low, "interval_high": row.high, "overall": score.overall if score else None,
            "overall_partial": score.partial if score else None,
            "published_at": assessment.published_at.isoformat() if assessment.published_at else "",
            "is_demo": assessment.is_demo,
        }


# --- the files behind the export addresses (arrival.reports.prepared) -------------------------------------


def _report_address(params: dict[str, Any], fmt: str) -> str:
    return reverse("assessments:report_export", args=[params["pk"], fmt])


def _open_data_address(params: dict[str, Any], fmt: str) -> str:
    return reverse("assessments:open_data_export", args=[params["pk"], fmt])


def _open_data_all_address(params: dict[str, Any], fmt: str) -> str:
    return reverse("assessments:open_data_all_export", args=[fmt])


def build_report(params: dict[str, Any], fmt: str) -> Built:
    """The report (PDF) or the VLR chapter draft (DOCX) of one assessment, in the active language."""
    assessment = assessment_get(pk=params["pk"])
    about = colophon(source=_report_address(params, fmt), version=assessment.framework.label)
    context = {**report_context(assessment=assessment), "colophon": about}
    if fmt == "pdf":
        content = render_pdf("assessments/report/report_pdf.html", context)
    else:
        content = render_docx(replace(vlr_document(context), colophon=about))
    return Built(content=content, filename=download_name(assessment=assessment, kind=fmt))


def build_open_data(params: dict[str, Any], fmt: str) -> Built:
    """A published assessment's answers and scores (CSV, JSON or XLSX), with framework version and licence."""
    assessment = assessment_get(pk=params["pk"])
    meta = OpenDataMeta(
        title=_("Arrival assessment: %(government)s %(cycle)s") % {"government": assessment.government,
                                                                    "cycle": assessment.cycle},
        version=assessment.framework.label, source=absolute_url(_open_data_address(params, fmt)),
    )
    return Built(content=open_data_file(fmt, ASSESSMENT_COLUMNS, _assessment_rows(assessment), meta),
                 filename=download_name(assessment=assessment, kind=fmt))


def build_open_data_all(params: dict[str, Any], fmt: str) -> Built:
    """Every published domain score of every assessment as one file (CSV, JSON or XLSX)."""
    versions = sorted(set(Assessment.objects.filter(status=AssessmentStatus.PUBLISHED)
                          .values_list("framework__code", "framework__version").distinct()))
    meta = OpenDataMeta(
        title=_("Arrival: published migration governance scores"),
        version=", ".join(f"{code}-{version}" for code, version in versions) or "-",
        source=absolute_url(_open_data_all_address(params, fmt)),
        notes={"demo_rows": Assessment.objects.filter(Q(status=AssessmentStatus.PUBLISHED) & Q(is_demo=True)).exists()},
    )
    return Built(content=open_data_file(fmt, ALL_COLUMNS, _all_rows(), meta),
                 filename=download_name(assessment=None, kind=fmt))


def _published() -> Any:
    ids = Assessment.objects.filter(status=AssessmentStatus.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    return ({"pk": pk} for pk in ids.iterator(chunk_size=2000))


export_kind_register(ExportKind(name=KIND_REPORT, formats=REPORT_FORMATS, build=build_report,
                                source=lambda params: assessment_source(params["pk"]), address=_report_address,
                                published=_published))
export_kind_register(ExportKind(name=KIND_OPEN_DATA, formats=OPEN_DATA_FORMATS, build=build_open_data,
                                source=lambda params: assessment_source(params["pk"]), address=_open_data_address,
                                published=_published))
export_kind_register(ExportKind(name=KIND_OPEN_DATA_ALL, formats=OPEN_DATA_FORMATS, build=build_open_data_all,
                                source=lambda params: SOURCE_ALL, address=_open_data_all_address,
                                published=lambda: [{}]))


def assessment_files_refresh(*, assessment: Assessment) -> None:
    """The assessment changed (published, rescored, answered): rebuild its files that exist, and on
    publication its report and open data and the all-scores file, in the default language."""
    if assessment.status == AssessmentStatus.PUBLISHED:
        params = {"pk": assessment.pk}
        prepared_files_refresh(source=assessment_source(assessment.pk),
                               kinds=[(KIND_REPORT, params), (KIND_OPEN_DATA, params)])
        prepared_files_refresh(source=SOURCE_ALL, kinds=[(KIND_OPEN_DATA_ALL, {})])
    else:
        prepared_files_refresh(source=assessment_source(assessment.pk))
