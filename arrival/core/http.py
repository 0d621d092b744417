"""What a request carries on this site, for type checking: the middleware in config/settings.py adds
`request.htmx` (django-htmx) to every request. Views that read it take an `HtmxHttpRequest`; views behind
sign-in take accounts' `AuthenticatedHttpRequest`, whose `user` is a real account."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
