"""Traceability both ways: every adopted paragraph cites its contributions (or is editorial), and every
contribution knows the paragraphs it became — whatever rewrites happen between synthesis and adoption."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrival.accounts.models import RoleKind
from arrival.consultations import selectors, services
from tests.consultations.factories import (
    ADOPTION,
    COMMENTS,
    SYNTHESIS,
    at,
    city,
    consultation,
    contribute,
    person,
)


def test_adopted_paragraphs_and_contributions_point_at_each_other() -> None:
    cons = consultation()
    towns = [city(f"Town {i}") for i in range(3)]
    contributions = [contribute(cons, t, person(t), gcm=code) for t, code in zip(towns, ["1", "15", "15"], strict=True)]
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    with at(ADOPTION):
        services.document_adopt(user=staff, document=version.document, version=version)
    paragraphs = selectors.document_adopted_paragraphs(document=version.document)
    assert paragraphs and all(p.sources.all() for p in paragraphs)
    for contribution in contributions:
        [entry] = selectors.contribution_destinations(contribution=contribution)
        numbers = [p.position for p in entry["paragraphs"]]
        assert numbers and all(contribution in p.sources.all() for p in entry["paragraphs"])
    assert [p.position for p in selectors.contribution_destinations(contribution=contributions[1])[0]["paragraphs"]] == [2]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(drops=st.lists(st.booleans(), min_size=2, max_size=2), extra=st.booleans())
def test_whatever_editors_keep_adoption_only_freezes_traced_versions(drops: list[bool], extra: bool) -> None:
    cons = consultation()
    a, b = city("A"), city("B")
    contribute(cons, a, person(a), gcm="15")
    contribute(cons, b, person(b), gcm="16")
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        v1 = services.outcome_draft_compile(user=staff, consultation=cons)
    edits = [services.ParagraphEdit(key=p.key, text=p.text + " (edited)")
             for p, drop in zip(v1.paragraphs.order_by("position"), drops, strict=True) if not drop]
    if extra or not edits:
        edits.append(services.ParagraphEdit(text="An editors' note.", editorial=extra))
    with at(COMMENTS):
        v2 = services.document_version_create(user=staff, document=v1.document, paragraphs=edits)
    with at(ADOPTION):
        try:
            services.document_adopt(user=staff, document=v1.document, version=v2)
        except ValidationError:  # refused: the version has a paragraph without source
            v2.refresh_from_db()
            assert v2.frozen_at is None
            assert any(not p.editorial and not p.sources.exists() for p in v2.paragraphs.all())
            return
    for paragraph in v2.paragraphs.all():
        assert paragraph.editorial or paragraph.sources.exists()
