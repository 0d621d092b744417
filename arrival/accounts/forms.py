"""Forms of the accounts pages. They only shape input; every rule lives in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from arrival.accounts.models import ApiTokenScope
from arrival.accounts.services import API_TOKEN_DAYS_DEFAULT, INVITATION_DAYS_MAX
from arrival.core.forms import form_field
from arrival.core.time_zones import available_time_zones

# Which form field a service error belongs to, by its code; anything else is shown above the form.
_FIELD_BY_CODE = {
    "username_required": "username",
    "username_taken": "username",
    "invalid": "email",
    "email_taken": "email",
    "invalid_language": "preferred_language",
    "password_too_short": "password1",
    "password_too_similar": "password1",
    "password_too_common": "password1",
    "password_entirely_numeric": "password1",
    "bad_code": "token",
    "throttled": "token",
}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the fields it concerns, so the person sees it in place."""
    for item in error.error_list:
        field = _FIELD_BY_CODE.get(item.code or "")
        form.add_error(field if field in form.fields else None, item)


class SignUpForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to sign in; never shown to others. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown next to what you write. A pseudonym is fine; leave it empty to use your username."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        help_text=_("Only for notifications and for resetting a forgotten password. Without it, keep your password safe."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class SignInForm(AuthenticationForm):
    """Django's sign-in form (it passes the request to `authenticate`, which django-axes needs)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or the password is not right. Both are case-sensitive."),
    }


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}),
    )


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes (letters and digits, each works once)."""

    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}),
    )


class ProfileForm(forms.Form):
    display_name = SignUpForm.base_fields["display_name"]
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        help_text=_("Only for notifications and for resetting a forgotten password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False,
        help_text=_("Dates and deadlines are shown in this zone, with its name. Leave it empty to use the zone of "
                    "the government you act for."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "time_zone", forms.ChoiceField).choices = [("", _("The zone of my government")),
                                            *((zone, zone) for zone in available_time_zones())]


class ActorSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name of the city, region, country, network or organisation"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class RoleRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Role"))
    message = forms.CharField(
        label=_("How can site staff verify that you act for this actor?"),
        help_text=_("For example your work e-mail address or the name of the service you work in."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = kinds


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the person (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InvitationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Role"))
    note = forms.CharField(
        label=_("Who is invited (for your team's reference)"), max_length=200, required=False
    )
    days_valid = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=INVITATION_DAYS_MAX, initial=14
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = kinds


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What will use it, e.g. “monthly export script”.")
    )
    scope = forms.ChoiceField(
        label=_("What the token may do"), choices=ApiTokenScope.choices, initial=ApiTokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_("A read-only token cannot change anything. No token can create tokens or change your account."),
    )
    days_valid = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, initial=API_TOKEN_DAYS_DEFAULT,
        choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (365, _("1 year"))],
        help_text=_("Every token expires; create a new one when it does."),
    )



class AccountDeleteForm(forms.Form):
    """Delete my account: the person chooses what happens to what they wrote."""

    content = forms.ChoiceField(
        label=_("What happens to what you wrote"),
        choices=[("keep", _("Keep it, anonymised: your name is taken off and it stays for others to read")),
                 ("remove", _("Remove it: your words are deleted; a notice keeps their place in conversations"))],
        widget=forms.RadioSelect,
    )
    password = forms.CharField(label=_("Your password"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone"))
