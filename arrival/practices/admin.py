"""Staff curation of practices in the Django admin (writes of the workflow go through the pages and services)."""

from django.contrib import admin

from arrival.practices.models import CallForPractices, Practice, ReviewAssignment


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "stage", "published_at", "is_demo")
    list_filter = ("stage", "language", "is_demo")
    search_fields = ("title", "slug")
    readonly_fields = ("stage", "submitted_at", "published_at", "created_by", "adapted_from")
    raw_id_fields = ("governments", "partners", "call")


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(admin.ModelAdmin):
    list_display = ("practice", "reviewer", "reviewer_actor", "role", "status", "is_demo")
    list_filter = ("status", "role", "is_demo")
    raw_id_fields = ("practice", "reviewer", "reviewer_actor", "assigned_by")


@admin.register(CallForPractices)
class CallForPracticesAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "deadline", "is_demo")
    raw_id_fields = ("process", "owner", "opened_by")
