"""Writes owned by accounts. Each runs in one transaction, checks its permission and writes an audit row.

Bad input raises `django.core.exceptions.ValidationError` with a message meant for the person (pages show it
next to the form, the API turns it into a 400 problem), before anything is written.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from arrival.accounts.models import (
    ApiToken,
    ApiTokenScope,
    Invitation,
    Role,
    RoleKind,
    RoleRequest,
    RoleRequestStatus,
    User,
)
from arrival.accounts.selectors import (
    ROLE_KINDS_BY_ACTOR_KIND,
    second_factor_required,
    sign_in_cool_off,
    sign_in_records_naming,
)
from arrival.actors.models import Actor
from arrival.core.api import TokenCheck
from arrival.core.models import AuditEvent
from arrival.core.permissions import require
from arrival.core.services import audit_record, audit_redact_target, snapshot
from arrival.core.time_zones import available_time_zones

INVITATION_DAYS_MAX = 90
API_TOKENS_PER_USER_MAX = 20
API_KEY_PREFIX = "arr_"
# Every token expires: 90 days unless its owner chooses another term, never more than a year.
API_TOKEN_DAYS_DEFAULT = 90
API_TOKEN_DAYS_MAX = 365
# A token's last use is written at most this often, so busy API clients do not write on every request.
LAST_USED_RESOLUTION = timedelta(hours=1)

_USER_FIELDS = ("username", "display_name", "preferred_language", "time_zone", "is_active", "is_staff")
_ROLE_FIELDS = ("user", "actor", "kind", "granted_by", "ended_at")
_REQUEST_FIELDS = ("user", "actor", "kind", "status", "decided_by", "decided_at", "decision_note")
_INVITATION_FIELDS = ("actor", "kind", "note", "invited_by", "expires_at", "accepted_by", "accepted_at", "revoked_at")
_TOKEN_FIELDS = ("user", "name", "prefix", "scope", "expires_at", "revoked_at")


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _user_snapshot(user: User) -> dict[str, Any]:
    # The e-mail address itself stays out of the log: only whether one is set.
    return {**snapshot(user, _USER_FIELDS), "has_email": bool(user.email)}


def _check_kind_for_actor(actor: Actor, kind: str) -> None:
    if kind not in RoleKind.values:
        raise ValidationError(_("Unknown role “%(kind)s”.") % {"kind": kind}, code="invalid_kind")
    if kind not in ROLE_KINDS_BY_ACTOR_KIND.get(actor.kind, ()):
        raise ValidationError(
            _("A %(actor_kind)s cannot have the role “%(role)s”.")
            % {"actor_kind": actor.get_kind_display().lower(), "role": RoleKind(kind).label},
            code="kind_not_allowed",
        )


def _has_active_role(user: User, actor: Actor, kind: str) -> bool:
    return Role.objects.filter(user=user, actor=actor, kind=kind, ended_at__isnull=True).exists()


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the offered languages."), code="invalid_language")


def _clean_email(email: str | None, *, exclude_user: User | None = None) -> str | None:
    email = (email or "").strip() or None
    if email is None:
        return None
    validate_email(email)
    email = User.objects.normalize_email(email)
    taken = User.objects.filter(email__iexact=email)
    if exclude_user is not None:
        taken = taken.exclude(pk=exclude_user.pk)
    if taken.exists():
        raise ValidationError(_("Another account already uses this e-mail address."), code="email_taken")
    return email


# --- People --------------------------------------------------------------------------------------------


def user_register(
    *,
    username: str,
    password: str,
    display_name: str = "",
    email: str | None = None,
    preferred_language: str,
) -> User:
    """Create an account. Nothing beyond these fields is asked: never status, nationality or papers."""
    username = (username or "").strip()
    if not username:
        raise ValidationError(_("Choose a username."), code="username_required")
    User._meta.get_field("username").run_validators(username)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("This username is taken. Choose another one."), code="username_taken")
    _check_language(preferred_language)
    display_name = (display_name or "").strip()[:80]
    with transaction.atomic():
        email = _clean_email(email)
        candidate = User(username=username, display_name=display_name, email=email)
        validate_password(password, user=candidate)
        user = User.objects.create_user(
            username, password, display_name=display_name, email=email, preferred_language=preferred_language
        )
        audit_record(user=user, action="accounts.user_register", target=user, after=_user_snapshot(user))
    return user


def _check_time_zone(time_zone: str) -> None:
    if time_zone and time_zone not in available_time_zones():
        raise ValidationError(_("Choose a time zone from the list, e.g. Europe/Brussels."), code="invalid_time_zone")


def user_update_profile(
    *, user: User, display_name: str, email: str | None, preferred_language: str, time_zone: str | None = None,
    subject: User | None = None,
) -> User:
    """Change the public name, e-mail, language and time zone of `subject` (the user themself unless staff say
    otherwise). `time_zone` "" follows the person's government; None keeps the current choice."""
    subject = subject or user
    require(user, "accounts.change_user", subject)
    _check_language(preferred_language)
    if time_zone is not None:
        _check_time_zone(time_zone)
    with transaction.atomic():
        subject = User.objects.select_for_update().get(pk=subject.pk)
        before = _user_snapshot(subject)
        subject.email = _clean_email(email, exclude_user=subject)
        subject.display_name = (display_name or "").strip()[:80]
        subject.preferred_language = preferred_language
        if time_zone is not None:
            subject.time_zone = time_zone
        subject.save(update_fields=["email", "display_name", "preferred_language", "time_zone"])
        audit_record(
            user=user, action="accounts.user_update_profile", target=subject, before=before, after=_user_snapshot(subject)
        )
    return subject


