"""Forms of engagement's pages: validate the shape of input; services check the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from arrival.engagement.handoffs import notification_kind_list
from arrival.engagement.models import Delivery, DigestPeriod, ModerationAction, ReportReason
from arrival.engagement.services import COMMENT_MAX, REASON_MAX


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    language = forms.ChoiceField(label=_("Written in"), choices=[("", _("Not said")), *settings.LANGUAGES],
                                 required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why should a moderator look at this?"), choices=ReportReason.choices)
    note = forms.CharField(label=_("Note for the moderators (optional)"), max_length=500, required=False)
    token = forms.CharField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    target_type = forms.CharField(widget=forms.HiddenInput)
    target_id = forms.CharField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("Decision"), choices=ModerationAction.choices)
    reason = forms.CharField(label=_("Reason (kept on record, shown to the author)"), max_length=REASON_MAX)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class NotificationSettingsForm(forms.Form):
    """The digest period, then one choice per registered kind of notification (field `kind:<key>`)."""

    digest_period = forms.ChoiceField(label=_("E-mail digest"), choices=DigestPeriod.choices,
                                      widget=forms.RadioSelect)

    def __init__(self, *args: Any, deliveries: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_of: dict[str, str] = {}  # field name → the app group it is shown under
        for kind in notification_kind_list():
            self.fields[f"kind:{kind.key}"] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, initial=deliveries.get(kind.key, Delivery.DIGEST),
                widget=forms.RadioSelect, required=False,
            )
            self.group_of[f"kind:{kind.key}"] = str(kind.group)

    def kind_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The per-kind fields, grouped by app for the page."""
        groups: dict[str, list[forms.BoundField]] = {}
        for name in self.fields:
            if name.startswith("kind:"):
                groups.setdefault(self.group_of[name], []).append(self[name])
        return list(groups.items())

    def deliveries(self) -> dict[str, str]:
        return {name.removeprefix("kind:"): value for name, value in self.cleaned_data.items()
                if name.startswith("kind:") and value}
