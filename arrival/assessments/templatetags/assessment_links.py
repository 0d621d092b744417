"""`{% load assessment_links %}{% evidence_links answer as rows %}`: records later apps link to an answer."""

from __future__ import annotations

from typing import Any

from django import template

from arrival.assessments.evidence_links import evidence_links as _evidence_links

register = template.Library()


@register.simple_tag
def evidence_links(answer: Any) -> list[tuple[str, str]]:
    return _evidence_links(answer)
