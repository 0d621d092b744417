"""Staff curation of frameworks and the crosswalk. Tags are written by the owning apps' services (audited),
so the admin shows them read-only."""

from django.contrib import admin
from django.db.models import Count

from arrival.frameworks.models import CrosswalkLink, Framework, FrameworkItem, Tag


class FrameworkItemInline(admin.TabularInline):
    model = FrameworkItem
    fields = ("position", "code", "label", "note")
    extra = 0
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "version", "is_current", "item_count")
    list_filter = ("kind", "is_current")
    search_fields = ("title", "version")
    inlines = [FrameworkItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(ordering="item_count", description="items")
    def item_count(self, obj: Framework) -> int:
        count: int = getattr(obj, "item_count", 0)  # annotated by get_queryset
        return count


@admin.register(FrameworkItem)
class FrameworkItemAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "framework", "parent", "note")
    list_filter = ("framework",)
    list_select_related = ("framework", "parent")
    search_fields = ("code", "label", "description")
    raw_id_fields = ("parent",)


@admin.register(CrosswalkLink)
class CrosswalkLinkAdmin(admin.ModelAdmin):
    list_display = ("__str__", "domain", "item")
    list_filter = ("domain", "item__framework__kind")
    list_select_related = ("domain", "item__framework")
    raw_id_fields = ("item",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("__str__", "item", "content_type", "object_id", "created_at")
    list_filter = ("content_type", "item__framework__kind")
    list_select_related = ("item__framework", "content_type")
    search_fields = ("object_id", "item__code")
    readonly_fields = ("item", "content_type", "object_id", "created_at", "updated_at")

    def has_add_permission(self, request):  # tagging goes through the services, which audit it
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
