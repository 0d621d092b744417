"""The steps `arrival setup` runs, registered by each app in its AppConfig.ready().

Core knows no other app (DESIGN.md dependency rule); apps register what they load — reference data,
real places, demo content — with an order, and `arrival setup` runs them all. Every step is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Orders used by the apps: 100 reference data, 200 real places and networks, 900 demo content.
REFERENCE, PLACES, DEMO = 100, 200, 900


@dataclass(frozen=True)
class SetupStep:
    name: str
    order: int
    run: Callable[..., Any]
    label: str = ""


_steps: dict[str, SetupStep] = {}


def register(name: str, *, order: int, run: Callable[..., Any], label: str = "") -> None:
    _steps[name] = SetupStep(name=name, order=order, run=run, label=label)


def steps() -> list[SetupStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