# --- Roles: requests verified by staff ------------------------------------------------------------------


def role_request_create(*, user: User, actor: Actor, kind: str, message: str = "") -> RoleRequest:
    """Ask to act for `actor`; site staff verify and decide."""
    require(user, "accounts.request_role", actor)
    _check_kind_for_actor(actor, kind)
    message = (message or "").strip()
    if len(message) > 2000:
        raise ValidationError(_("Keep the message under 2,000 characters."), code="message_too_long")
    with transaction.atomic():
        if _has_active_role(user, actor, kind):
            raise ValidationError(_("You already hold this role."), code="role_held")
        if RoleRequest.objects.filter(user=user, actor=actor, kind=kind, status=RoleRequestStatus.PENDING).exists():
            raise ValidationError(
                _("You have already asked for this role; site staff will answer soon."), code="request_pending"
            )
        request = RoleRequest.objects.create(user=user, actor=actor, kind=kind, message=message)
        audit_record(
            user=user, action="accounts.role_request_create", target=request, after=snapshot(request, _REQUEST_FIELDS)
        )
    return request


def role_request_decide(*, user: User, request: RoleRequest, grant: bool, note: str = "") -> RoleRequest:
    """Site staff grant (creating the role) or refuse a pending request, with a note to the person."""
    require(user, "accounts.verify_role_request", request)
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError(_("Keep the note under 2,000 characters."), code="note_too_long")
    with transaction.atomic():
        request = RoleRequest.objects.select_for_update().select_related("actor", "user").get(pk=request.pk)
        if request.status != RoleRequestStatus.PENDING:
            raise ValidationError(_("This request has already been decided."), code="already_decided")
        if request.user_id == user.pk:
            raise ValidationError(
                _("Another member of staff must decide on your own request."), code="own_request"
            )
        before = snapshot(request, _REQUEST_FIELDS)
        request.status = RoleRequestStatus.GRANTED if grant else RoleRequestStatus.REFUSED
        request.decided_by = user
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
        audit_record(
            user=user,
            action="accounts.role_request_decide",
            target=request,
            before=before,
            after=snapshot(request, _REQUEST_FIELDS),
        )
        # The person may meanwhile have joined by invitation: then the existing role stands.
        if grant and not _has_active_role(request.user, request.actor, request.kind):
            role = Role.objects.create(user=request.user, actor=request.actor, kind=request.kind, granted_by=user)
            audit_record(user=user, action="accounts.role_grant", target=role, after=snapshot(role, _ROLE_FIELDS))
    return request


