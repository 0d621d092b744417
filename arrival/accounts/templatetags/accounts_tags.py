from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta) -> int:
    """Whole minutes of a duration, rounded up (a wait of 14.5 minutes reads as 15)."""
    return -int(-value.total_seconds() // 60)
