"""Small helpers shared by every app's forms."""

from __future__ import annotations

from typing import TypeVar

from django import forms

_Field = TypeVar("_Field", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's own copy of its field `name` (to set choices or a queryset per request), as the kind of field
    the form declares: `form_field(self, "kind", forms.ChoiceField).choices = …`."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field
