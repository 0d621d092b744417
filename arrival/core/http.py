"""What a request carries on this site, for type checking: the middleware in config/settings.py adds
`request.htmx` (django-htmx) to every request. Views that read it take an `HtmxHttpRequest`; views behind
sign-in take accounts' `AuthenticatedHttpRequest`, whose `user` is a real account.

And where a request comes from: `client_address`, the one reading of the client's address that sign-in
throttling and API rate limits share (docs/operations.md, "Running behind a proxy").
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _valid_address(candidate: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((candidate or "").strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from: the connection's (REMOTE_ADDR), unless ARRIVAL_TRUSTED_PROXY_HEADER
    names the header the deployment's own proxy sets. Then the address is the entry of that header that the
    outermost of ARRIVAL_TRUSTED_PROXY_COUNT proxies added (each proxy appends on the right; whatever the
    client wrote is further left and never read). Without the setting no header is believed, as any client
    can send one."""
    connection = _valid_address(request.META.get("REMOTE_ADDR"))
    header = settings.ARRIVAL_TRUSTED_PROXY_HEADER
    if not header:
        return connection
    value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    entries = [entry for entry in value.split(",") if entry.strip()]
    proxies = settings.ARRIVAL_TRUSTED_PROXY_COUNT
    if len(entries) < proxies:
        return connection  # the request did not come through every proxy
    return _valid_address(entries[-proxies]) or connection
