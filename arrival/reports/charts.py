"""Server-side SVG charts with their data tables: no JavaScript, no network, nothing inline that CSP refuses.

Each builder computes the geometry here and renders a template under `reports/charts/`; it returns a
`Chart` holding the SVG and the same data as a `ChartTable`. A page shows both with::

    {% include "reports/_chart.html" with chart=chart %}

and a document (PDF, DOCX, Markdown) can use `chart.svg` and `chart.table`. Colours come from the
Okabe-Ito palette, which people with the common colour-vision deficiencies can tell apart, and never carry
meaning alone: series also differ by marker shape and dash pattern and are labelled at their line ends,
and bars print their value and band as text. Only SVG presentation attributes are used (no `style`).

On a right-to-left page (Arabic) a chart is the mirror image of the left-to-right one: the category labels and
the value axis on the right, bars growing leftwards, years running from right to left, and `direction="rtl"` on
the SVG, so text anchors and the order of mixed text ("متوسط · 45.5") follow the page. Every label is the
caller's translated text or a gettext string here; numbers are written in the active locale's format.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.template.loader import render_to_string
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

# Okabe & Ito (2008), ordered so that neighbours differ most; yellow is left out (too light on white).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4")
MARKERS = ("circle", "square", "triangle", "diamond", "circle-open", "square-open", "triangle-open")
# Band fills from low to high: vermillion, orange, sky blue, blue; every bar also has a dark outline.
BAND_FILLS = ("#D55E00", "#E69F00", "#56B4E9", "#0072B2")
INK = "#1b1f24"
MUTED = "#4a5360"
GRID = "#d5dae1"


@dataclass(frozen=True)
class ChartTable:
    """The chart's data as a table: `columns` are header labels; the first cell of each row is a row header."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    svg: SafeString
    table: ChartTable

    def __html__(self) -> str:
        return render_to_string("reports/_chart.html", {"chart": self})

    def __str__(self) -> str:
        return self.__html__()


@dataclass(frozen=True)
class Series:
    """One line of a line chart: `points` maps x (e.g. a year) to y, None where there is no value."""

    label: str
    points: Sequence[tuple[float, float | None]]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no bar, the row says `missing_label`
    low: float | None = None  # optional interval (whisker)
    high: float | None = None
    band: int | None = None  # index into the bands, colours the bar
    band_label: str = ""


@dataclass(frozen=True)
class Group:
    label: str
    values: Sequence[float] = field(default_factory=tuple)