def role_request_withdraw(*, user: User, request: RoleRequest) -> RoleRequest:
    """The person who asked takes a pending request back."""
    if request.user_id != user.pk:
        require(user, "accounts.verify_role_request", request)
    with transaction.atomic():
        request = RoleRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RoleRequestStatus.PENDING:
            raise ValidationError(_("This request has already been decided."), code="already_decided")
        before = snapshot(request, _REQUEST_FIELDS)
        request.status = RoleRequestStatus.WITHDRAWN
        request.save(update_fields=["status", "updated_at"])
        audit_record(
            user=user,
            action="accounts.role_request_withdraw",
            target=request,
            before=before,
            after=snapshot(request, _REQUEST_FIELDS),
        )
    return request


def role_end(*, user: User, role: Role) -> Role:
    """End a role: the actor's administrators (or site staff) may end anyone's, everyone may end their own."""
    if role.user_id != user.pk:
        require(user, "accounts.manage_roles", role.actor)
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        if role.ended_at is not None:
            raise ValidationError(_("This role has already ended."), code="already_ended")
        before = snapshot(role, _ROLE_FIELDS)
        role.ended_at = timezone.now()
        role.save(update_fields=["ended_at", "updated_at"])
        audit_record(user=user, action="accounts.role_end", target=role, before=before, after=snapshot(role, _ROLE_FIELDS))
    return role


# --- Roles: invitations by an actor's administrators -----------------------------------------------------


def invitation_create(
    *, user: User, actor: Actor, kind: str, note: str = "", days_valid: int = 14
) -> tuple[Invitation, str]:
    """Invite a colleague by link. Returns the invitation and the raw token, which is shown once only."""
    require(user, "accounts.manage_roles", actor)
    _check_kind_for_actor(actor, kind)
    if not 1 <= int(days_valid) <= INVITATION_DAYS_MAX:
        raise ValidationError(
            _("An invitation is valid for 1 to %(max)d days.") % {"max": INVITATION_DAYS_MAX}, code="invalid_days"
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError(_("Keep the note under 200 characters."), code="note_too_long")
    raw_token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            actor=actor,
            kind=kind,
            note=note,
            invited_by=user,
            token_hash=_hash(raw_token),
            expires_at=timezone.now() + timedelta(days=int(days_valid)),
        )
        audit_record(
            user=user,
            action="accounts.invitation_create",
            target=invitation,
            after=snapshot(invitation, _INVITATION_FIELDS),
        )
    return invitation, raw_token


def invitation_find(*, raw_token: str) -> Invitation | None:
    """The invitation a link points to, whatever its state (the accept page explains expired or used ones)."""
    if not raw_token:
        return None
    return Invitation.objects.select_related("actor", "invited_by").filter(token_hash=_hash(raw_token)).first()


def invitation_check_usable(invitation: Invitation | None) -> Invitation:
    """Raise a ValidationError saying why a link cannot be used (unknown, withdrawn, used, expired)."""
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid. Check that you copied all of it."), code="unknown")
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation has been withdrawn by the person who sent it."), code="revoked")
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired. Ask for a new one."), code="expired")
    return invitation


def invitation_accept(*, user: User, raw_token: str) -> Role:
    """Take up the role an invitation offers. Expired, withdrawn or used links change nothing."""
    require(user, "accounts.request_role", None)
    with transaction.atomic():
        invitation = invitation_check_usable(
            Invitation.objects.select_for_update().filter(token_hash=_hash(raw_token or "")).first()
        )
        if _has_active_role(user, invitation.actor, invitation.kind):
            raise ValidationError(_("You already hold this role."), code="role_held")
        before = snapshot(invitation, _INVITATION_FIELDS)
        invitation.accepted_by = user
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at", "updated_at"])
        role = Role.objects.create(
            user=user, actor=invitation.actor, kind=invitation.kind, granted_by=invitation.invited_by
        )
        audit_record(
            user=user,
            action="accounts.invitation_accept",
            target=invitation,
            before=before,
            after=snapshot(invitation, _INVITATION_FIELDS),
        )
        audit_record(user=user, action="accounts.role_grant", target=role, after=snapshot(role, _ROLE_FIELDS))
    return role


