"""Data for the map partial `reports/_map.html`: the one way to build its points and country values.

The dicts are plain JSON-ready data, because the partial hands them to `map.js` with `json_script`
and lists them again in its table alternative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.utils.encoding import force_str


def _number(value: Any, *, what: str) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return number


def point(
    name: str,
    url: str,
    lat: float,
    lon: float,
    value: float | None = None,
    label: str = "",
    group: str | None = None,
) -> dict[str, Any]:
    """One place on a map: drawn as a circle (area grows with `value`), coloured by `group`."""
    latitude = _number(lat, what="lat")
    longitude = _number(lon, what="lon")
    if latitude is None or not -90 <= latitude <= 90:
        raise ValueError(f"lat must be between -90 and 90, not {lat!r}")
    if longitude is None or not -180 <= longitude <= 180:
        raise ValueError(f"lon must be between -180 and 180, not {lon!r}")
    number = _number(value, what="value")
    if number is not None and number < 0:
        raise ValueError(f"value must not be negative, not {value!r}")
    return {
        "name": force_str(name),
        "url": force_str(url),
        "lat": latitude,
        "lon": longitude,
        "value": number,
        "label": force_str(label),
        "group": None if group is None else force_str(group),
    }


def country_value(iso_a2: str, value: float, label: str = "", url: str = "", name: str = "") -> dict[str, Any]:
    """One country of a choropleth, matched to the world shapes by ISO 3166 alpha-2 code."""
    code = force_str(iso_a2).strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"iso_a2 must be a two-letter country code, not {iso_a2!r}")
    number = _number(value, what="value")
    if number is None:
        raise ValueError("value is required for a country")
    return {
        "iso_a2": code,
        "value": number,
        "label": force_str(label),
        "url": force_str(url),
        "name": force_str(name) or code,
    }


def map_summary(points: Iterable[dict[str, Any]] | None, countries: Iterable[dict[str, Any]] | None) -> dict[str, Any]:
    """What the partial needs to know about its data: which table columns to show, the groups in order."""
    points = list(points or [])
    countries = list(countries or [])
    groups: list[str] = []
    for item in points:
        if item.get("group") is not None and item["group"] not in groups:
            groups.append(item["group"])
    return {
        "points": points,
        "countries": countries,
        "groups": groups,
        "has_values": any(item.get("value") is not None for item in points),
        "has_labels": any(item.get("label") for item in points),
        "country_labels": any(item.get("label") for item in countries),
        "data": {"points": points, "countries": countries, "groups": groups},
    }