def fmt(value: float | None, decimals: int = 1) -> str:
    """A number in the active locale's format, trailing zeros kept off; empty for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = round(float(value), decimals)
    if rounded == int(rounded):
        return number_format(int(rounded))
    return number_format(rounded, decimal_pos=decimals)


def _chart_id(kind: str, title: str, data: Any, chart_id: str | None) -> str:
    if chart_id:
        return chart_id
    digest = hashlib.sha256(repr((kind, title, data)).encode()).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _rtl(rtl: bool | None) -> bool:
    """Whether a chart is drawn for a right-to-left page (the active language's direction when None)."""
    return get_language_bidi() if rtl is None else rtl


def _mirrored(items: list[Any], keys: Sequence[str], width: float) -> None:
    """Mirror the x coordinates `keys` of every dict in `items` in place (x → width − x)."""
    for item in items:
        for key in keys:
            if key in item:
                item[key] = width - item[key]


def _anchors(rtl: bool) -> dict[str, str]:
    """The text anchors a template writes as `start` and `end`: swapped in a mirrored chart. Every chart says
    `direction="ltr"`, so that the page's direction does not swap them a second time in a browser."""
    return {"start": "end", "end": "start"} if rtl else {"start": "start", "end": "end"}


def _joined(parts: Sequence[str], rtl: bool) -> str:
    """Parts of a label ("45.5", "Meets") joined with a middle dot, in reading order: from the right in a
    mirrored chart, so the number stays next to its bar (SVG text is set left to right in PDFs)."""
    return " · ".join(reversed(parts) if rtl else parts)


def _counted(label: str, count: int, rtl: bool) -> str:
    count_text = f"(n={number_format(count)})"
    return f"{count_text} {label}" if rtl else f"{label} {count_text}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _marker(shape: str, x: float, y: float, colour: str) -> dict[str, Any]:
    """A marker as one SVG element: circles as <circle>, other shapes as <polygon> points."""
    r = 4.0
    filled = not shape.endswith("-open")
    base = shape.removesuffix("-open")
    if base == "circle":
        return {"kind": "circle", "cx": x, "cy": y, "r": r, "fill": colour if filled else "#ffffff", "stroke": colour}
    if base == "square":
        corners = [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    elif base == "triangle":
        corners = [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.9), (x - r * 1.1, y + r * 0.9)]
    else:  # diamond
        corners = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    return {
        "kind": "polygon",
        "points": " ".join(f"{px:.1f},{py:.1f}" for px, py in corners),
        "fill": colour if filled else "#ffffff",
        "stroke": colour,
    }


def _mirror_path(path: str, width: float) -> str:
    """An SVG path of M/L commands with absolute "x,y" pairs, mirrored (x → width − x)."""
    out = []
    for command in path.split(" "):
        x, y = command[1:].split(",")
        out.append(f"{command[0]}{width - float(x):.1f},{y}")
    return " ".join(out)


def _mirror_marker(marker: dict[str, Any], width: float) -> dict[str, Any]:
    if marker["kind"] == "circle":
        return {**marker, "cx": width - marker["cx"]}
    points = []
    for pair in marker["points"].split(" "):
        x, y = pair.split(",")
        points.append(f"{width - float(x):.1f},{y}")
    return {**marker, "points": " ".join(points)}


class _EndLabel(TypedDict):
    """A series' name at its last point, in a line chart."""

    x: float
    y: float
    label: str
    colour: str
    full: str


def line_chart(
    *,
    title: str,
    description: str,
    series: Iterable[Series],
    x_label: str,
    y_label: str,
    y_min: float = 0,
    y_max: float = 100,
    chart_id: str | None = None,
    x_format: Callable[[float], str] | None = None,
    rtl: bool | None = None,
) -> Chart:
    """Several series over x values (years): one line each, with markers and a label at its last point.

    `x_format` writes an x value for the axis and the table when x is not a year (e.g. a day's ordinal).
    `rtl`: mirrored for a right-to-left page (default: the active language's direction).
    """
    rtl = _rtl(rtl)
    series = [Series(force_str(s.label), [(float(x), None if y is None else float(y)) for x, y in s.points])
              for s in series]
    title, description = force_str(title), force_str(description)
    xs = sorted({x for s in series for x, _y in s.points})
    width, height = 640, 320
    left, right, top, bottom = 56, 170, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        if len(xs) < 2:
            return left + plot_w / 2
        return left + (x - xs[0]) / (xs[-1] - xs[0]) * plot_w

    def sy(y: float) -> float:
        clamped = min(max(y, y_min), y_max)
        return top + plot_h - (clamped - y_min) / (y_max - y_min) * plot_h

    y_ticks = [{"y": sy(t), "label": fmt(t)} for t in _ticks(y_min, y_max) if y_min <= t <= y_max]
    # Whole x values are years: printed plainly, never with a thousands separator.
    x_labels = [x_format(x) if x_format else str(int(x)) if float(x).is_integer() else fmt(x) for x in xs]
    # The axis prints a label only where it does not run into the previous one; the table keeps every x.
    x_ticks = []
    shown_until = -math.inf
    for x, x_text in zip(xs, x_labels, strict=True):
        half = len(x_text) * 3.5 + 4
        fits = sx(x) - half >= shown_until
        x_ticks.append({"x": sx(x), "label": x_text, "axis": x_text if fits else ""})
        if fits:
            shown_until = sx(x) + half
    lines: list[dict[str, Any]] = []
    end_labels: list[_EndLabel] = []
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        # A missing value breaks the line rather than drawing through a year with no data.
        segments: list[list[tuple[float, float]]] = [[]]
        markers = []
        for x, y in sorted(item.points):
            if y is None:
                segments.append([])
                continue
            segments[-1].append((sx(x), sy(y)))
            markers.append(_marker(MARKERS[index % len(MARKERS)], sx(x), sy(y), colour))
        paths = [" ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(seg))
                 for seg in segments if len(seg) > 1]
        lines.append({"label": item.label, "colour": colour, "dash": DASHES[index % len(DASHES)],
                      "paths": paths, "markers": markers})
        last = [(x, y) for x, y in sorted(item.points) if y is not None]
        if last:
            end_labels.append({"y": sy(last[-1][1]), "x": sx(last[-1][0]) + 10, "label": _truncate(item.label, 24),
                               "colour": colour, "full": item.label})
    # Spread end labels that would overlap (at least 13 px apart, kept inside the plot).
    end_labels.sort(key=lambda item: item["y"])
    for previous, current in zip(end_labels, end_labels[1:], strict=False):
        current["y"] = max(current["y"], previous["y"] + 13)
    for label in end_labels:
        label["x"] = left + plot_w + 10
    frame: dict[str, float] = {"left": left, "right_edge": left + plot_w, "mid_x": left + plot_w / 2, "tick_label_x": left - 6,
             "y_label_x": 14}
    if rtl:
        _mirrored([*x_ticks, *end_labels], ["x"], width)
        _mirrored([frame], list(frame), width)
        for line in lines:
            line["paths"] = [_mirror_path(path, width) for path in line["paths"]]
            line["markers"] = [_mirror_marker(marker, width) for marker in line["markers"]]
    cid = _chart_id("line", title, [(s.label, list(s.points)) for s in series], chart_id)
    svg = render_to_string("reports/charts/line.svg", {
        "id": cid, "title": title, "description": description, "width": width, "height": height, "rtl": rtl,
        **_anchors(rtl),
        **frame, "top": top, "bottom_edge": top + plot_h,
        "mid_y": top + plot_h / 2, "x_label": force_str(x_label),
        "y_label": force_str(y_label), "y_ticks": y_ticks, "x_ticks": x_ticks, "lines": lines,
        "end_labels": end_labels, "axis_y": height - 12,
    })
    table = ChartTable(
        caption=title,
        columns=(force_str(x_label), *(s.label for s in series)),
        rows=tuple(
            (x_text, *(fmt(dict(s.points).get(x)) or "–" for s in series))
            for x, x_text in zip(xs, x_labels, strict=True)
        ),
    )
    return Chart(chart_id=cid, title=title, description=description, svg=mark_safe(svg.strip()), table=table)  # noqa: S308 - rendered by an autoescaping template


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Iterable[Bar],
    value_label: str,
    category_label: str,
    value_max: float = 100,
    cutoffs: Sequence[tuple[float, str]] = (),
    missing_label: str | None = None,
    chart_id: str | None = None,
    rtl: bool | None = None,
) -> Chart:
    """Horizontal bars with optional interval whiskers, band colours and dashed cut-off lines.

    `cutoffs` are (value, label) pairs drawn as vertical lines, e.g. the band lower bounds. `rtl`: mirrored
    for a right-to-left page, bars growing leftwards (default: the active language's direction).
    """
    rtl = _rtl(rtl)
    bars = list(bars)
    title, description = force_str(title), force_str(description)
    missing = force_str(missing_label) if missing_label is not None else _("no value")
    row_h, label_w = 30, 190
    width = 640
    left, right, top = label_w + 8, 150, 28
    plot_w = width - left - right
    height = top + row_h * max(len(bars), 1) + 48

    def sx(value: float) -> float:
        return left + min(max(value, 0), value_max) / value_max * plot_w

    rows: list[dict[str, Any]] = []
    for index, bar in enumerate(bars):
        y = top + index * row_h
        band = bar.band if bar.band is not None else None
        fill = BAND_FILLS[band % len(BAND_FILLS)] if band is not None else PALETTE[0]
        text_parts = [fmt(bar.value)] if bar.value is not None else [missing]
        if bar.band_label and bar.value is not None:
            text_parts.append(force_str(bar.band_label))
        interval = (bar.low, bar.high) if bar.low is not None and bar.high is not None else None
        rows.append({
            "label": _truncate(force_str(bar.label), 26), "full": force_str(bar.label),
            "y": y, "mid": y + row_h / 2, "bar_y": y + 6, "bar_h": row_h - 12,
            "has_value": bar.value is not None, "bar_w": max(sx(bar.value) - left, 0.5) if bar.value is not None else 0,
            "bar_x": left,
            "fill": fill, "interval": interval is not None,
            "low_x": sx(interval[0]) if interval else 0, "high_x": sx(interval[1]) if interval else 0,
            "cap_top": y + 8, "cap_bottom": y + row_h - 8,
            "text": _joined(text_parts, rtl),
            "text_x": max(sx(bar.value) if bar.value is not None else left, sx(interval[1]) if interval else left) + 6,
        })
    bottom_edge = top + row_h * max(len(bars), 1)
    ticks = [{"x": sx(t), "label": fmt(t)} for t in _ticks(0, value_max) if t <= value_max]
    cuts = [{"x": sx(v), "label": _truncate(force_str(label), 22)} for v, label in cutoffs if 0 < v < value_max]
    frame: dict[str, float] = {"left": left, "label_x": label_w, "mid_x": left + plot_w / 2}
    if rtl:
        for drawn in rows:
            drawn["bar_x"] = width - left - drawn["bar_w"]
        _mirrored(rows, ["low_x", "high_x", "text_x"], width)
        _mirrored([*ticks, *cuts], ["x"], width)
        _mirrored([frame], list(frame), width)
    cid = _chart_id("bar", title, [(b.label, b.value, b.low, b.high, b.band) for b in bars], chart_id)
    svg = render_to_string("reports/charts/bar.svg", {
        "id": cid, "title": title, "description": description, "width": width, "height": height, "rtl": rtl,
        **_anchors(rtl),
        **frame, "top": top, "bottom_edge": bottom_edge,
        "rows": rows, "ticks": ticks, "cutoffs": cuts, "value_label": force_str(value_label),
        "axis_y": bottom_edge + 40, "tick_y": bottom_edge + 16,
        "category_label": force_str(category_label), "ink": INK, "muted": MUTED, "grid": GRID,
    })
    has_interval = any(b.low is not None and b.high is not None for b in bars)
    has_band = any(b.band_label for b in bars)
    columns = [force_str(category_label), force_str(value_label)]
    if has_interval:
        # xgettext:no-python-format — a literal percent sign, never %-formatted
        columns.append(_("90% interval"))
    if has_band:
        columns.append(_("Band"))
    table_rows = []
    for bar in bars:
        row = [force_str(bar.label), fmt(bar.value) if bar.value is not None else missing]
        if has_interval:
            row.append(f"{fmt(bar.low)}–{fmt(bar.high)}" if bar.low is not None and bar.high is not None else "–")
        if has_band:
            row.append(force_str(bar.band_label) if bar.value is not None else "–")
        table_rows.append(tuple(row))
    table = ChartTable(caption=title, columns=tuple(columns), rows=tuple(table_rows))
    return Chart(chart_id=cid, title=title, description=description, svg=mark_safe(svg.strip()), table=table)  # noqa: S308 - rendered by an autoescaping template


