"""Middleware of accounts: dates in the viewer's time zone (their own choice or their government's), sign-in
from an address where many attempts failed slowed down, and the second factor a session must pass before it
reaches anything else."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from arrival.accounts.selectors import second_factor_state, sign_in_wait_for_address, user_time_zone
from arrival.core.api import problem_payload
from arrival.core.http import client_address

# The views that check a password: Arrival's sign-in page, and the admin's (signed-in people can reach it).
PASSWORD_VIEWS = frozenset({"accounts:login", "admin:login"})

# Pages a session that still owes its second factor may open: the code step, sign-out and the language switch;
# the set-up page too, while no device is set up (with one, the code step comes first).
_ALWAYS_OPEN = {"accounts:login_otp", "accounts:logout", "set_language"}
_OPEN_UNTIL_ENROLLED = {"accounts:otp_enrol"}


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


class SecondFactorMiddleware:
    """A signed-in session that has not passed the second factor reaches nothing else when its person must use
    one (`accounts.selectors.second_factor_required`: staff, superusers, powerful roles) or has set one up:
    pages redirect to the set-up page (no device yet) or to the code step, and API calls made with the session
    answer 403. Token-authenticated API calls are left to the token (the session's user is not used for them).

    Must come after django_otp's OTPMiddleware, which tells whether the session passed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        state = second_factor_state(user)
        if not (state.required or state.enrolled):
            return self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        name = match.view_name if match is not None else ""
        if name in _ALWAYS_OPEN or (name in _OPEN_UNTIL_ENROLLED and not state.enrolled):
            return self.get_response(request)
        if request.path.startswith(reverse("api:api-root")):
            if request.headers.get("Authorization", "").startswith("Bearer "):
                request.user = AnonymousUser()  # the token alone decides who is calling
                return self.get_response(request)
            return self._api_refusal(request, enrolled=state.enrolled)
        target = reverse("accounts:login_otp" if state.enrolled else "accounts:otp_enrol")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(target)
        return redirect(target)

    @staticmethod
    def _api_refusal(request: HttpRequest, *, enrolled: bool) -> HttpResponse:
        detail = (
            _("This session has not passed the second factor yet: enter a code on the sign-in page first.")
            if enrolled
            else _("Your account must set up a second factor before it can use the API with this session: "
                   "set it up in your account first.")
        )
        payload = problem_payload(request, status=403, title="Forbidden", detail=str(detail))
        return JsonResponse(payload, status=403, content_type="application/problem+json")
