"""Accounts pages: sign up and in (with a second factor, required of staff and powerful roles), the person's own page, role requests,
the staff verification queue, an actor's team page, invitations, API tokens and password reset.

Views validate input and call services; secrets (API keys, invitation links) are rendered once in the
response to the POST that made them and never put in a message or a redirect.
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from arrival.accounts import selectors, services
from arrival.accounts.forms import (
    ActorSearchForm,
    ApiTokenForm,
    DecisionForm,
    InvitationForm,
    OTPTokenForm,
    ProfileForm,
    RoleRequestForm,
    SecondFactorForm,
    SignInForm,
    SignUpForm,
    add_service_errors,
)
from arrival.accounts.http import AuthenticatedHttpRequest
from arrival.accounts.models import RoleKind
from arrival.actors.models import Actor, ActorKind
from arrival.actors.selectors import actor_get, place_search
from arrival.core.site import absolute_url

# Between the password step and the code step of sign-in, the session remembers who is half signed in.
_PENDING_KEY = "accounts_otp_pending"
_PENDING_SECONDS = 300
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _with_language(response: HttpResponse, user: Any) -> HttpResponse:
    """Apply the person's preferred language from now on (the locale middleware reads this cookie)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


# --- Sign up, sign in, sign out ------------------------------------------------------------------------


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:me")
    form = SignUpForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register(
                username=data["username"],
                password=data["password1"],
                display_name=data["display_name"],
                email=data["email"] or None,
                preferred_language=data["preferred_language"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend=_MODEL_BACKEND)
            messages.success(request, _("Welcome to Arrival. Your account is ready."))
            return _with_language(redirect(_safe_next(request, request.GET.get("next"))), user)
    return render(request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")})


class SignInView(auth_views.LoginView):
    """Password first; people with a second factor then give a code before the session is theirs."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if selectors.otp_device_confirmed(user=user) is not None:
            self.request.session[_PENDING_KEY] = {
                "user_id": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "at": time.time(),
            }
            return redirect("accounts:login_otp")
        response = super().form_valid(form)
        return _with_language(response, user)


def _pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    pending = request.session.get(_PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > _PENDING_SECONDS:
        request.session.pop(_PENDING_KEY, None)
        return None
    user = selectors.user_get(pk=pending["user_id"], active_only=True)
    return (user, pending) if user is not None else None


def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in (a code from the app, or a recovery code), also used to verify an older
    session once a factor has been added; the second-factor middleware sends unverified sessions here."""
    if request.user.is_authenticated:
        if request.user.is_verified():
            return redirect(_safe_next(request, request.GET.get("next")))
        user, pending = request.user, {"next": _safe_next(request, request.GET.get("next"))}
    else:
        found = _pending_user(request)
        if found is None:
            messages.info(request, _("Please sign in again."))
            return redirect("accounts:login")
        user, pending = found
    if selectors.otp_device_confirmed(user=user) is None:
        request.session.pop(_PENDING_KEY, None)
        return redirect("accounts:login")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(user=user, code=form.cleaned_data["token"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session.pop(_PENDING_KEY, None)
            if not request.user.is_authenticated:
                login(request, user, backend=pending["backend"])
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = selectors.recovery_codes_left(user=user)
                messages.warning(request, ngettext(
                    "You signed in with a recovery code; %(left)d is left. Make new ones in your account.",
                    "You signed in with a recovery code; %(left)d are left. Make new ones in your account.",
                    left) % {"left": left})
            return _with_language(redirect(_safe_next(request, pending.get("next"))), user)
    return render(request, "accounts/login_otp.html", {"form": form})


# --- The person's own page -----------------------------------------------------------------------------


def _me_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "roles": selectors.role_list_for_user(user=user),
        "requests": selectors.role_request_list_for_user(user=user),
        "tokens": selectors.api_token_list_for_user(user=user),
        "now": timezone.now(),
        "administered_ids": selectors.actor_ids_for(user, [RoleKind.ADMINISTRATOR]),
        "otp_device": selectors.otp_device_confirmed(user=user),
        "token_form": ApiTokenForm(),
        "time_zone": selectors.user_time_zone(user),
    }


@login_required
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/me.html", _me_context(request))


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"display_name": user.display_name, "email": user.email, "preferred_language": user.preferred_language,
                 "time_zone": user.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            user.refresh_from_db()
            messages.success(request, _("Your profile is saved."))
            return _with_language(redirect("accounts:me"), user)
    return render(request, "accounts/profile_edit.html", {"form": form})


# --- API tokens ----------------------------------------------------------------------------------------


@require_POST
@login_required
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw_key = services.api_token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "accounts/token_created.html", {"token": token, "raw_key": raw_key})
    return render(request, "accounts/me.html", {**_me_context(request), "token_form": form}, status=400)


@require_POST
@login_required
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(selectors.api_token_list_for_user(user=request.user), pk=token_id)
    try:
        services.api_token_revoke(user=request.user, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("accounts:me")


# --- Second factor -------------------------------------------------------------------------------------


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    label = _("QR code to add Arrival to your authenticator app")
    # Generated by the qrcode package from our own URL (hex key, username quoted): no user markup inside.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308


def _recovery_codes_page(request: AuthenticatedHttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """The recovery codes, shown in the response that made them and never again (only their hashes are kept)."""
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


@login_required
def otp_enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up the second factor (required of staff and powerful roles: every page leads here until it is done),
    or, once set up, manage it: new recovery codes, turn it off."""
    user = request.user
    next_url = _safe_next(request, request.GET.get("next"))
    if selectors.otp_device_confirmed(user=user) is not None:
        return _otp_manage(request)
    device = selectors.otp_device_unconfirmed(user=user)
    form = OTPTokenForm()
    if request.method == "POST":
        if request.POST.get("action") == "start" or device is None:
            try:
                services.otp_device_start(user=user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect(request.get_full_path())
        form = OTPTokenForm(request.POST)
        if form.is_valid():
            try:
                device, codes = services.otp_device_confirm(user=user, device=device, token=form.cleaned_data["token"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                otp_login(request, device)
                messages.success(request, _("Your second factor is on. You will be asked for a code when you sign in."))
                return _recovery_codes_page(request, codes, next_url)
    context: dict[str, Any] = {"device": device, "form": form, "required": selectors.second_factor_required(user)}
    if device is not None:
        context["qr_svg"] = _qr_svg(device)
        context["secret"] = b32encode(device.bin_key).decode()
    return render(request, "accounts/otp_enrol.html", context)


def _otp_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "recovery_codes" and form.is_valid():
        try:
            codes = services.recovery_codes_regenerate(user=user, code=form.cleaned_data["token"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("New recovery codes are ready; the old ones no longer work."))
            return _recovery_codes_page(request, codes, reverse("accounts:me"))
    return render(request, "accounts/otp_enrolled.html", _otp_manage_context(request, codes_form=form),
                  status=400 if form.errors else 200)


def _otp_manage_context(request: AuthenticatedHttpRequest, **forms: SecondFactorForm) -> dict[str, Any]:
    return {
        "codes_form": SecondFactorForm(auto_id="id_codes_%s"),
        "remove_form": SecondFactorForm(auto_id="id_remove_%s"),
        **forms,
        "codes_left": selectors.recovery_codes_left(user=request.user),
        "required": selectors.second_factor_required(request.user),
    }


@require_POST
@login_required
def otp_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SecondFactorForm(request.POST, auto_id="id_remove_%s")
    if form.is_valid():
        try:
            services.otp_device_remove(user=request.user, token=form.cleaned_data["token"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The second factor is off."))
            return redirect("accounts:me")
    return render(request, "accounts/otp_enrolled.html", _otp_manage_context(request, remove_form=form), status=400)


# --- Role requests and the staff verification queue -----------------------------------------------------

_ALL_ACTOR_KINDS = tuple(ActorKind.values)


def _actor_or_404(slug: str) -> Actor:
    try:
        return actor_get(slug=slug)
    except Actor.DoesNotExist:
        raise Http404 from None


@login_required
def role_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Find the actor (search by name), then choose the role and say how staff can verify it."""
    search = ActorSearchForm(request.GET or None)
    actor = None
    if request.GET.get("actor"):
        actor = _actor_or_404(request.GET["actor"])
    results: list[Actor] = []
    if actor is None and search.is_valid() and search.cleaned_data["q"]:
        results = place_search(q=search.cleaned_data["q"], kinds=_ALL_ACTOR_KINDS, limit=20)
    form = None
    if actor is not None:
        form = RoleRequestForm(request.POST or None, kinds=selectors.role_kinds_for(actor))
        if request.method == "POST" and form.is_valid():
            try:
                services.role_request_create(
                    user=request.user, actor=actor, kind=form.cleaned_data["kind"], message=form.cleaned_data["message"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your request is sent. Site staff will verify it and answer here."))
                return redirect("accounts:me")
    return render(
        request,
        "accounts/role_request.html",
        {"search": search, "results": results, "actor": actor, "form": form, "searched": bool(request.GET.get("q"))},
    )


@require_POST
@login_required
def role_request_withdraw(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    mine = selectors.role_request_list_for_user(user=request.user)
    role_request_obj = get_object_or_404(mine, pk=request_id)
    try:
        services.role_request_withdraw(user=request.user, request=role_request_obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("accounts:me")


@login_required
def request_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.verify_role_request"):
        raise PermissionDenied
    return render(
        request, "accounts/request_queue.html", {"requests": selectors.role_request_list_pending(), "form": DecisionForm()}
    )


@require_POST
@login_required
def request_decide(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    role_request_obj = get_object_or_404(selectors.role_request_list(), pk=request_id)
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision")
    if not form.is_valid() or decision not in {"grant", "refuse"}:
        messages.error(request, _("Choose to grant or refuse, and keep the note under 2,000 characters."))
        return redirect("accounts:request_queue")
    try:
        services.role_request_decide(
            user=request.user, request=role_request_obj, grant=decision == "grant", note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("Granted: %(who)s as %(role)s of %(actor)s.") if decision == "grant" else _(
            "Refused: %(who)s as %(role)s of %(actor)s."
        )
        messages.success(
            request,
            text % {
                "who": role_request_obj.user.public_name,
                "role": role_request_obj.get_kind_display(),
                "actor": role_request_obj.actor.name,
            },
        )
    return redirect("accounts:request_queue")


# --- An actor's team: roles and invitations -------------------------------------------------------------


def _team_context(actor: Actor, invitation_form: InvitationForm) -> dict[str, Any]:
    return {
        "actor": actor,
        "roles": selectors.role_list_for_actor(actor=actor),
        "invitations": selectors.invitation_list_open_for_actor(actor=actor),
        "invitation_form": invitation_form,
        "now": timezone.now(),
    }


@login_required
def team(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    actor = _actor_or_404(slug)
    if not request.user.has_perm("accounts.manage_roles", actor):
        raise PermissionDenied
    kinds = selectors.role_kinds_for(actor)
    form = InvitationForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, raw_token = services.invitation_create(user=request.user, actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            link = absolute_url(reverse("accounts:invitation_accept", args=[raw_token]))
            return render(request, "accounts/invitation_created.html", {"actor": actor, "invitation": invitation, "link": link})
    status = 400 if form.errors else 200
    return render(request, "accounts/team.html", _team_context(actor, form), status=status)


@require_POST
@login_required
def role_end(request: AuthenticatedHttpRequest, role_id: int) -> HttpResponse:
    role = get_object_or_404(selectors.role_list(), pk=role_id)
    try:
        services.role_end(user=request.user, role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(who)s is no longer %(role)s of %(actor)s.")
            % {"who": role.user.public_name, "role": role.get_kind_display(), "actor": role.actor.name},
        )
    if request.user.has_perm("accounts.manage_roles", role.actor):
        return redirect("accounts:team", slug=role.actor.slug)
    return redirect("accounts:me")


@require_POST
@login_required
def invitation_revoke(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(selectors.invitation_list(), pk=invitation_id)
    try:
        services.invitation_revoke(user=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation is withdrawn; its link no longer works."))
    return redirect("accounts:team", slug=invitation.actor.slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link sees what it offers; signed-in people accept it with one button."""
    invitation = services.invitation_find(raw_token=token)
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
        try:
            role = services.invitation_accept(user=request.user, raw_token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("You are now %(role)s of %(actor)s.") % {"role": role.get_kind_display(), "actor": role.actor.name},
            )
            return redirect("accounts:me")
    elif invitation is not None:
        try:
            services.invitation_check_usable(invitation)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("This invitation link is not valid. Check that you copied all of it.")
    status = 400 if error else 200
    return render(
        request, "accounts/invitation_accept.html", {"invitation": invitation, "error": error}, status=status
    )


# --- Password reset and change (Django's views with our templates) --------------------------------------

password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password from a reset link revokes every API token: whoever knew the old one may hold a key."""

    @transaction.atomic
    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        services.api_token_revoke_all(user=form.user, reason="password_reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing one's password revokes every API token made under the old one."""

    @transaction.atomic
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        services.api_token_revoke_all(user=form.user, reason="password_change")
        messages.info(self.request, _("Your password is changed. Your API tokens were revoked: create new ones "
                                      "for the scripts that still need them."))
        return response


password_reset_confirm = PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html", success_url=reverse_lazy("accounts:password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = login_required(
    PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:me")
    )
)
logout = auth_views.LogoutView.as_view(next_page="home")


# --- Personal data: download my data, delete my account ----------------------------------------------------


@login_required
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What we keep about you, with the download and deletion links."""
    kept_minutes = int(selectors.sign_in_records_kept_for().total_seconds() // 60)
    return render(request, "accounts/my_data.html", {"sign_in_kept_minutes": kept_minutes})


@login_required
def my_data_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything kept about the signed-in person, as one JSON file."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    data = services.personal_data_export(user=request.user)
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="arrival-my-data.json"'
    return response


@login_required
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    from django.contrib.auth import logout as auth_logout

    from arrival.accounts.forms import AccountDeleteForm

    form = AccountDeleteForm(request.POST or None)
    needs_password = request.user.has_usable_password()
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user, keep_content_anonymised=form.cleaned_data["content"] == "keep",
                                    password=form.cleaned_data.get("password"))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            auth_logout(request)
            messages.success(request, _("Your account is deleted."))
            return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form, "needs_password": needs_password})
