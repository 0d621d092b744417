"""Admin for people, roles, requests, invitations and API tokens.

The user admin shows only what the model holds — never any field about status, nationality or papers. Secrets
(password, token and invitation hashes) are never shown. Staff sign in through Arrival's own sign-in page,
so the second factor is asked for there.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from arrival.accounts.models import ApiToken, Invitation, Role, RoleRequest, User
from arrival.accounts.services import api_token_revoke_all
from arrival.core.services import audit_record, snapshot

# The admin's own login form knows nothing of the second factor: send staff through Arrival's sign-in.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]  # replaced on purpose


class AuditedAdmin(admin.ModelAdmin):
    """Staff edits in the admin land in the audit log like every service's (DESIGN.md rule 5)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = [name for name in form.changed_data if name not in {"password", "password1", "password2"}]
        concrete = {f.name for f in obj._meta.concrete_fields}
        audit_record(
            user=request.user,
            action=f"admin.{'change' if change else 'add'}",
            target=obj,
            after=snapshot(obj, [name for name in fields if name in concrete]),
        )

    def delete_model(self, request, obj):
        audit_record(user=request.user, action="admin.delete", target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(user=request.user, action="admin.delete", target=obj)
        super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "preferred_language", "is_staff", "is_active", "is_demo")
    list_filter = ("is_staff", "is_superuser", "is_active", "is_demo", "preferred_language")
    search_fields = ("username", "display_name", "email")
    ordering = ("username",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Profile"), {"fields": ("display_name", "email", "preferred_language", "is_demo")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "email", "password1", "password2")}),
    )

    @transaction.atomic
    def user_change_password(self, request, id, form_url=""):
        """Staff setting a new password revoke the person's API tokens, as every other password change does."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was valid and saved
            api_token_revoke_all(user=request.user, owner=self.get_object(request, unquote(id)),
                                 reason="password_set_by_staff")
        return response


@admin.register(Role)
class RoleAdmin(AuditedAdmin):
    list_display = ("user", "actor", "kind", "created_at", "ended_at", "granted_by")
    list_filter = ("kind", "actor__kind")
    search_fields = ("user__username", "user__display_name", "actor__name")
    raw_id_fields = ("user", "actor", "granted_by")
    list_select_related = ("user", "actor", "granted_by")


@admin.register(RoleRequest)
class RoleRequestAdmin(AuditedAdmin):
    list_display = ("user", "actor", "kind", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status", "kind")
    search_fields = ("user__username", "user__display_name", "actor__name")
    raw_id_fields = ("user", "actor", "decided_by")
    list_select_related = ("user", "actor", "decided_by")


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    list_display = ("actor", "kind", "note", "invited_by", "expires_at", "accepted_by", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("actor__name", "note")
    exclude = ("token_hash",)
    readonly_fields = ("actor", "kind", "invited_by", "accepted_by", "accepted_at", "created_at")
    list_select_related = ("actor", "invited_by", "accepted_by")

    def has_add_permission(self, request, obj=None):  # links are made on the team page, which shows them once
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("scope", "revoked_at")
    search_fields = ("name", "prefix", "user__username")
    fields = ("user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at")
    list_select_related = ("user",)

    def has_add_permission(self, request, obj=None):  # keys are made by their owner, who sees them once
        return False
