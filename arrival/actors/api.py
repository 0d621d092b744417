"""API of actors: countries, local governments, networks and their members; membership writes."""

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from arrival.actors import selectors, services
from arrival.actors.models import Actor, ActorKind, Membership
from arrival.actors.schemas import (
    CountryOut,
    LocalGovernmentDetailOut,
    LocalGovernmentOut,
    MembershipEndIn,
    MembershipIn,
    MembershipOut,
    NetworkDetailOut,
    NetworkOut,
)
from arrival.core.api import PageNumberWithTotal, RecordId, write_auth

router = Router(tags=["actors"])


class LocalGovernmentFilter(Schema):
    q: str = ""
    country: str | None = None


def _actor_of_kind(pk: int, kind: str) -> Actor:
    try:
        actor = selectors.actor_get(pk=pk)
    except Actor.DoesNotExist as error:
        raise Http404(f"No actor with id {pk}.") from error
    if actor.kind != kind:
        raise Http404(f"Actor {pk} is not a {ActorKind(kind).label.lower()}.")
    return actor


def _network(pk: int) -> Actor:
    network = selectors.network_list().filter(pk=pk).first()
    if network is None:
        raise Http404(f"No network with id {pk}.")
    return network


@router.get("/countries", response=list[CountryOut], summary="Countries and territories (ISO 3166-1, plus Kosovo)")
@paginate(PageNumberWithTotal)
def country_list(request: HttpRequest) -> Any:
    return selectors.country_list()


@router.get("/local-governments", response=list[LocalGovernmentOut],
            summary="Local governments, most populous first; q matches any name by prefix, accents ignored")
@paginate(PageNumberWithTotal)
def local_government_list(request: HttpRequest, filters: Query[LocalGovernmentFilter]) -> Any:
    return selectors.local_government_list(q=filters.q, country=filters.country)


@router.get("/local-governments/{int:actor_id}", response=LocalGovernmentDetailOut,
            summary="One local government with its names and memberships")
def local_government_detail(request: HttpRequest, actor_id: RecordId) -> Any:
    actor = _actor_of_kind(actor_id, ActorKind.LOCAL_GOVERNMENT)
    # LocalGovernmentDetailOut reads these two as attributes of the actor.
    vars(actor).update(
        alternate_name_list=[n for n in actor.local.alternate_names.split("; ") if n],
        membership_list=list(selectors.actor_memberships(actor=actor).select_related("member__country",
                                                                                   "network__country")),
    )
    return actor


@router.get("/networks", response=list[NetworkOut], summary="City networks and initiatives, with their sources")
@paginate(PageNumberWithTotal)
def network_list(request: HttpRequest) -> Any:
    return selectors.network_list()


@router.get("/networks/{int:network_id}", response=NetworkDetailOut, summary="One network with its relations")
def network_detail(request: HttpRequest, network_id: RecordId) -> Any:
    network = _network(network_id)
    vars(network).update(relations=selectors.network_relations(network=network))  # read by NetworkDetailOut
    return network


@router.get("/networks/{int:network_id}/members", response=list[MembershipOut],
            summary="Members of a network (demo memberships are flagged is_demo)")
@paginate(PageNumberWithTotal)
def network_members(request: HttpRequest, network_id: RecordId) -> Any:
    network = _network(network_id)
    return selectors.network_members(network=network).select_related("network__country")


@router.post("/memberships", response={201: MembershipOut}, auth=write_auth,
             summary="Record a membership (needs the right to change the network's memberships)")
def membership_create(request: HttpRequest, payload: MembershipIn) -> Any:
    member = get_object_or_404(selectors.actor_list(), pk=payload.member_id)
    network = get_object_or_404(selectors.actor_list(), pk=payload.network_id)
    membership = services.membership_create(
        user=request.user, member=member, network=network, role=payload.role,
        since=payload.since, until=payload.until, source=payload.source,
    )
    return Status(201, _membership(membership.pk))


@router.post("/memberships/{int:membership_id}/end", response=MembershipOut, auth=write_auth,
             summary="End a membership on a date")
def membership_end(request: HttpRequest, membership_id: RecordId, payload: MembershipEndIn) -> Any:
    membership = get_object_or_404(selectors.membership_list(), pk=membership_id)
    services.membership_end(user=request.user, membership=membership, until=payload.until)
    return _membership(membership_id)


def _membership(pk: int) -> Membership:
    return selectors.membership_list().get(pk=pk)
