"""Factories for actors; other apps' tests build on them."""

from __future__ import annotations

import factory
from django.utils.text import slugify

from arrival.actors.loaders import name_rows
from arrival.actors.models import (
    Actor,
    ActorKind,
    ActorName,
    Country,
    LocalGovernment,
    Membership,
    Network,
    NetworkRelation,
    NetworkRelationKind,
    Organisation,
    OrganisationType,
)


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

    class Params:
        population = 100_000  # held by the actor: LocalGovernmentFactory(population=…) sets it there

    actor = factory.SubFactory(ActorFactory, kind=ActorKind.LOCAL_GOVERNMENT, population=factory.SelfAttribute("..population"))
    geonames_id = factory.Sequence(lambda n: 9_000_000 + n)
    ascii_name = factory.LazyAttribute(lambda o: o.actor.name)
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


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    actor = factory.SubFactory(
        ActorFactory, kind=ActorKind.ORGANISATION, country=None, name=factory.Sequence(lambda n: f"Organisation {n}")
    )
    organisation_type = OrganisationType.INTERNATIONAL
    source = "test"


class NetworkRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkRelation

    subject = factory.LazyFunction(lambda: NetworkFactory().actor)
    object = factory.LazyFunction(lambda: NetworkFactory().actor)
    kind = NetworkRelationKind.COORDINATES
    source = "test"


def index_names(actor: Actor, *names: str) -> None:
    """Write an actor's search names the way the loaders do (name, extra names; folded and deduplicated)."""
    ActorName.objects.filter(actor=actor).delete()
    ActorName.objects.bulk_create(
        name_rows(
            actor_id=actor.pk,
            names=[actor.name, *names],
            kind=actor.kind,
            country_code=actor.country.code if actor.country_id else "",
            rank=actor.population or 0,
        )
    )