def invitation_revoke(*, user: User, invitation: Invitation) -> Invitation:
    require(user, "accounts.manage_roles", invitation.actor)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used."), code="used")
        if invitation.revoked_at is not None:
            raise ValidationError(_("This invitation has already been withdrawn."), code="revoked")
        before = snapshot(invitation, _INVITATION_FIELDS)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            user=user,
            action="accounts.invitation_revoke",
            target=invitation,
            before=before,
            after=snapshot(invitation, _INVITATION_FIELDS),
        )
    return invitation


# --- API tokens ----------------------------------------------------------------------------------------


def api_token_create(
    *, user: User, name: str, scope: str, days_valid: int = API_TOKEN_DAYS_DEFAULT
) -> tuple[ApiToken, str]:
    """A bearer token for a machine client, valid `days_valid` days with `scope` (read or write). Returns the
    token and the raw key, which is shown once only."""
    require(user, "accounts.change_user", user)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name, such as the script that will use it."), code="name_required")
    if len(name) > 100:
        raise ValidationError(_("Keep the name under 100 characters."), code="name_too_long")
    if scope not in ApiTokenScope.values:
        raise ValidationError(_("Choose what the token may do: read only, or read and write."), code="invalid_scope")
    if not 1 <= int(days_valid) <= API_TOKEN_DAYS_MAX:
        raise ValidationError(
            _("A token is valid for 1 to %(max)d days.") % {"max": API_TOKEN_DAYS_MAX}, code="invalid_days"
        )
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        if active.count() >= API_TOKENS_PER_USER_MAX:
            raise ValidationError(
                _("You have %(max)d active tokens; revoke one before creating another.")
                % {"max": API_TOKENS_PER_USER_MAX},
                code="too_many_tokens",
            )
        raw_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw_key[:12], key_hash=_hash(raw_key), scope=scope,
            expires_at=timezone.now() + timedelta(days=int(days_valid)),
        )
        audit_record(user=user, action="accounts.api_token_create", target=token, after=snapshot(token, _TOKEN_FIELDS))
    return token, raw_key


def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    require(user, "accounts.change_apitoken", token)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValidationError(_("This token has already been revoked."), code="already_revoked")
        before = snapshot(token, _TOKEN_FIELDS)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            user=user, action="accounts.api_token_revoke", target=token, before=before, after=snapshot(token, _TOKEN_FIELDS)
        )
    return token


def api_token_revoke_all(*, user: User, owner: User | None = None, reason: str) -> int:
    """Revoke every working token of `owner` (`user` themself unless staff act for them), e.g. when the
    password changed: a key made under the old password must not outlive it. `reason` names the occasion in
    the audit log. Returns how many were revoked."""
    owner = owner or user
    require(user, "accounts.change_user", owner)
    with transaction.atomic():
        now = timezone.now()
        revoked = ApiToken.objects.filter(user=owner, revoked_at__isnull=True).update(revoked_at=now, updated_at=now)
        if revoked:
            audit_record(user=user, action="accounts.api_token_revoke_all", target=owner,
                         after={"reason": reason, "revoked": revoked})
    return revoked


def api_token_authenticate(raw_key: str) -> TokenCheck | None:
    """What a key allows (its active user, whether it may write), why a known key is refused (revoked,
    expired), or None for a key that is not ours. Registered as the API's token resolver.

    Only `last_used_at` is written here, at most once an hour: a usage timestamp, not a change to audit.
    """
    if not raw_key or not raw_key.startswith(API_KEY_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw_key), user__is_active=True).first()
    if token is None:
        return None
    now = timezone.now()
    if token.revoked_at is not None:
        return TokenCheck(refusal=_("This API token has been revoked."))
    if token.expires_at <= now:
        return TokenCheck(refusal=_("This API token expired on %(date)s. Create a new one on your account page.")
                          % {"date": token.expires_at.date().isoformat()})
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return TokenCheck(user=token.user, may_write=token.scope == ApiTokenScope.WRITE)


