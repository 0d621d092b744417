"""The request of a signed-in person, for type checking views behind `login_required` (or a decorator that
wraps it): `request.user` is then an account, never AnonymousUser."""

from __future__ import annotations

from arrival.accounts.models import User
from arrival.core.http import HtmxHttpRequest


class AuthenticatedHttpRequest(HtmxHttpRequest):
    user: User  # narrows HttpRequest's `User | AnonymousUser` to what sign-in guarantees
