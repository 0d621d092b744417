"""The range of dates Arrival accepts anywhere a person types one (phases, milestones, rounds, API years): a date
outside it is a typing slip (0202 for 2022) or an attack on date arithmetic, never a real plan."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

YEAR_MIN, YEAR_MAX = 1900, 2200


def date_in_range_check(value: dt.date | dt.datetime | None, *, label: str) -> None:
    """Refuse a date (or a date and time) before 1 January YEAR_MIN or after 31 December YEAR_MAX; `label` names
    the field in the message."""
    if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValidationError(
            _("%(field)s must be between %(first)s and %(last)s; %(date)s is outside.")
            % {"field": label, "first": f"{YEAR_MIN}-01-01", "last": f"{YEAR_MAX}-12-31",
               "date": value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()},
            code="date_range",
        )
