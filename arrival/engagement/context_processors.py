"""`notification_unread_count` and `work_count` for every page (the header shows them beside "My work" and the
inbox)."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from arrival.engagement.selectors import notification_unread_count, work_count_for_header


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notification_unread_count": 0, "work_count": 0}
    # Callables, which templates call when they read them: the count queries run only on pages that show them,
    # once each (cached), and the template gets a plain int — a plural rule such as Arabic's computes n % 100.
    return {"notification_unread_count": functools.cache(lambda: notification_unread_count(user=user)),
            "work_count": functools.cache(lambda: work_count_for_header(user=user))}