# --- Second factor (TOTP and recovery codes) ---------------------------------------------------------------

RECOVERY_CODES_COUNT = 10
# Letters and digits that cannot be mistaken for one another when copied from paper (no 0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_CODE_SALT = "arrival.accounts.recovery_code"


def recovery_code_digest(code: str, *, secret: str | bytes | None = None) -> str:
    """What is stored for a recovery code: a keyed hash (HMAC with the site's secret key) cut to the 16 characters
    django_otp's token column holds, so a copy of the database alone neither shows the codes nor lets anyone
    test guesses offline. Spaces, dashes and case do not matter."""
    compact = "".join((code or "").split()).replace("-", "").lower()
    mac = salted_hmac(_RECOVERY_CODE_SALT, compact, secret=secret, algorithm="sha256").digest()
    return b32encode(mac).decode()[:16].lower()


def _recovery_code_digests(code: str) -> list[str]:
    # Codes issued before a change of SECRET_KEY keep working while the old key is in SECRET_KEY_FALLBACKS.
    return [recovery_code_digest(code, secret=key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]


def _recovery_codes_issue(*, user: User) -> list[str]:
    """Replace `user`'s recovery codes with new ones and return them (they are shown once, never stored)."""
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _letter in range(10))
             for _code in range(RECOVERY_CODES_COUNT)]
    codes = [f"{code[:5]}-{code[5:]}" for code in codes]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_code_digest(code)) for code in codes)
        audit_record(user=user, action="accounts.recovery_codes_issue", target=device, after={"count": len(codes)})
    return codes


def otp_device_start(*, user: User) -> TOTPDevice:
    """Begin enrolment: a fresh, unconfirmed TOTP device (earlier unconfirmed attempts are replaced)."""
    require(user, "accounts.change_user", user)
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(_("A second factor is already set up."), code="already_enrolled")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=str(_("Authenticator app")), confirmed=False)
        audit_record(user=user, action="accounts.otp_device_start", target=device)
    return device


def otp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> tuple[TOTPDevice, list[str]]:
    """Finish enrolment once the person shows a valid code from their app. Returns the device and the new
    recovery codes, to be shown once."""
    require(user, "accounts.change_user", user)
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Start the set-up again."), code="invalid_device")
    # verify_token records failed attempts for throttling itself, so it runs outside the transaction below.
    if not device.verify_token((token or "").strip()):
        _second_factor_failure(user=user, kind="enrolment")
        raise ValidationError(_("That code is not right. Check the time on your device and try the new code."))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(user=user, action="accounts.otp_device_confirm", target=device, after={"confirmed": True})
        codes = _recovery_codes_issue(user=user)
    return device, codes


def _second_factor_failure(*, user: User, kind: str) -> None:
    with transaction.atomic():
        audit_record(user=user, action="accounts.second_factor_fail", target=user, after={"kind": kind})


def second_factor_verify(*, user: User, code: str) -> TOTPDevice | StaticDevice:
    """Check a code from the authenticator app (digits) or a recovery code (letters; each works once). Returns
    the device that accepted it, for `django_otp.login`. Failures are on record and slowed down by django_otp's
    throttling (each wrong code doubles the wait before the next is checked)."""
    compact = "".join((code or "").split()).replace("-", "")
    kind = "authenticator" if compact.isdigit() else "recovery_code"
    device: TOTPDevice | StaticDevice | None = (
        TOTPDevice.objects.filter(user=user, confirmed=True).first() if kind == "authenticator"
        else StaticDevice.objects.filter(user=user, confirmed=True).first()
    )
    if device is None and kind == "authenticator":
        raise ValidationError(_("No second factor is set up."), code="not_enrolled")
    if device is not None and not device.verify_is_allowed()[0]:
        raise ValidationError(_("Too many wrong codes. Wait a little, then try the newest code."), code="throttled")
    if isinstance(device, TOTPDevice) and device.verify_token(compact):
        return device
    if isinstance(device, StaticDevice):
        with transaction.atomic():
            # One DELETE decides: of two requests with the same code, only the one that removes the row passes.
            used, _rows = StaticToken.objects.filter(device=device, token__in=_recovery_code_digests(compact)).delete()
            if used:
                device.throttle_reset(commit=False)
                device.set_last_used_timestamp(commit=False)
                device.save()
                left = StaticToken.objects.filter(device=device).count()
                audit_record(user=user, action="accounts.recovery_code_use", target=device, after={"left": left})
                return device
        device.throttle_increment()
    _second_factor_failure(user=user, kind=kind)
    if kind == "recovery_code":
        raise ValidationError(_("That recovery code is not right, or it has been used already."), code="bad_code")
    raise ValidationError(
        _("That code is not right. Check the time on your device and try the newest code."), code="bad_code"
    )


