"""Staff curation of actors. Memberships edited here are real facts: give their source."""

from __future__ import annotations

from django.contrib import admin

from arrival.actors.models import (
    Actor,
    Country,
    LocalGovernment,
    Membership,
    Network,
    NetworkRelation,
    Organisation,
)


class LocalGovernmentInline(admin.StackedInline):
    model = LocalGovernment
    can_delete = False
    extra = 0


class NetworkInline(admin.StackedInline):
    model = Network
    can_delete = False
    extra = 0


class OrganisationInline(admin.StackedInline):
    model = Organisation
    can_delete = False
    extra = 0


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "alpha3", "name", "region", "subregion", "is_sovereign")
    list_filter = ("region", "is_sovereign")
    search_fields = ("code", "alpha3", "name", "official_name")


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "country", "slug", "is_demo")
    list_filter = ("kind", "is_demo", "country__region", "country")
    search_fields = ("name", "slug")
    list_select_related = ("country",)
    autocomplete_fields = ("country",)
    inlines = (LocalGovernmentInline, NetworkInline, OrganisationInline)
    show_full_result_count = False  # counting 500,000 governments on every page is wasted work

    def get_inline_instances(self, request, obj=None):
        # Only the detail table that matches the actor's kind.
        wanted = {"local": LocalGovernmentInline, "network": NetworkInline, "organisation": OrganisationInline}
        inline = wanted.get(obj.kind) if obj is not None else None
        return [inline(self.model, self.admin_site)] if inline else []


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("member", "network", "role", "since", "until", "is_demo")
    list_filter = ("is_demo", "role", "network")
    search_fields = ("member__name", "network__name", "source")
    list_select_related = ("member", "network")
    autocomplete_fields = ("member", "network")


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ("actor", "network_type", "founded", "secretariat")
    search_fields = ("actor__name", "network_type")
    list_select_related = ("actor",)
    autocomplete_fields = ("actor",)


@admin.register(NetworkRelation)
class NetworkRelationAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "object", "source")
    list_filter = ("kind",)
    list_select_related = ("subject", "object")
    autocomplete_fields = ("subject", "object")
