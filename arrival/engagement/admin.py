"""Staff views of engagement records in the Django admin. Read-only: every change goes through the services
(phases validated, moderation recorded with a reason and audited), so the admin never bypasses them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from arrival.engagement.models import Comment, ModerationDecision, Phase, Process, Report


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("position", "phase_type", "name", "starts_at", "ends_at", "actions", "announced_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "owner", "time_zone", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("title",)
    inlines = [PhaseInline]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "target_type", "target_id", "process", "visibility", "created_at", "is_demo")
    list_filter = ("visibility", "is_demo")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("target_type", "target_id", "process", "reason", "decision", "created_at")
    list_filter = ("reason",)


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ReadOnlyAdmin):
    list_display = ("target_type", "target_id", "process", "action", "reason", "moderator", "created_at")
    list_filter = ("action",)
