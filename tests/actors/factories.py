"""Factories for actors; other apps' tests build on them."""

from __future__ import annotations

import factory
from django.utils.text import slugify

from arrival.actors.models import Actor, ActorKind, Country, LocalGovernment, Membership, Network


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    alpha3 = factory.LazyAttribute(lambda o: f"{o.code}X")
    name = factory.LazyAttribute(lambda o: f"Country {o.code}")
    region = "Europe"
    subregion = "Western Europe"
    is_sovereign = True


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    kind = ActorKind.LOCAL_GOVERNMENT
    name = factory.Sequence(lambda n: f"Town {n}")
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify(o.name)}-{n}")
    country = factory.SubFactory(CountryFactory)


class LocalGovernmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalGovernment

    actor = factory.SubFactory(ActorFactory, kind=ActorKind.LOCAL_GOVERNMENT)
    geonames_id = factory.Sequence(lambda n: 9_000_000 + n)
    ascii_name = factory.LazyAttribute(lambda o: o.actor.name)
    population = 100_000
    latitude = 50.0
    longitude = 4.0
    timezone = "Europe/Brussels"


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    actor = factory.SubFactory(ActorFactory, kind=ActorKind.NETWORK, country=None, name=factory.Sequence(lambda n: f"Network {n}"))
    network_type = "global network"
    source = "test"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(ActorFactory)
    network = factory.SubFactory(ActorFactory, kind=ActorKind.NETWORK, country=None)
