"""Factories for people and roles; other apps' tests build on them."""

from __future__ import annotations

import factory

from arrival.accounts.models import Role, RoleKind, RoleRequest, User
from tests.actors.factories import ActorFactory

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    email = None
    preferred_language = "en"
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    is_staff = True


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(ActorFactory)
    kind = RoleKind.OFFICER


class RoleRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleRequest

    user = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(ActorFactory)
    kind = RoleKind.OFFICER
    message = "Write to me at the city hall."
