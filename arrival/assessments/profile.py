"""The assessments section of a local government's profile, and the charts it and the assessment page share.

`register()` is called from `AssessmentsConfig.ready()`; the section shows only for governments with at
least one published assessment.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrival.actors.models import Actor
from arrival.actors.profile_sections import register_profile_section
from arrival.assessments import scores, selectors
from arrival.assessments.domain import framework_file as ff
from arrival.assessments.selectors.analysis import CyclePoint
from arrival.reports.charts import Bar, Chart, Series, bar_chart, line_chart

# Report downloads (views_exports.py): (URL name, format, link text). Open data exists once published.
REPORT_LINKS = (
    ("assessments:report_export", "pdf", gettext_lazy("Assessment report (PDF)")),
    ("assessments:report_export", "docx", gettext_lazy("Voluntary Local Review chapter, draft (DOCX)")),
)
OPEN_DATA_LINKS = (
    ("assessments:open_data_export", "csv", gettext_lazy("Open data (CSV)")),
    ("assessments:open_data_export", "json", gettext_lazy("Open data (JSON)")),
    ("assessments:open_data_export", "xlsx", gettext_lazy("Open data (XLSX)")),
)
ALL_DATA_LINKS = (
    ("csv", gettext_lazy("All published scores, every government (CSV)")),
    ("json", gettext_lazy("All published scores, every government (JSON)")),
    ("xlsx", gettext_lazy("All published scores, every government (XLSX)")),
)


def score_chart(*, current: CyclePoint, parsed: ff.Framework) -> Chart:
    """Domain scores of one cycle as bars, with 90% intervals, band colours and the band cut-offs."""
    band_index = {band.label: n for n, band in enumerate(parsed.bands)}
    bars = [
        Bar(label=f"{d.code} {d.title}", value=d.score, low=d.low, high=d.high,
            band=band_index.get(d.band), band_label=d.band)
        for d in current.domains
    ]
    return bar_chart(
        title=_("Domain scores, %(cycle)s") % {"cycle": current.cycle},
        # xgettext:no-python-format — a literal percent sign, never %-formatted
        description=_("Score from 0 to 100 per governance domain, with its 90% interval and band."),
        bars=bars, value_label=_("Score (0–100)"), category_label=_("Domain"),
        cutoffs=[(band.lower, band.label) for band in parsed.bands if band.lower > 0],
        missing_label=_("Insufficient data"), chart_id=f"domain-scores-{current.assessment.pk}",
    )


def progress_chart(*, points: list[CyclePoint], government: Actor) -> Chart:
    """Each domain's score over the published cycles, one line per domain."""
    domains = points[-1].domains
    series = [
        Series(label=f"{d.code} {d.title}",
               points=[(p.cycle, next((x.score for x in p.domains if x.code == d.code), None)) for p in points])
        for d in domains
    ]
    return line_chart(
        title=_("Domain scores over the years"),
        description=_("One line per governance domain; a gap means insufficient data that year."),
        series=series, x_label=_("Cycle"), y_label=_("Score (0–100)"), chart_id=f"progress-{government.pk}",
    )


def report_links(assessment: Any) -> list[dict[str, str]]:
    """The assessment's report downloads, and its open data once published (a draft has none)."""
    links = [*REPORT_LINKS, *(OPEN_DATA_LINKS if assessment.status == "published" else ())]
    html = {"url": reverse("assessments:report", args=[assessment.pk]), "label": str(_("Assessment report (HTML)"))}
    return [html, *({"url": reverse(name, args=[assessment.pk, fmt]), "label": str(label), "download": "1"}
                   for name, fmt, label in links)]


def all_data_links() -> list[dict[str, str]]:
    """Every published domain score as one open-data file."""
    return [{"url": reverse("assessments:open_data_all_export", args=[fmt]), "label": str(label)} for fmt, label in ALL_DATA_LINKS]


def profile_context(*, actor: Actor) -> dict[str, Any] | None:
    points = selectors.progress_over_cycles(government=actor)
    if not points:
        return None
    current = points[-1]
    previous = points[-2] if len(points) > 1 else None
    parsed = selectors.framework_parsed(framework=current.assessment.framework)
    return {
        "current": current, "previous": previous, "points": points,
        "changes": selectors.score_changes(current=current, previous=previous),
        "score_chart": score_chart(current=current, parsed=parsed),
        "progress_chart": progress_chart(points=points, government=actor),
        "report_links": report_links(current.assessment),
        "all_data_links": all_data_links(),
        "position": scores.peer_position(assessment=current.assessment),
        "min_group": selectors.MIN_GROUP_SIZE,
    }


def register() -> None:
    register_profile_section("assessments/_profile_section.html", profile_context, order=10)
