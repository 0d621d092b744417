"""`notification_unread_count` and `work_count` for every page (the header shows them beside "My work" and the
inbox)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from arrival.engagement.selectors import notification_unread_count, work_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notification_unread_count": 0, "work_count": 0}
    # Lazy: the count queries run only on pages whose template shows them.
    return {"notification_unread_count": SimpleLazyObject(lambda: notification_unread_count(user=user)),
            "work_count": SimpleLazyObject(lambda: work_count(user=user))}
