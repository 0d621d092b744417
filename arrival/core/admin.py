from django.contrib import admin

from arrival.core.models import Attachment, AuditEvent, Job, PeriodicSchedule


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "target_type", "target_id", "target_repr", "redacted")
    list_filter = ("action", "target_type", "redacted")
    search_fields = ("target_id", "target_repr")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):  # the log is written by services only
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "name", "label", "user", "status", "progress_done", "progress_total", "attempts", "finished_at")
    list_filter = ("status", "name")
    search_fields = ("id", "name", "label")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):  # jobs are enqueued by code, through job_enqueue
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PeriodicSchedule)
class PeriodicScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "every_seconds", "next_run_at", "last_job")
    readonly_fields = ("name", "every_seconds", "last_job")

    def has_add_permission(self, request):  # rows come from @periodic in code
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "original_name", "media_type", "size", "content_type", "object_id", "uploaded_by", "is_demo")
    list_filter = ("media_type", "content_type", "is_demo")
    search_fields = ("original_name", "sha256", "object_id")
    readonly_fields = [f.name for f in Attachment._meta.fields]

    def has_add_permission(self, request):  # uploads go through attachment_create, which checks type and size
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):  # attachment_delete audits and removes the file
        return False
