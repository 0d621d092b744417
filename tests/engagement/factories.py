"""Factories and helpers for engagement's tests; other apps' tests may build on them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory

from arrival.accounts.models import RoleKind
from arrival.engagement.models import Comment, Phase, Process, Report
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import ActorFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class ProcessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Process

    kind = "tests.process"
    owner = factory.SubFactory(ActorFactory)
    title = factory.Sequence(lambda n: f"Process {n}")


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    process = factory.SubFactory(ProcessFactory)
    position = factory.Sequence(lambda n: n + 1)
    phase_type = "engagement.discussion"
    starts_at = T0
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=7))
    actions = factory.LazyFunction(lambda: ["comment:*"])


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on an actor (a real model standing in for any commented record)."""

    class Meta:
        model = Comment
        exclude = ("on",)

    on = factory.SubFactory(ActorFactory)
    target_type = factory.LazyAttribute(lambda o: __import__(
        "django.contrib.contenttypes.models", fromlist=["ContentType"]).ContentType.objects.get_for_model(o.on))
    target_id = factory.LazyAttribute(lambda o: str(o.on.pk))
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    reason = "spam"


def moderator_for(process: Process, kind: str = RoleKind.OFFICER):
    """A person holding a role of `kind` in the process's owner."""
    return RoleFactory(actor=process.owner, kind=kind).user
