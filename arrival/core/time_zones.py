"""Time zones: the list people choose from, and dates written with the zone they are in.

Stored times are UTC (DESIGN.md "Time"); pages and notifications show them in the viewer's zone and name it, so a
deadline read in Brussels and in Dakar means the same instant to both readers.
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format


@functools.cache
def available_time_zones() -> tuple[str, ...]:
    """Every IANA zone name ("Area/City"), sorted; the legacy aliases (e.g. "US/Eastern", "GMT+0") are left out."""
    names = [name for name in zoneinfo.available_timezones()
             if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))]
    return (*sorted(names), "UTC")


def zone_or_utc(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called `name`; UTC when it is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def datetime_with_zone(value: datetime, zone: str | None = None) -> str:
    """`value` in `zone` (the active zone when None), day, month name in the active language, year and a 24-hour
    clock, with the zone named: "7 December 2026, 09:00 (Europe/Brussels)" — never an ambiguous 7/12."""
    tz = zone_or_utc(zone) if zone else timezone.get_current_timezone()
    local = timezone.localtime(value, tz)
    return f"{date_format(local, 'j F Y, H:i')} ({getattr(tz, 'key', None) or local.tzname()})"
