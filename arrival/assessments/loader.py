"""The `arrival setup` step that loads every shipped indicator framework file (`frameworks/*.yaml`)."""

from __future__ import annotations

from typing import IO, Any

from arrival.assessments.domain.framework_file import FRAMEWORKS_DIR
from arrival.assessments.services import framework_load


def load_indicator_frameworks(*, stdout: IO[str] | Any | None = None, **_: Any) -> dict[str, int]:
    """Load each framework file with its indicators and their tags; idempotent (an unchanged file does nothing)."""
    loaded: dict[str, int] = {}
    for path in sorted(FRAMEWORKS_DIR.glob("*.yaml")):
        framework = framework_load(path=path)
        loaded[framework.label] = framework.indicators.count()
        if stdout is not None:
            stdout.write(f"  {framework.label}: {loaded[framework.label]} indicators (sha256 {framework.sha256[:12]})\n")
    return loaded
