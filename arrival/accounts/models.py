"""People and the roles they hold inside actors.

Residents may take part under a pseudonym: the user model keeps a display name, an optional e-mail and
a preferred language, and nothing about who the person is beyond that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrival.core.models import DemoFlagged, TimeStampedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: object) -> User:
        if not username:
            raise ValueError("A username is required")
        email = str(extra.pop("email", None) or "") or None
        user = self.model(username=username, email=self.normalize_email(email) if email else None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin, DemoFlagged):
    username = models.CharField(
        _("username"), max_length=150, unique=True, validators=[UnicodeUsernameValidator()],
        help_text=_("Used to sign in. It is never shown to others."),
    )
    display_name = models.CharField(
        _("display name"), max_length=80, blank=True,
        help_text=_("Shown next to what you write. A pseudonym is fine."),
    )
    email = models.EmailField(_("e-mail address"), blank=True, null=True, unique=True,
                              help_text=_("Optional: only for notifications and password reset."))
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # An IANA zone; empty follows the government the person acts for (accounts.selectors.user_time_zone).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True,
                                 help_text=_("Dates and deadlines are shown in this zone."))
    is_staff = models.BooleanField(_("site staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    # Set on each request's user by django_otp's OTPMiddleware: whether this session passed a second factor.
    is_verified: Callable[[], bool]

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.username


class RoleKind(models.TextChoices):
    OFFICER = "officer", _("Officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    STAFF = "staff", _("Staff")
    PLANNER = "planner", _("National planner")
    REVIEWER = "reviewer", _("Reviewer")


class Role(TimeStampedModel):
    """A person acts for an actor in a given capacity. Ended roles stay on record with `ended_at`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "actor", "kind"], condition=Q(ended_at__isnull=True), name="one_active_role_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.actor}"


class RoleRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RoleRequest(TimeStampedModel):
    """A person asks to represent an actor; site staff verify and decide."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_requests")
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="role_requests")
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    message = models.TextField(_("how we can verify you"), max_length=2000, blank=True)
    status = models.CharField(max_length=12, choices=RoleRequestStatus.choices, default=RoleRequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "actor", "kind"], condition=Q(status="pending"), name="one_pending_request_per_role"
            )
        ]


class Invitation(TimeStampedModel):
    """An actor's administrator invites a colleague by link. Only a hash of the token is stored."""

    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    note = models.CharField(_("who is invited"), max_length=200, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(TimeStampedModel):
    """A machine client's bearer token. Only a hash is stored; the key is shown once at creation.

    Every token expires (at most a year after creation) and is read-only unless made with the write scope.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=5, choices=ApiTokenScope.choices)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
