"""Object-level permission checks for services.

The rules themselves live in `arrival/accounts/rules.py` (named predicates `<app>.<verb>_<model>`,
registered with django-rules); apps below accounts check them through Django's `has_perm`, so they
never import accounts (DESIGN.md dependency rule).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


def require(user: Any, perm: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `user` holds `perm` on `obj`."""
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(f"You do not have the permission {perm!r} for this record.")
