"""`notification_unread_count` for every page (the header shows it next to the inbox link)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from arrival.engagement.selectors import notification_unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notification_unread_count": 0}
    # Lazy: the count query runs only on pages whose template shows it.
    return {"notification_unread_count": SimpleLazyObject(lambda: notification_unread_count(user=user))}
