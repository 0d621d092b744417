from django.contrib import admin

from arrival.core.models import AuditEvent


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