def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """New recovery codes in place of the old ones (all old ones stop working). A current code is required, so a
    stolen session alone cannot take them."""
    require(user, "accounts.change_user", user)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("No second factor is set up."), code="not_enrolled")
    second_factor_verify(user=user, code=code)
    return _recovery_codes_issue(user=user)


def otp_device_remove(*, user: User, token: str) -> None:
    """Turn the second factor off; a current code (or a recovery code) is required, so a stolen session alone
    cannot do it. For someone who must use a second factor, this is the way to move to a new device: every page
    then leads to setting one up again."""
    require(user, "accounts.change_user", user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise ValidationError(_("No second factor is set up."), code="not_enrolled")
    second_factor_verify(user=user, code=token)
    with transaction.atomic():
        audit_record(user=user, action="accounts.otp_device_remove", target=device, before={"confirmed": True})
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def second_factor_reset(*, user: User | None, subject: User) -> None:
    """Remove every second-factor device of `subject`, who lost both their device and their recovery codes.
    `user` is the member of site staff doing it (never for themself), or None for an operator at the server's
    command line (`arrival reset-second-factor`). On record; the person then sets up a new device."""
    if user is not None:
        require(user, "accounts.reset_second_factor", subject)
        if user.pk == subject.pk:
            raise ValidationError(_("Another member of staff must reset your own second factor."), code="own_reset")
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=subject).count() + StaticDevice.objects.filter(user=subject).count()
        TOTPDevice.objects.filter(user=subject).delete()
        StaticDevice.objects.filter(user=subject).delete()
        audit_record(user=user, action="accounts.second_factor_reset", target=subject, after={"devices": removed})


# --- Sign-in records (django-axes) ----------------------------------------------------------------------


def sign_in_records_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Keep only what the lockout needs: failed attempts younger than the cool-off. Success and failure logs
    are not written (AXES_DISABLE_ACCESS_LOG, AXES_ENABLE_ACCESS_FAILURE_LOG); rows from before are deleted."""
    cutoff = (now or timezone.now()) - sign_in_cool_off()
    with transaction.atomic():
        _count, attempts = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
        _count, failure_log = AccessFailureLog.objects.all().delete()
        _count, access_log = AccessLog.objects.all().delete()
    return {"failed_attempts": attempts.get("axes.AccessAttempt", 0),
            "failure_log": failure_log.get("axes.AccessFailureLog", 0),
            "access_log": access_log.get("axes.AccessLog", 0)}


def sign_in_records_erase(user: User, *, keep_content_anonymised: bool) -> None:
    """Delete every sign-in record naming `user` (their personal-data provider: nothing of theirs is content)."""
    naming = sign_in_records_naming(user)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(naming).delete()


# --- Personal data: download my data, delete my account ----------------------------------------------------


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything Arrival keeps about `user`, as JSON-safe data: the account and every app's registered records.

    Apps register their part with `arrival.accounts.personal_data.register_personal_data`; accounts knows none.
    """
    from arrival.accounts.personal_data import personal_data_providers

    require(user, "accounts.change_user", user)
    account = {
        "username": user.username, "display_name": user.display_name, "email": user.email,
        "preferred_language": user.preferred_language, "date_joined": user.date_joined.isoformat(),
        "roles": [{"actor": role.actor.name, "role": role.kind, "since": role.created_at.isoformat()}
                  for role in Role.objects.filter(user=user, ended_at__isnull=True).select_related("actor")],
        "role_requests": [{"actor": r.actor.name, "role": r.kind, "status": r.status, "message": r.message}
                          for r in RoleRequest.objects.filter(user=user).select_related("actor")],
        "api_tokens": [{"name": t.name, "prefix": t.prefix, "scope": t.scope, "created_at": t.created_at.isoformat(),
                        "expires_at": t.expires_at.isoformat(),
                        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                        "revoked": t.revoked_at is not None} for t in ApiToken.objects.filter(user=user)],
    }
    data: dict[str, Any] = {"generated_at": timezone.now().isoformat(), "account": account}
    for provider in personal_data_providers():
        data[provider.key] = provider.export(user)
    with transaction.atomic():
        audit_record(user=user, action="accounts.personal_data_export", target=user)
    return data


