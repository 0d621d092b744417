"""Staff overview of intake rounds in the Django admin, read-only: every write goes through the services.

Case records are not registered, and a plan's case-level assignment is left out: only the round's national
planners read case data (DESIGN.md rules 1 and 3), and site staff are not among them.
"""

from typing import Any

from django.contrib import admin

from arrival.planning.models import Declaration, IntakeRound, LocalityResponse, Plan


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(IntakeRound)
class IntakeRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "government", "status", "period_start", "deadline", "is_demo")
    list_filter = ("status", "is_demo")
    search_fields = ("title",)


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ("round", "actor", "status", "submitted_at", "is_demo")
    list_filter = ("status", "is_demo")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("round", "version", "status", "objective", "bound", "gap", "published_at", "is_demo")
    list_filter = ("status", "is_demo")
    exclude = ("assignment",)


@admin.register(LocalityResponse)
class LocalityResponseAdmin(ReadOnlyAdmin):
    list_display = ("plan", "actor", "decision", "responded_at", "is_demo")
    list_filter = ("decision",)
