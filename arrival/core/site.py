"""The one public address of this Arrival (setting ARRIVAL_SITE_URL): every link that leaves the page — in an
e-mail, a notification digest, an invitation to pass on, a guest's return link, a document's source — starts with
it, never with whatever host name a request happened to use."""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings


def site_url() -> str:
    """The public address, ending with "/"."""
    return settings.ARRIVAL_SITE_URL.rstrip("/") + "/"


def absolute_url(path: str) -> str:
    """`path` on this site as an absolute address ("" stays "")."""
    return urljoin(site_url(), path) if path else ""
