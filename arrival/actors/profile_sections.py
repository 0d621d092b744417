"""Sections of an actor's profile page that later capabilities fill (assessments, practices, commitments…).

Actors sits below those apps and must not import them, so they register here from their `AppConfig.ready()`:

    register_profile_section("assessments/_profile_section.html", assessment_profile_context, order=10)

`context_fn(actor=actor)` returns the template's context, or None/{} when it has nothing about this actor —
then the section is left out, so a profile never shows an empty heading or text pretending content exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from arrival.actors.models import Actor

ContextFn = Callable[..., Mapping[str, Any] | None]


@dataclass(frozen=True)
class ProfileSection:
    template_name: str
    context_fn: ContextFn
    order: int


# Keyed by template name, so registering again (e.g. a reloaded app) replaces instead of duplicating.
_SECTIONS: dict[str, ProfileSection] = {}


def register_profile_section(template_name: str, context_fn: ContextFn, *, order: int = 100) -> None:
    """Add a section to every actor profile; lower `order` shows first."""
    if not callable(context_fn):
        raise TypeError(f"context_fn for {template_name!r} must be callable")
    _SECTIONS[template_name] = ProfileSection(template_name=template_name, context_fn=context_fn, order=order)


def registered_profile_sections() -> list[ProfileSection]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.template_name))


def profile_sections_render(*, actor: Actor, request: HttpRequest | None = None) -> list[SafeString]:
    """The HTML of each registered section that has something to say about `actor`, in order."""
    rendered = []
    for section in registered_profile_sections():
        context = section.context_fn(actor=actor)
        if not context:
            continue
        rendered.append(render_to_string(section.template_name, {**context, "actor": actor}, request=request))
    return rendered
