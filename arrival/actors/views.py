"""Public pages about actors: home, place search, profiles, countries, networks and the network map.

Thin views: reads come from `selectors`, maps from the reports partial (contract D). Views that htmx calls
return their `_partial` template for htmx requests and the full page otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from arrival.actors import selectors
from arrival.actors.forms import NetworkFilterForm, PlaceSearchForm, PlaceSuggestForm
from arrival.actors.models import Actor, ActorKind, Country
from arrival.actors.profile_sections import profile_sections_render
from arrival.core.http import HtmxHttpRequest

PAGE_SIZE = 50
HEAT_LEVELS = 5


def _page_or_partial(request: HtmxHttpRequest, page: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, partial if request.htmx else page, context)


def _actor_or_404(slug: str) -> Actor:
    try:
        return selectors.actor_get(slug=slug)
    except Actor.DoesNotExist:
        raise Http404(_("No actor with this address.")) from None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "counts": selectors.actor_counts(),
        "points": selectors.places_with_records(),
        "demo_memberships": selectors.membership_demo_exists(),
    }
    return render(request, "actors/home.html", context)


@require_safe
def place_search(request: HtmxHttpRequest) -> HttpResponse:
    form = PlaceSearchForm(request.GET or None)
    page_obj = None
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
        country = form.cleaned_data["country"] or None
        if q or country:
            places = selectors.local_government_list(q=q, country=country)
            page_obj = Paginator(places, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page_obj}
    return _page_or_partial(request, "actors/place_search.html", "actors/_place_results.html", context)


@require_safe
def place_suggest(request: HttpRequest) -> HttpResponse:
    """Autocomplete: up to ten governments whose names start with what was typed (always a partial)."""
    form = PlaceSuggestForm(request.GET)
    places: list[Actor] = []
    if form.is_valid():
        places = selectors.place_search(
            q=form.cleaned_data["q"], country=form.cleaned_data["country"] or None
        )
    return render(
        request, "actors/_place_suggestions.html", {"places": places, "q": request.GET.get("q", "")}
    )


@require_safe
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _actor_or_404(slug)
    if actor.kind == ActorKind.NETWORK:
        return redirect("actors:network_detail", slug=actor.slug)
    memberships = list(selectors.actor_memberships(actor=actor))
    context = {
        "actor": actor,
        "local": actor.local
        if actor.kind == ActorKind.LOCAL_GOVERNMENT and hasattr(actor, "local")
        else None,
        "organisation": getattr(actor, "organisation", None)
        if actor.kind == ActorKind.ORGANISATION
        else None,
        "memberships": memberships,
        "any_demo": any(membership.is_demo for membership in memberships),
        "points": selectors.actor_points(actors=[actor]),
        "sections": profile_sections_render(actor=actor, request=request),
    }
    return render(request, "actors/actor_detail.html", context)


@require_safe
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        country = selectors.country_get(code=code)
    except Country.DoesNotExist:
        raise Http404(_("No country with this code.")) from None
    overview = selectors.country_overview(country=country)
    context = {
        "country": country,
        **overview,
        "demo_memberships": bool(overview["networks"]) and selectors.membership_demo_exists(),
    }
    return render(request, "actors/country_detail.html", context)


@require_safe
def network_list(request: HttpRequest) -> HttpResponse:
    networks = list(selectors.network_list())
    # The name of the page's language when some of the networks' facts are shown in Arrival's translation.
    facts_translation = next((name for network in networks if hasattr(network, "network")
                              and (name := network.network.page_language_translation)), "")
    context = {"networks": networks, "demo_memberships": selectors.membership_demo_exists(),
               "facts_translation": facts_translation}
    return render(request, "actors/network_list.html", context)


@require_safe
def network_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    network = _actor_or_404(slug)
    if network.kind != ActorKind.NETWORK:
        raise Http404(_("No network with this address."))
    members = selectors.network_members(network=network)
    page_obj = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "network": network,
        "details": getattr(network, "network", None),
        "page_obj": page_obj,
        "any_demo": any(membership.is_demo for membership in page_obj),
    }
    if request.htmx:
        return render(request, "actors/_network_members.html", context)
    context["relations"] = selectors.network_relations(network=network)
    context["secretariat_place"] = selectors.network_secretariat_place(details=context["details"])
    context["points"] = selectors.actor_points(actors=(membership.member for membership in members))
    return render(request, "actors/network_detail.html", context)


def _heat_class(value: int, top: int) -> str:
    """Bucket a shared-member count into heat-0 (none) … heat-5 (the largest overlap on the page)."""
    if value <= 0 or top <= 0:
        return "heat-0"
    return f"heat-{min(HEAT_LEVELS, 1 + (HEAT_LEVELS - 1) * value // top)}"


def _overlap_rows(networks: list[Actor], matrix: list[list[int]]) -> list[dict[str, Any]]:
    off_diagonal = [value for i, row in enumerate(matrix) for j, value in enumerate(row) if i != j]
    top = max(off_diagonal, default=0)
    rows = []
    for i, network in enumerate(networks):
        cells = [
            {
                "value": value,
                "diagonal": i == j,
                "heat": "" if i == j else _heat_class(value, top),
                "other": networks[j],
            }
            for j, value in enumerate(matrix[i])
        ]
        rows.append({"index": i + 1, "network": network, "cells": cells})
    return rows


def _bridging_points(bridging: list[selectors.BridgingMember]) -> list[dict[str, Any]]:
    """Map points for bridging governments: sized and coloured by how many networks each belongs to."""
    count_by_url = {
        reverse("actors:actor_detail", kwargs={"slug": item["actor"].slug}): len(item["networks"])
        for item in bridging
    }
    points = []
    for point in selectors.actor_points(actors=(item["actor"] for item in bridging)):
        count = count_by_url.get(point["url"], 0)
        label = ngettext("in %(count)d network", "in %(count)d networks", count) % {"count": count}
        points.append({**point, "value": count, "label": label, "group": label})
    return points


@require_safe
def network_map(request: HtmxHttpRequest) -> HttpResponse:
    overlap = selectors.network_overlap()
    networks = overlap["networks"]
    form = NetworkFilterForm(request.GET or None, networks=networks)
    selected = None
    if form.is_bound and form.is_valid() and form.cleaned_data["network"]:
        selected = form.networks_by_slug[form.cleaned_data["network"]]
    context: dict[str, Any] = {
        "form": form,
        "selected": selected,
        "demo_memberships": selectors.membership_demo_exists(),
    }
    if selected is not None:
        members = list(selectors.network_members(network=selected))
        context["members"] = members
        context["points"] = selectors.actor_points(actors=(membership.member for membership in members))
    else:
        bridging = selectors.bridging_members()
        context["bridging"] = bridging
        context["points"] = _bridging_points(bridging)
    if request.htmx:
        return render(request, "actors/_network_map_results.html", context)
    context["overlap_rows"] = _overlap_rows(networks, overlap["matrix"])
    context["networks"] = networks
    return render(request, "actors/network_map.html", context)
