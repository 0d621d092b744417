"""API v1 of actors: lists with totals, details, problem JSON for errors, authenticated membership writes."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from arrival.actors.models import Membership
from arrival.core.models import AuditEvent
from tests.accounts.factories import sign_in_as
from tests.actors.factories import (
    CountryFactory,
    LocalGovernmentFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkRelationFactory,
    index_names,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/actors"


@pytest.fixture
def be():
    return CountryFactory(code="BE", alpha3="BEL", name="Belgium")


@pytest.fixture
def mechelen(be):
    local = LocalGovernmentFactory(actor__name="Mechelen", actor__country=be, population=77_530,
                                   geonames_id=2791537, alternate_names="Malines; Mecheln", admin1_code="VLG")
    index_names(local.actor, "Malines", "Mecheln")
    return local.actor


@pytest.fixture
def network():
    return NetworkFactory(actor__name="Eurocities", scale_as_reported="200+ cities", source="reference file").actor


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(username="staff", is_staff=True)


def test_countries_paginated(client, be):
    CountryFactory(code="FR", alpha3="FRA", name="France")
    body = client.get(f"{API}/countries", {"page_size": 1}).json()
    assert body["count"] == 2 and body["page"] == 1 and body["page_size"] == 1
    assert body["items"] == [{"code": "BE", "alpha3": "BEL", "numeric": "", "name": "Belgium", "official_name": "",
                              "region": "Europe", "subregion": "Western Europe", "is_sovereign": True,
                              "local_government_count": 0}]
    assert client.get(f"{API}/countries", {"page": 2, "page_size": 1}).json()["items"][0]["code"] == "FR"


def test_local_governments_search_and_detail(client, mechelen, network, be, django_assert_max_num_queries):
    LocalGovernmentFactory(actor__name="Gent", actor__country=be, population=260_000)
    MembershipFactory(member=mechelen, network=network, is_demo=True, source="Demo data — not a real membership")
    body = client.get(f"{API}/local-governments", {"q": "malines"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "Mechelen" and item["country"] == "BE" and item["population"] == 77_530
    assert item["geonames_id"] == 2791537 and item["admin1_code"] == "VLG"
    for n in range(5):
        LocalGovernmentFactory(actor__name=f"Village {n}", actor__country=be, population=n)
    # Two reads (count, page) whatever the page size.
    with django_assert_max_num_queries(2):
        names = [i["name"] for i in client.get(f"{API}/local-governments", {"country": "be"}).json()["items"]]
    assert names[:2] == ["Gent", "Mechelen"] and len(names) == 7
    detail = client.get(f"{API}/local-governments/{mechelen.pk}").json()
    assert detail["alternate_names"] == ["Malines", "Mecheln"]
    assert detail["memberships"][0]["network"]["name"] == "Eurocities"
    assert detail["memberships"][0]["is_demo"] is True


def test_not_found_is_problem_json(client, network):
    for url in (f"{API}/local-governments/999999", f"{API}/local-governments/{network.pk}",
                f"{API}/networks/999999", f"{API}/networks/999999/members"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404 and response.json()["title"] == "Not found"


def test_bad_parameter_is_problem_json(client):
    response = client.get(f"{API}/countries", {"page": 0})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def test_networks_detail_and_members(client, network, mechelen):
    coordinator = NetworkFactory(actor__name="Global Taskforce").actor
    NetworkRelationFactory(subject=coordinator, object=network, kind="coordinates", source="ref")
    MembershipFactory(member=mechelen, network=network)
    items = client.get(f"{API}/networks").json()["items"]
    assert [(i["name"], i["member_count"]) for i in items] == [("Eurocities", 1), ("Global Taskforce", 0)]
    assert items[0]["scale_as_reported"] == "200+ cities" and items[0]["source"] == "reference file"
    detail = client.get(f"{API}/networks/{network.pk}").json()
    assert detail["relations"] == [{"direction": "in", "kind_label": "is coordinated by", "source": "ref",
                                    "other": {"id": coordinator.pk, "slug": coordinator.slug,
                                              "name": "Global Taskforce", "kind": "network", "country": None,
                                              "is_demo": False}}]
    members = client.get(f"{API}/networks/{network.pk}/members").json()
    assert members["count"] == 1 and members["items"][0]["member"]["country"] == "BE"
    assert client.get(f"{API}/networks/{mechelen.pk}").status_code == 404


def test_membership_writes_need_authentication(client, mechelen, network):
    payload = {"member_id": mechelen.pk, "network_id": network.pk, "source": "charter page"}
    response = client.post(f"{API}/memberships", payload, content_type="application/json")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    membership = MembershipFactory(member=mechelen, network=network)
    response = client.post(f"{API}/memberships/{membership.pk}/end", {"until": "2020-01-01"},
                           content_type="application/json")
    assert response.status_code == 401
    assert Membership.objects.count() == 1 and not AuditEvent.objects.exists()


def test_membership_writes_need_permission(client, mechelen, network):
    sign_in_as(client, get_user_model().objects.create_user(username="person"))
    payload = {"member_id": mechelen.pk, "network_id": network.pk, "source": "charter page"}
    response = client.post(f"{API}/memberships", payload, content_type="application/json")
    assert response.status_code == 403 and not Membership.objects.exists()


def test_membership_create_and_end(client, staff, mechelen, network):
    sign_in_as(client, staff)
    payload = {"member_id": mechelen.pk, "network_id": network.pk, "role": "signatory", "since": "2015-01-01",
               "source": "charter page"}
    response = client.post(f"{API}/memberships", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["member"]["name"] == "Mechelen" and created["role"] == "signatory" and created["until"] is None
    response = client.post(f"{API}/memberships/{created['id']}/end", {"until": "2021-06-30"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["until"] == "2021-06-30"
    assert AuditEvent.objects.filter(user=staff, action__startswith="actors.").count() == 2


def test_membership_bad_input_is_problem_json(client, staff, mechelen, network):
    sign_in_as(client, staff)
    cases = [
        ({"member_id": mechelen.pk, "network_id": mechelen.pk, "source": "x"}, 400),
        ({"member_id": 999999, "network_id": network.pk, "source": "x"}, 404),
        ({"member_id": mechelen.pk, "network_id": network.pk, "role": "king", "source": "x"}, 400),
        ({"member_id": mechelen.pk, "network_id": network.pk, "source": ""}, 422),
        ({"member_id": "one", "network_id": network.pk, "source": "x"}, 422),
    ]
    for payload, status in cases:
        response = client.post(f"{API}/memberships", payload, content_type="application/json")
        assert response.status_code == status, (payload, response.content)
        assert response["Content-Type"] == "application/problem+json"
    assert client.post(f"{API}/memberships/999999/end", {"until": "2021-06-30"},
                       content_type="application/json").status_code == 404
    assert not Membership.objects.exists() and not AuditEvent.objects.filter(action__startswith="actors.").exists()
