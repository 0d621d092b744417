"""Accounts' schedule, run by `arrival worker` (arrival.core.jobs)."""

from __future__ import annotations

from arrival.accounts.selectors import SIGN_IN_PRUNE_EVERY
from arrival.accounts.services import sign_in_records_prune
from arrival.core.jobs import Progress, periodic


@periodic("accounts.prune_sign_in_records", every=SIGN_IN_PRUNE_EVERY)
def prune_sign_in_records(progress: Progress | None) -> dict[str, int]:
    """Delete failed sign-in attempts once the lockout no longer counts them (after the cool-off)."""
    return sign_in_records_prune()
