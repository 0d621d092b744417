from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from arrival.actors import selectors
from arrival.actors.models import Actor
from arrival.core.forms import NameSelect, form_field

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

COUNTRY_CHOICES_CACHE_KEY = "actors:place-search-countries"
COUNTRY_CHOICES_TIMEOUT = 60 * 60  # countries gain or lose places only when places are loaded


def _countries_with_places() -> list[str]:
    countries = selectors.country_list().filter(local_government_count__gt=0)
    return [country.code for country in countries]


def _country_choices() -> list[tuple[str, StrOrPromise]]:
    # Counting places per country reads every local government: cached, as the search page shows it each time.
    # The cache holds codes only; names come in the viewer's language (CLDR) and sort in it.
    cached = cache.get_or_set(COUNTRY_CHOICES_CACHE_KEY, _countries_with_places, COUNTRY_CHOICES_TIMEOUT) or []
    codes = [entry[0] if isinstance(entry, (list, tuple)) else entry for entry in cached]  # older caches held pairs
    countries = selectors.country_names(codes=codes)
    return [("", _("All countries")), *countries]


class PlaceSearchForm(forms.Form):
    q = forms.CharField(label=_("Place name"), max_length=100, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "country", forms.ChoiceField).choices = _country_choices()


class PlaceSuggestForm(forms.Form):
    """Autocomplete input: validated without loading the country list, as it runs on every keystroke."""

    q = forms.CharField(max_length=100, required=False)
    country = forms.RegexField(regex=r"^[A-Za-z]{2}$", required=False)


class NetworkFilterForm(forms.Form):
    """Pick one network on the network map; the choices are the networks that have members."""

    network = forms.ChoiceField(label=_("Show the members of"), required=False, widget=NameSelect)

    def __init__(self, *args: Any, networks: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.networks_by_slug = {network.slug: network for network in networks}
        cast(NameSelect, self.fields["network"].widget).records = self.networks_by_slug
        form_field(self, "network", forms.ChoiceField).choices = [
            ("", _("All networks")),
            *((n.slug, n.name) for n in networks),
        ]
