"""Dates on every page are shown in the viewer's time zone (their own choice or their government's); sign-in
from an address where many attempts failed is slowed down."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from arrival.accounts.selectors import sign_in_wait_for_address, user_time_zone
from arrival.core.http import client_address

# The views that check a password: Arrival's sign-in page, and the admin's (signed-in people can reach it).
PASSWORD_VIEWS = frozenset({"accounts:login", "admin:login"})


class TimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user_time_zone(user)))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class SignInSlowDownMiddleware:
    """Password spraying from one address is slowed down, never locked out: while the address must wait, a
    sign-in from it is answered 429 with Retry-After before any password is checked, and nothing is recorded,
    so waiting people are not counted as failing. django-axes still locks a username on one address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in PASSWORD_VIEWS:
            return None
        wait = sign_in_wait_for_address(address=client_address(request))
        if not wait:
            return None
        response = render(request, "accounts/sign_in_slowed.html", {"seconds": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
