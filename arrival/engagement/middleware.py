"""After a signed-in person changes something, the "My work" count in their header is counted afresh."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from arrival.engagement.selectors import work_count_forget

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class WorkCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method not in SAFE_METHODS and user is not None and user.is_authenticated:
            work_count_forget(user_ids=[user.pk])
        return response