def account_delete(*, user: User, keep_content_anonymised: bool, password: str | None = None) -> None:
    """Delete the account. What the person wrote either stays without their name (`keep_content_anonymised`)
    or is removed; every registered app erases its part, and audit rows naming the account are redacted.
    A person with a password must give it; a guest (no password) confirms by the request alone.
    """
    require(user, "accounts.change_user", user)
    if user.has_usable_password() and not user.check_password(password or ""):
        raise ValidationError(_("That password is not right."), code="bad_password")
    from arrival.accounts.personal_data import personal_data_providers

    with transaction.atomic():
        for provider in personal_data_providers():
            provider.erase(user, keep_content_anonymised=keep_content_anonymised)
        audit_redact_target(target_type="accounts.user", target_ids=[str(user.pk)])
        event = audit_record(user=None, action="accounts.account_delete", target=user,
                             after={"kept_content_anonymised": bool(keep_content_anonymised)})
        # The row that records the deletion names the account by number only, never by its name.
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="")
        user.delete()


@dataclass(frozen=True)
class DemoSignIn:
    """A demo sign-in as `arrival setup` prints it. An account that must use a second factor has one set up:
    its authenticator key (for an app) and one of its single-use recovery codes."""

    user: User
    password: str
    totp_secret: str = ""
    recovery_code: str = ""

    def describe(self) -> str:
        line = f"{self.user.username} / {self.password}"
        if self.recovery_code:
            line += (f" (second factor: recovery code {self.recovery_code}, single use; or add the key "
                     f"{self.totp_secret} to an authenticator app)")
        return line


def demo_account_reset(*, username: str, display_name: str, actor: Actor, kind: str) -> DemoSignIn:
    """Create or reset a demo sign-in (never call it in production): a fresh random password, one current role
    in `actor`, no two-factor device left from a previous visitor — and a new one when the role requires it."""
    if settings.PRODUCTION:
        raise ValidationError("Demo sign-ins are never made in production.")
    user, _created = User.objects.get_or_create(username=username, defaults={"display_name": display_name, "is_demo": True})
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.display_name, user.is_demo, user.is_active, user.is_staff, user.is_superuser = (
        display_name, True, True, False, False)
    user.save()
    TOTPDevice.objects.filter(user=user).delete()
    api_token_revoke_all(user=user, reason="demo_reset")
    StaticDevice.objects.filter(user=user).delete()
    Role.objects.filter(user=user, ended_at__isnull=True).exclude(actor=actor, kind=kind).update(ended_at=timezone.now())
    if not Role.objects.filter(user=user, actor=actor, kind=kind, ended_at__isnull=True).exists():
        Role.objects.create(user=user, actor=actor, kind=kind)
    if not second_factor_required(user):
        return DemoSignIn(user=user, password=password)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    codes = _recovery_codes_issue(user=user)
    return DemoSignIn(user=user, password=password, totp_secret=b32encode(device.bin_key).decode(),
                      recovery_code=codes[0])
