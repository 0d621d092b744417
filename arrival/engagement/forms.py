"""Forms of engagement's pages: validate the shape of input; services check the rest."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from arrival.engagement.models import DigestPeriod, ModerationAction, ReportReason
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
    digest_period = forms.ChoiceField(label=_("E-mail digest"), choices=DigestPeriod.choices,
                                      widget=forms.RadioSelect)
