"""Staff view of commitments in the Django admin: read-only, because every change goes through the services
(permissions, lifecycle, audit); a published progress update is never edited anywhere."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from arrival.commitments.models import Commitment, ForumReport, ProgressUpdate, ReminderSent, SubmissionWindow


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "title", "lead", "status", "progress_status", "progress_percent", "is_demo")
    list_filter = ("status", "progress_status", "commitment_type", "is_demo")
    search_fields = ("title", "public_id")
    raw_id_fields = ("lead", "partners", "matches", "source_contribution", "consultation")


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    list_display = ("commitment", "reported_on", "status", "percent", "published_at", "is_demo")
    list_filter = ("status", "is_demo")


@admin.register(ForumReport)
class ForumReportAdmin(ReadOnlyAdmin):
    list_display = ("commitment", "forum", "reported_on", "is_demo")


@admin.register(SubmissionWindow)
class SubmissionWindowAdmin(ReadOnlyAdmin):
    list_display = ("title", "forum", "opens_at", "closes_at", "is_demo")


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ("key", "kind", "sent_at", "recipients")
