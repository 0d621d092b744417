"""Invariants of declaration input (hypothesis): "not provided" is capacity 0, "no limit" carries no number (no
constraint), the rest always carry a finite number."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from arrival.planning.models import SERVICE_KEYS
from arrival.planning.services import _declaration_values

values = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10_000),
                   st.sampled_from(["", "12", "3,5", "x"]))
states = st.sampled_from(["provided", "partial", "not_provided", "no_limit", "maybe"])


@given(st.dictionaries(st.sampled_from(SERVICE_KEYS), st.tuples(values, states), max_size=len(SERVICE_KEYS)))
def test_declared_values_are_clean_or_refused(capacities):
    try:
        clean, _labour = _declaration_values(capacities, {})
    except ValidationError:
        return
    for value, state in clean.values():
        assert state in {"provided", "partial", "not_provided", "no_limit"}
        if state == "not_provided":
            assert value == 0
        elif state == "no_limit":
            assert value is None
        else:
            assert value is not None and value >= 0 and value == value and value != float("inf")
    assert set(clean) == set(capacities)