def _five_numbers(values: Sequence[float]) -> tuple[float, float, float, float, float]:
    ordered = sorted(values)
    if len(ordered) == 1:
        only = ordered[0]
        return only, only, only, only, only
    q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return ordered[0], q1, median, q3, ordered[-1]


def distribution_chart(
    *,
    title: str,
    description: str,
    groups: Iterable[Group],
    value_label: str,
    group_label: str,
    value_max: float = 100,
    chart_id: str | None = None,
    rtl: bool | None = None,
) -> Chart:
    """One row per group: a box from the lower to the upper quartile, the median, a whisker from the lowest
    to the highest value, and every value as a dot (spread vertically in a fixed pattern, not at random).
    `rtl`: mirrored for a right-to-left page (default: the active language's direction)."""
    rtl = _rtl(rtl)
    groups = [Group(force_str(g.label), [float(v) for v in g.values if v is not None]) for g in groups]
    title, description = force_str(title), force_str(description)
    row_h, label_w = 40, 190
    width = 640
    left, right, top = label_w + 8, 40, 16
    plot_w = width - left - right
    bottom_edge = top + row_h * max(len(groups), 1)
    height = bottom_edge + 48

    def sx(value: float) -> float:
        return left + min(max(value, 0), value_max) / value_max * plot_w

    rows: list[dict[str, Any]] = []
    table_rows = []
    for index, group in enumerate(groups):
        y = top + index * row_h
        mid = y + row_h / 2
        colour = PALETTE[index % len(PALETTE)]
        if group.values:
            low, q1, median, q3, high = _five_numbers(group.values)
            dots = [{"x": sx(v), "y": mid + ((i % 5) - 2) * 3.5} for i, v in enumerate(sorted(group.values))]
            rows.append({
                "label": _truncate(group.label, 18), "full": group.label, "mid": y + row_h / 2, "colour": colour,
                "count": _counted(_truncate(group.label, 18), len(group.values), rtl),
                "has_values": True, "low_x": sx(low), "high_x": sx(high), "q1_x": sx(q1), "q3_x": sx(q3),
                "box_w": max(sx(q3) - sx(q1), 1), "median_x": sx(median), "box_y": y + 8, "box_h": row_h - 16,
                "box_bottom": y + row_h - 8, "dots": dots, "n": len(group.values),
            })
            table_rows.append((group.label, str(len(group.values)), fmt(low), fmt(q1), fmt(median), fmt(q3), fmt(high)))
        else:
            rows.append({"label": _truncate(group.label, 18), "full": group.label, "mid": mid, "has_values": False, "n": 0,
                         "count": _counted(_truncate(group.label, 18), 0, rtl),
                         "none_x": left + 6})
            table_rows.append((group.label, "0", "–", "–", "–", "–", "–"))
    ticks = [{"x": sx(t), "label": fmt(t)} for t in _ticks(0, value_max) if t <= value_max]
    frame: dict[str, float] = {"left": left, "label_x": label_w, "mid_x": left + plot_w / 2}
    for row in rows:
        if row["has_values"]:
            row["box_x"] = row["q1_x"]
    if rtl:
        for row in rows:
            if row["has_values"]:
                row["box_x"] = width - row["q3_x"]
                row["dots"] = [{**dot, "x": width - dot["x"]} for dot in row["dots"]]
        _mirrored(rows, ["low_x", "high_x", "q1_x", "q3_x", "median_x", "none_x"], width)
        _mirrored(ticks, ["x"], width)
        _mirrored([frame], list(frame), width)
    cid = _chart_id("dist", title, [(g.label, list(g.values)) for g in groups], chart_id)
    svg = render_to_string("reports/charts/distribution.svg", {
        "id": cid, "title": title, "description": description, "width": width, "height": height, "rtl": rtl,
        **_anchors(rtl),
        **frame, "top": top, "bottom_edge": bottom_edge,
        "rows": rows, "ticks": ticks, "value_label": force_str(value_label),
        "axis_y": bottom_edge + 40, "tick_y": bottom_edge + 16, "none_label": _("no values"),
        "category_label": force_str(group_label),
        "ink": INK, "muted": MUTED, "grid": GRID,
    })
    table = ChartTable(
        caption=title,
        columns=(force_str(group_label), _("Count"), _("Lowest"), _("Lower quartile"), _("Median"),
                 _("Upper quartile"), _("Highest")),
        rows=tuple(table_rows),
    )
    return Chart(chart_id=cid, title=title, description=description, svg=mark_safe(svg.strip()), table=table)  # noqa: S308 - rendered by an autoescaping template
