"""Writes of resident participation. Each runs in one transaction, checks its permission and the current phase,
writes an audit row, and raises ValidationError (changing nothing) for bad input.

Phases come from engagement: a process has dated phases, each listing what participants may do
("create:participation.proposal", "support:participation.proposal", "comment:participation.proposal");
`engagement.services.phase_require` is the gate. Posting is rate-limited with engagement's own limit
(ARRIVAL_POST_RATE, counted in the "throttle" cache), never with a second mechanism.

Guests: a person may post one proposal without an account. A guest user is created without e-mail or
password; a secret link (only its hash is stored) brings them back to their proposal.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrival.accounts import services as accounts
from arrival.accounts.models import User
from arrival.accounts.selectors import user_actor_ids
from arrival.actors.models import Actor, ActorKind
from arrival.core.attachments import IMAGE_TYPES, attachment_create
from arrival.core.languages import UN_LANGUAGES, base_language, page_language
from arrival.core.models import Attachment
from arrival.core.permissions import require
from arrival.core.services import audit_record, audit_redact_target, snapshot
from arrival.core.site import absolute_url
from arrival.core.translations import localized, translations_clean
from arrival.engagement import selectors as engagement_selectors
from arrival.engagement import services as engagement
from arrival.engagement.models import Comment, Delivery, Visibility
from arrival.engagement.phases import PhaseSpec
from arrival.participation import selectors
from arrival.participation.languages import language_clean
from arrival.participation.links import COMMITMENT_TYPE
from arrival.participation.models import (
    ANSWER_TRANSLATABLE,
    CATEGORY_TRANSLATABLE,
    PHASE_ANSWER,
    PHASE_COLLECT,
    PHASE_REPORT_BACK,
    PHASE_SUPPORT,
    PROCESS_KIND,
    PROCESS_TRANSLATABLE,
    STATUS_TRANSLATABLE,
    Access,
    Answer,
    AnswerStatus,
    Category,
    DemographicAnswer,
    GuestAccess,
    InvitedGroup,
    LinkKind,
    Neighbourhood,
    ParticipationProcess,
    Proposal,
    ProposalImage,
    ProposalKind,
    ProposalLink,
    ProposalTranslation,
    StatusKind,
    Support,
)

ACTION_CREATE = "create:participation.proposal"
ACTION_SUPPORT = "support:participation.proposal"
ACTION_COMMENT = "comment:participation.proposal"
ALL_ACTIONS = (ACTION_CREATE, ACTION_SUPPORT, ACTION_COMMENT)
# The order a process moves through; any of them may be left out (a collect phase may lead straight to answers).
PHASE_SEQUENCE = (PHASE_COLLECT, PHASE_SUPPORT, PHASE_ANSWER, PHASE_REPORT_BACK)

# The defaults a city starts with; it may rename, reorder and add its own.
DEFAULT_STATUSES = (
    (gettext_lazy("Under consideration"), StatusKind.CONSIDERING, False),
    (gettext_lazy("Accepted"), StatusKind.ACCEPTED, False),
    (gettext_lazy("In progress"), StatusKind.IN_PROGRESS, False),
    (gettext_lazy("Done"), StatusKind.DONE, True),
    (gettext_lazy("Not possible"), StatusKind.NOT_POSSIBLE, True),
)
# Statuses under which a proposal may be linked to what it became.
LINKABLE_KINDS = (StatusKind.ACCEPTED, StatusKind.IN_PROGRESS, StatusKind.DONE)

# The optional aggregate questions: anonymous counts per option, never stored per person.
DEMOGRAPHIC_QUESTIONS: dict[str, dict[str, Any]] = {
    "age": {"label": gettext_lazy("Your age"), "options": {
        "under_18": gettext_lazy("Under 18"), "18_29": gettext_lazy("18–29"), "30_44": gettext_lazy("30–44"),
        "45_64": gettext_lazy("45–64"), "65_plus": gettext_lazy("65 or over"),
        "no_answer": gettext_lazy("I prefer not to say")}},
    "gender": {"label": gettext_lazy("Your gender"), "options": {
        "woman": gettext_lazy("Woman"), "man": gettext_lazy("Man"), "other": gettext_lazy("In another way"),
        "no_answer": gettext_lazy("I prefer not to say")}},
    "years_in_city": {"label": gettext_lazy("How long you have lived in the city"), "options": {
        "under_1": gettext_lazy("Less than a year"), "1_5": gettext_lazy("1 to 5 years"),
        "over_5": gettext_lazy("More than 5 years"), "no_answer": gettext_lazy("I prefer not to say")}},
}

_PROCESS_FIELDS = ("title", "purpose", "input_use", "languages", "privacy_notice", "retention_months", "access",
                   "demographics_enabled", "language", "translations")
_PROCESS_LIMITS = {"title": 300, "purpose": 5000, "input_use": 5000, "privacy_notice": 5000}
_PROPOSAL_FIELDS = ("kind", "title", "body", "language", "category", "neighbourhood", "visibility")
_ANSWER_FIELDS = ("proposal", "status", "text", "reasons", "language", "translations")
_STATUS_FIELDS = ("label", "kind", "is_closing", "position", "language", "translations")
_TRANSLATION_FIELDS = ("proposal", "language", "title", "body")
_LINK_FIELDS = ("proposal", "kind", "target_type", "target_id", "label", "url")
_GUEST_PREFIX = "guest-"

# The notifications participation sends (registered in handoffs.py).
KIND_SUBMITTED = "participation.submitted"
KIND_COMMENTED = "participation.commented"
KIND_ANSWERED = "participation.answered"
KIND_REPORTED_BACK = "participation.reported_back"

logger = logging.getLogger(__name__)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")}, code="required")
    if len(value) > max_length:
        raise ValidationError({field: _("Keep it under %(max)d characters.") % {"max": max_length}}, code="too_long")
    return value


# --- Rate limit: engagement's posting limit ------------------------------------------------------------


def _rate_check(key: str) -> None:
    """Count one post for `key` against ARRIVAL_POST_RATE with engagement's own counter (same setting, same
    "throttle" cache, one count per person shared with comments). Guests count per browser session."""
    engagement.post_rate_check(poster=key)


# --- Hand-offs: who is told what (never in a resident's own words) -------------------------------------


def _tell_team(proposal: Proposal, *, author: Any) -> None:
    """A new need or proposal waits on the city's team: each member is told (the author excepted)."""
    team = [person for person in selectors.team_members(process=proposal.process) if person.pk != author.pk]
    process, is_need = proposal.process, proposal.kind == ProposalKind.NEED

    def render() -> str:  # in each recipient's language: the process's title too, where the team translated it
        process_title = localized(process, "title").text
        if is_need:
            return _("A resident posted a need in “%(process)s”.") % {"process": process_title}
        return _("A resident posted a proposal in “%(process)s”.") % {"process": process_title}

    engagement.notification_send(recipients=team, kind=KIND_SUBMITTED, text=render, url=proposal.get_absolute_url(),
                                 target=proposal)


def _tell_author_and_followers(proposal: Proposal, *, kind: str, for_author: Any, for_followers: Any,
                               leave_out: Iterable[Any] = ()) -> None:
    """Tell the author (`for_author`) and the supporters who follow the proposal (`for_followers`), except the
    people in `leave_out` (ids: whoever acted)."""
    skip = {pk for pk in leave_out if pk is not None}
    url = proposal.get_absolute_url()
    if proposal.author_id and proposal.author_id not in skip:
        author = User.objects.filter(pk=proposal.author_id).first()
        engagement.notification_send(recipients=[author], kind=kind, text=for_author, url=url, target=proposal)
    following = [person for person in selectors.followers(proposal=proposal)
                 if person.pk not in skip and person.pk != proposal.author_id]
    engagement.notification_send(recipients=following, kind=kind, text=for_followers, url=url, target=proposal)


def _guest_mail(proposal: Proposal, *, kind: str) -> None:
    """A guest author who left an e-mail address is told the city answered, after the commit: the e-mail holds a
    sentence in the guest's language and the proposal's link, never what anyone wrote. Their choice for the kind
    counts ("in the app only" or "off": no e-mail)."""
    if proposal.author_id is None:
        return
    access = (GuestAccess.objects.select_related("user").filter(user_id=proposal.author_id, user__is_active=True)
              .exclude(email="").first())
    if access is None:
        return
    guest = access.user
    if engagement_selectors.notification_preferences_get(user=guest).get(kind) != Delivery.DIGEST:
        return
    link = absolute_url(proposal.get_absolute_url())
    with translation.override(guest.preferred_language or settings.LANGUAGE_CODE):
        if kind == KIND_REPORTED_BACK:
            subject = _("The city reported back on your proposal")
            lead = _("The city reported back on the proposal you posted as a guest. Read it here:")
        else:
            subject = _("The city answered your proposal")
            lead = _("The city answered the proposal you posted as a guest. Read the answer here:")
        body = "\n\n".join([lead, link, _(
            "To reply, or to remove your proposal, open the secret link you kept when you posted. You receive this "
            "e-mail because you left this address for it; nothing else is ever sent to it.")])
    address = access.email

    def send() -> None:
        try:
            send_mail(subject, body, None, [address])
        except OSError:  # smtplib's errors are OSErrors; the answer is published, the guest can still read it
            logger.exception("The e-mail telling a guest about proposal %s could not be sent.", proposal.pk)

    transaction.on_commit(send)


def comment_handoff(comment: Comment) -> None:
    """Someone commented on a proposal: its author and the supporters who follow it are told (not the commenter,
    nor the author of the comment answered, whom engagement already tells). Called by engagement's
    `on_comment_created`, in the comment's transaction."""
    proposal = Proposal.objects.select_related("process").filter(pk=comment.target_id).first()
    if proposal is None or proposal.visibility != Visibility.VISIBLE:
        return
    process_title = proposal.process.title
    parent_author = comment.parent.author_id if comment.parent_id and comment.parent else None
    _tell_author_and_followers(
        proposal, kind=KIND_COMMENTED, leave_out=[comment.author_id, parent_author],
        for_author=lambda: _("There is a new comment on your proposal in “%(process)s”.") % {"process": process_title},
        for_followers=lambda: _("There is a new comment on a proposal you follow in “%(process)s”.")
        % {"process": process_title})


# --- Processes ---------------------------------------------------------------------------------------


def default_privacy_notice(*, retention_months: int) -> str:
    """The plain-language notice shown when the city writes none of its own."""
    return _(
        "What we keep: what you write here (your proposals, comments and translations the city adds), the "
        "proposals you support, and the name you choose to show — a pseudonym is fine. An e-mail address is "
        "optional and used only for notifications. We never ask for or keep your legal or migration status, "
        "nationality or papers. We do not store your IP address or your location with what you write; a place "
        "on the map is a neighbourhood, never a home address. To protect accounts, failed sign-in attempts are "
        "recorded with the address they came from for a short time; this is kept apart from what you write. "
        "The optional questions about you are counted only as totals and never linked to you. How long: "
        "%(months)d months after the process ends, we take your name off what you wrote and delete the record "
        "of which proposals you supported (the totals stay) and any guest account made for this process. What "
        "you wrote and the city's answers stay public, without names, as the record of what the city was told "
        "and what it did. You can "
        "download your data or delete your account at any time, and choose whether what you wrote stays "
        "anonymised or is removed."
    ) % {"months": retention_months}


def privacy_notice_text(process: ParticipationProcess) -> str:
    """The process's own notice, or the plain-language default with its retention period."""
    return process.privacy_notice or default_privacy_notice(retention_months=process.retention_months)


def _clean_languages(languages: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for code in languages or []:
        code = language_clean(code)
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "process"
    slug = base
    while ParticipationProcess.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


def _check_process_fields(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in data:
        out["title"] = _text(data["title"], field="title", max_length=300)
    if "purpose" in data:
        out["purpose"] = _text(data["purpose"], field="purpose", max_length=5000)
    if "input_use" in data:
        out["input_use"] = _text(data["input_use"], field="input_use", max_length=5000)
    if "privacy_notice" in data:
        out["privacy_notice"] = _text(data["privacy_notice"], field="privacy_notice", max_length=5000, required=False)
    if "languages" in data:
        out["languages"] = _clean_languages(data["languages"])
    if "language" in data:
        out["language"] = language_clean(data["language"] or "en")
    if "retention_months" in data:
        months = int(data["retention_months"])
        if not 1 <= months <= 120:
            raise ValidationError({"retention_months": _("Keep content between 1 and 120 months.")})
        out["retention_months"] = months
    if "access" in data:
        if data["access"] not in Access.values:
            raise ValidationError({"access": _("Choose open or invited groups.")})
        out["access"] = data["access"]
    if "demographics_enabled" in data:
        out["demographics_enabled"] = bool(data["demographics_enabled"])
    return out


def phases_in_sequence(phases: Iterable[PhaseSpec]) -> list[PhaseSpec]:
    """`phases` in the natural sequence collect → support → answer → report back (then by start), whatever order
    they were given in; engagement then checks that their dates follow that sequence without overlapping."""
    rank = {key: position for position, key in enumerate(PHASE_SEQUENCE)}
    return sorted(phases, key=lambda spec: (rank.get(spec.phase_type, len(rank)), spec.starts_at))


def process_create(
    *,
    user: Any,
    owner: Actor,
    title: str,
    purpose: str,
    input_use: str,
    phases: list[PhaseSpec],
    languages: Iterable[str] = (),
    time_zone: str = "UTC",
    access: str = Access.OPEN,
    demographics_enabled: bool = False,
    privacy_notice: str = "",
    retention_months: int = 24,
    categories: Iterable[str] = (),
    language: str = "",
    translations: Any = None,
    is_demo: bool = False,
) -> ParticipationProcess:
    """A local government opens a participation process with its phases (engagement checks their order)."""
    require(user, "participation.add_participationprocess", owner)
    if owner.kind != ActorKind.LOCAL_GOVERNMENT:
        raise ValidationError(_("Only a local government runs resident participation processes."), code="owner")
    fields = _check_process_fields({"title": title, "purpose": purpose, "input_use": input_use,
                                    "languages": languages, "access": access, "privacy_notice": privacy_notice,
                                    "retention_months": retention_months,
                                    "demographics_enabled": demographics_enabled})
    # Written in the language given, else the first the city reads and answers in.
    fields["language"] = language_clean(language) if language else (fields["languages"] or ["en"])[0]
    fields["translations"] = _process_translations(translations, fields["language"])
    names = [_text(name, field="categories", max_length=120) for name in categories if (name or "").strip()]
    with transaction.atomic():
        process = engagement.process_create(user=user, owner=owner, kind=PROCESS_KIND, title=fields["title"],
                                            phases=phases_in_sequence(phases), time_zone=time_zone, is_demo=is_demo)
        participation = ParticipationProcess.objects.create(
            process=process, owner=owner, slug=_unique_slug(fields["title"]), is_demo=is_demo, **fields)
        for position, name in enumerate(dict.fromkeys(names)):
            Category.objects.create(process=participation, name=name, position=position, language=participation.language)
        answer_statuses_ensure(owner=owner)
        audit_record(user=user, action="participation.process_create", target=participation,
                     after=snapshot(participation, _PROCESS_FIELDS))
    return participation


def process_update(*, user: Any, process: ParticipationProcess, phases: list[PhaseSpec] | None = None,
                   **changes: Any) -> ParticipationProcess:
    """Change a process's texts and settings, and (when given) replace its phases."""
    require(user, "participation.change_participationprocess", process)
    unknown = set(changes) - set(_PROCESS_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    fields = _check_process_fields(changes)
    with transaction.atomic():
        process = ParticipationProcess.objects.select_for_update().get(pk=process.pk)
        before = snapshot(process, _PROCESS_FIELDS)
        for name, value in fields.items():
            setattr(process, name, value)
        if "translations" in changes or "language" in changes:
            process.translations = _process_translations(changes.get("translations", process.translations),
                                                         process.language)
        process.save()
        if "title" in fields:
            engagement.process_update(user=user, process=process.process, title=fields["title"])
        if phases is not None:
            engagement.process_phases_set(user=user, process=process.process, phases=phases_in_sequence(phases))
        audit_record(user=user, action="participation.process_update", target=process, before=before,
                     after=snapshot(process, _PROCESS_FIELDS))
    return process


def _process_translations(value: Any, language: str) -> dict[str, dict[str, str]]:
    return translations_clean(value, fields=PROCESS_TRANSLATABLE, original_language=language,
                              max_lengths=_PROCESS_LIMITS)


def _interface_translations(label: Any, language: str) -> dict[str, dict[str, str]]:
    """A default label in every other interface language, from the interface's own (human) translations."""
    texts: dict[str, dict[str, str]] = {}
    for code, django_code in zip(UN_LANGUAGES, ("en", "fr", "es", "ar", "zh-hans", "ru"), strict=True):
        if code != base_language(language):
            with translation.override(django_code):
                texts[code] = {"label": str(label)}
    return texts


def process_translations_set(*, user: Any, process: ParticipationProcess, translations: Any,
                             categories: dict[int, Any] | None = None) -> ParticipationProcess:
    """Replace the translations of the process's texts and (by category id) of its categories' names."""
    require(user, "participation.change_participationprocess", process)
    with transaction.atomic():
        process = ParticipationProcess.objects.select_for_update().get(pk=process.pk)
        before = {"translations": process.translations,
                  "categories": {c.pk: c.translations for c in process.categories.all()}}
        process.translations = _process_translations(translations, process.language)
        process.save(update_fields=["translations", "updated_at"])
        for category in process.categories.all():
            if categories is not None and category.pk in categories:
                category.translations = translations_clean(
                    categories[category.pk], fields=CATEGORY_TRANSLATABLE, original_language=category.language,
                    max_lengths={"name": 120})
                category.save(update_fields=["translations"])
        audit_record(user=user, action="participation.process_translations_set", target=process, before=before,
                     after={"translations": process.translations,
                            "categories": {c.pk: c.translations for c in process.categories.all()}})
    return process


def categories_set(*, user: Any, process: ParticipationProcess, names: Iterable[str]) -> list[Category]:
    """Keep the categories named (in this order), add new ones, delete the rest (their proposals keep none)."""
    require(user, "participation.change_participationprocess", process)
    cleaned = list(dict.fromkeys(_text(n, field="categories", max_length=120) for n in names if (n or "").strip()))
    with transaction.atomic():
        before = {"categories": list(process.categories.values_list("name", flat=True))}
        process.categories.exclude(name__in=cleaned).delete()
        result = []
        for position, name in enumerate(cleaned):
            category, _created = Category.objects.update_or_create(
                process=process, name=name, defaults={"position": position},
                create_defaults={"position": position, "language": process.language})
            result.append(category)
        audit_record(user=user, action="participation.categories_set", target=process, before=before,
                     after={"categories": cleaned})
    return result


def neighbourhood_create(*, user: Any, owner: Actor, name: str, latitude: float | None = None,
                         longitude: float | None = None, is_demo: bool = False) -> Neighbourhood:
    """A neighbourhood of the city; its centre is rounded to about a kilometre, so it can never be an address."""
    require(user, "participation.add_participationprocess", owner)
    name = _text(name, field="name", max_length=120)
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give both latitude and longitude, or neither."))
    if latitude is not None and longitude is not None:
        if not (-90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180):
            raise ValidationError(_("These coordinates are not on Earth."))
        latitude, longitude = round(float(latitude), 2), round(float(longitude), 2)
    with transaction.atomic():
        if Neighbourhood.objects.filter(owner=owner, name=name).exists():
            raise ValidationError({"name": _("This city already has a neighbourhood with this name.")})
        hood = Neighbourhood.objects.create(owner=owner, name=name, latitude=latitude, longitude=longitude,
                                            is_demo=is_demo)
        audit_record(user=user, action="participation.neighbourhood_create", target=hood,
                     after=snapshot(hood, ("name", "latitude", "longitude")))
    return hood


# --- Invited groups ---------------------------------------------------------------------------------------


def invited_group_create(*, user: Any, process: ParticipationProcess, name: str,
                         is_demo: bool = False) -> tuple[InvitedGroup, str]:
    """A group invited by link (e.g. a migrant council). Returns the group and the raw token, shown once."""
    require(user, "participation.change_participationprocess", process)
    name = _text(name, field="name", max_length=200)
    raw = secrets.token_urlsafe(24)
    with transaction.atomic():
        group = InvitedGroup.objects.create(process=process, name=name, token_hash=_hash(raw), is_demo=is_demo)
        audit_record(user=user, action="participation.invited_group_create", target=group, after={"name": name})
    return group, raw


def invited_group_join(*, user: Any, raw_token: str) -> InvitedGroup:
    """A signed-in person (or guest) who holds the link joins the group."""
    require(user, "engagement.add_comment", None)
    group = InvitedGroup.objects.select_related("process").filter(token_hash=_hash(raw_token or "")).first()
    if group is None:
        raise ValidationError(_("This invitation link is not valid. Check that you copied all of it."))
    with transaction.atomic():
        group.members.add(user)
        audit_record(user=user, action="participation.invited_group_join", target=group)
    return group


# --- Answer statuses ------------------------------------------------------------------------------------


def answer_statuses_ensure(*, owner: Actor) -> list[AnswerStatus]:
    """The city's statuses; the five defaults are created the first time a city needs them."""
    existing = list(AnswerStatus.objects.filter(owner=owner))
    if existing:
        return existing
    with transaction.atomic():
        language = page_language()
        for position, (label, kind, closing) in enumerate(DEFAULT_STATUSES):
            AnswerStatus.objects.get_or_create(owner=owner, label=str(label), defaults={
                "kind": kind, "is_closing": closing, "position": position, "language": language,
                "translations": _interface_translations(label, language)})
    return list(AnswerStatus.objects.filter(owner=owner))


def answer_status_save(*, user: Any, owner: Actor, label: str, kind: str, is_closing: bool = False,
                       position: int = 0, status: AnswerStatus | None = None, language: str = "",
                       translations: Any = None) -> AnswerStatus:
    """Add a status to the city's list, or change one (`status`); its label's language (default: the page's, or
    the status's own) and translations. A changed label without translations given keeps none of the old ones."""
    require(user, "participation.add_participationprocess", owner)
    label = _text(label, field="label", max_length=80)
    language = language_clean(language) if language else (status.language if status is not None else page_language())
    if translations is None and status is not None and status.label == label and status.language == language:
        translations = status.translations
    translations = translations_clean(translations, fields=STATUS_TRANSLATABLE, original_language=language,
                                      max_lengths={"label": 80})
    if kind not in StatusKind.values:
        raise ValidationError({"kind": _("Choose what the status means.")})
    if status is not None and status.owner_id != owner.pk:
        raise PermissionDenied("This status belongs to another city.")
    with transaction.atomic():
        clash = AnswerStatus.objects.filter(owner=owner, label=label)
        if status is not None:
            clash = clash.exclude(pk=status.pk)
        if clash.exists():
            raise ValidationError({"label": _("The city already has a status with this label.")})
        before = snapshot(status, _STATUS_FIELDS) if status else None
        if status is None:
            status = AnswerStatus(owner=owner)
        status.label, status.kind, status.is_closing, status.position = label, kind, bool(is_closing), int(position)
        status.language, status.translations = language, translations
        status.save()
        audit_record(user=user, action="participation.answer_status_save", target=status, before=before,
                     after=snapshot(status, _STATUS_FIELDS))
    return status


# --- Proposals -----------------------------------------------------------------------------------------


def _check_proposal_fields(process: ParticipationProcess, *, kind: str, title: str, body: str, language: str,
                           category: Category | None, neighbourhood: Neighbourhood | None) -> dict[str, Any]:
    if kind not in ProposalKind.values:
        raise ValidationError({"kind": _("Choose a need or a proposal.")})
    if category is not None and category.process_id != process.pk:
        raise ValidationError({"category": _("This category belongs to another process.")})
    if neighbourhood is not None and neighbourhood.owner_id != process.owner_id:
        raise ValidationError({"neighbourhood": _("This neighbourhood is in another city.")})
    return {
        "kind": kind,
        "title": _text(title, field="title", max_length=200),
        "body": _text(body, field="body", max_length=10000),
        "language": language_clean(language),
        "category": category,
        "neighbourhood": neighbourhood,
    }


def proposal_create(
    *,
    user: Any,
    process: ParticipationProcess,
    title: str,
    body: str,
    language: str,
    kind: str = ProposalKind.PROPOSAL,
    category: Category | None = None,
    neighbourhood: Neighbourhood | None = None,
    images: Iterable[tuple[Any, str]] = (),
    is_demo: bool = False,
    at: Any = None,
) -> Proposal:
    """A participant posts a need or a proposal while the current phase allows it."""
    require(user, "participation.take_part", process)
    fields = _check_proposal_fields(process, kind=kind, title=title, body=body, language=language,
                                    category=category, neighbourhood=neighbourhood)
    images = [(file, _text(alt, field="images", max_length=300)) for file, alt in images]
    if GuestAccess.objects.filter(user_id=user.pk).exists():
        raise ValidationError(_("A guest posts one proposal. To post more, create an account — it needs no real "
                                "name and no e-mail."), code="guest_once")
    engagement.phase_require(process=process.process, action=ACTION_CREATE, at=at)
    if not is_demo:
        _rate_check(user.pk)
    with transaction.atomic():
        proposal = Proposal.objects.create(process=process, author=user, is_demo=is_demo, **fields)
        for file, alt in images:
            attachment = attachment_create(user=user, file=file, record=proposal, allowed_types=IMAGE_TYPES,
                                           max_bytes=5 * 1024 * 1024, is_demo=is_demo)
            ProposalImage.objects.create(proposal=proposal, attachment=attachment, alt_text=alt)
        audit_record(user=user, action="participation.proposal_create", target=proposal,
                     after=snapshot(proposal, _PROPOSAL_FIELDS))
        _tell_team(proposal, author=user)
    return proposal


def guest_proposal_create(*, process: ParticipationProcess, display_name: str = "", rate_key: str = "",
                          email: str = "", preferred_language: str = "", **fields: Any) -> tuple[Proposal, User, str]:
    """Post one proposal as a guest: an account with no e-mail and no password is made for it, and a secret
    link (returned raw, once; only its hash is kept) lets the guest come back to the proposal and its answer.
    An e-mail address is optional and kept beside the link (not on the account), only to tell the guest that the
    city answered, in `preferred_language` (the language of the page they posted from).
    """
    if process.access != Access.OPEN:
        raise ValidationError(_("Only members of the invited groups take part in this process."), code="invited")
    display_name = _text(display_name, field="display_name", max_length=80, required=False) or _("Guest")
    email = _text(email, field="email", max_length=254, required=False)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter an e-mail address, or leave it empty.")}) from None
    language = preferred_language if preferred_language in dict(settings.LANGUAGES) else ""
    engagement.phase_require(process=process.process, action=ACTION_CREATE, at=fields.get("at"))
    if rate_key:
        _rate_check(f"guest:{rate_key}")
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        guest = User(username=f"{_GUEST_PREFIX}{get_random_string(20).lower()}", display_name=display_name,
                     email=None, is_demo=bool(fields.get("is_demo", False)))
        if language:
            guest.preferred_language = language
        guest.set_unusable_password()
        guest.save()
        proposal = proposal_create(user=guest, process=process, **fields)
        GuestAccess.objects.create(user=guest, proposal=proposal, token_hash=_hash(raw), email=email)
        audit_record(user=guest, action="participation.guest_create", target=guest, after={"guest": True})
    return proposal, guest, raw


def guest_resume(*, raw_token: str) -> GuestAccess | None:
    """The guest a secret link belongs to (active users only), or None."""
    if not raw_token:
        return None
    access = (GuestAccess.objects.select_related("user", "proposal")
              .filter(token_hash=_hash(raw_token), user__is_active=True).first())
    if access is not None:
        GuestAccess.objects.filter(pk=access.pk).update(last_used_at=timezone.now())
    return access


def is_guest(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and GuestAccess.objects.filter(user_id=user.pk).exists()


def proposal_update(*, user: Any, proposal: Proposal, title: str, body: str, language: str,
                    kind: str | None = None, category: Category | None = None,
                    neighbourhood: Neighbourhood | None = None) -> Proposal:
    """The author corrects their proposal while proposals may still be posted and before the city answers."""
    require(user, "participation.change_proposal", proposal)
    process = proposal.process
    fields = _check_proposal_fields(process, kind=kind or proposal.kind, title=title, body=body, language=language,
                                    category=category, neighbourhood=neighbourhood)
    engagement.phase_require(process=process.process, action=ACTION_CREATE)
    if proposal.status_id is not None:
        raise ValidationError(_("The city has answered this proposal; it can no longer be changed."))
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before = snapshot(proposal, _PROPOSAL_FIELDS)
        for name, value in fields.items():
            setattr(proposal, name, value)
        proposal.save()
        audit_record(user=user, action="participation.proposal_update", target=proposal, before=before,
                     after=snapshot(proposal, _PROPOSAL_FIELDS))
    return proposal


def _remove_proposals(proposals: Iterable[Proposal]) -> list[str]:
    """Blank the words of `proposals` (they keep their place with a notice), drop images and translations."""
    ids = []
    for proposal in proposals:
        for image in proposal.images.select_related("attachment"):
            storage, path = image.attachment.file.storage, str(image.attachment.file.name)
            image.attachment.delete()
            transaction.on_commit(partial(storage.delete, path))
        translation_ids = [str(pk) for pk in proposal.translations.values_list("pk", flat=True)]
        audit_redact_target(target_type="participation.proposaltranslation", target_ids=translation_ids)
        proposal.translations.all().delete()
        proposal.title, proposal.body = "", ""
        proposal.visibility = Visibility.REMOVED
        proposal.author = None
        proposal.save(update_fields=["title", "body", "visibility", "author", "updated_at"])
        ids.append(str(proposal.pk))
    return ids


def proposal_remove(*, user: Any, proposal: Proposal) -> Proposal:
    """The author withdraws their proposal: its words go (also from the audit log); its place stays."""
    if proposal.author_id != getattr(user, "pk", None) or not getattr(user, "is_active", False):
        raise PermissionDenied("Only the author may remove a proposal.")
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        ids = _remove_proposals([proposal])
        audit_redact_target(target_type="participation.proposal", target_ids=ids)
        audit_record(user=user, action="participation.proposal_remove", target=proposal)
    return proposal


def proposal_translation_save(*, user: Any, proposal: Proposal, language: str, title: str,
                              body: str) -> ProposalTranslation:
    """The city adds (or corrects) a translation; the original stays as the author wrote it."""
    require(user, "participation.change_participationprocess", proposal)
    language = language_clean(language)
    if language == proposal.language:
        raise ValidationError({"language": _("This is the language the proposal was written in.")})
    title = _text(title, field="title", max_length=200)
    body = _text(body, field="body", max_length=10000)
    with transaction.atomic():
        translation = ProposalTranslation.objects.filter(proposal=proposal, language=language).first()
        before = snapshot(translation, _TRANSLATION_FIELDS) if translation else None
        if translation is None:
            translation = ProposalTranslation(proposal=proposal, language=language, is_demo=proposal.is_demo)
        translation.title, translation.body, translation.translated_by = title, body, user
        translation.save()
        audit_record(user=user, action="participation.translation_save", target=translation, before=before,
                     after=snapshot(translation, _TRANSLATION_FIELDS))
    return translation


# --- Supports ------------------------------------------------------------------------------------------


def support_create(*, user: Any, proposal: Proposal, follow: bool = True, is_demo: bool = False,
                   at: Any = None) -> Support:
    """Support a proposal, once per person, while the current phase allows supporting. A supporter follows the
    proposal (comments, the city's answer and report-back) unless they say otherwise (`follow`)."""
    require(user, "participation.take_part", proposal.process)
    if proposal.visibility != Visibility.VISIBLE:
        raise ValidationError(_("This proposal cannot be supported."), code="not_visible")
    if proposal.author_id == user.pk:
        raise ValidationError(_("You cannot support your own proposal."), code="own")
    engagement.phase_require(process=proposal.process.process, action=ACTION_SUPPORT, at=at)
    if Support.objects.filter(proposal=proposal, user=user).exists():
        raise ValidationError(_("You already support this proposal."), code="already")
    if not is_demo:
        _rate_check(user.pk)
    try:
        with transaction.atomic():
            support = Support.objects.create(proposal=proposal, user=user, follows=bool(follow), is_demo=is_demo)
            Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
            audit_record(user=user, action="participation.support_create", target=proposal,
                         after={"follows": support.follows})
    except IntegrityError:
        raise ValidationError(_("You already support this proposal."), code="already") from None
    return support


def support_withdraw(*, user: Any, proposal: Proposal, at: Any = None) -> None:
    """Take one's support back while supporting is open."""
    engagement.phase_require(process=proposal.process.process, action=ACTION_SUPPORT, at=at)
    with transaction.atomic():
        deleted, _rows = Support.objects.filter(proposal=proposal, user=user).delete()
        if not deleted:
            raise ValidationError(_("You do not support this proposal."), code="not_supported")
        Proposal.objects.filter(pk=proposal.pk, support_count__gt=0).update(support_count=F("support_count") - 1)
        audit_record(user=user, action="participation.support_withdraw", target=proposal)


def follow_set(*, user: Any, proposal: Proposal, follows: bool) -> Support:
    """A supporter starts or stops following a proposal they support (at any time, in any phase)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to follow a proposal.")
    with transaction.atomic():
        support = Support.objects.select_for_update().filter(proposal=proposal, user_id=user.pk).first()
        if support is None:
            raise ValidationError(_("Support this proposal to follow it."), code="not_supported")
        if support.follows != bool(follows):
            support.follows = bool(follows)
            support.save(update_fields=["follows"])
            audit_record(user=user, action="participation.follow_set", target=proposal,
                         after={"follows": support.follows})
    return support


# --- The city's answers ---------------------------------------------------------------------------------


def answer_create(*, user: Any, proposal: Proposal, status: AnswerStatus, text: str, reasons: str = "",
                  language: str = "", translations: Any = None, is_demo: bool = False) -> Answer:
    """The city's team answers with a status from its list and a public text. The author and the supporters who
    follow the proposal are told; an answer to a proposal the city had already accepted is its report-back on it.
    A guest author who left an e-mail address gets an e-mail with the link, after the commit."""
    require(user, "participation.change_participationprocess", proposal)
    if status.owner_id != proposal.process.owner_id:
        raise ValidationError({"status": _("Choose one of this city's statuses.")})
    if proposal.visibility == Visibility.REMOVED:
        raise ValidationError(_("Its author removed this proposal."))
    text = _text(text, field="text", max_length=5000)
    reasons = _text(reasons, field="reasons", max_length=5000, required=False)
    if status.kind == StatusKind.NOT_POSSIBLE and not reasons:
        raise ValidationError({"reasons": _("Say why this is not possible.")})
    language = language_clean(language) if language else proposal.process.language
    translations = translations_clean(translations, fields=ANSWER_TRANSLATABLE, original_language=language,
                                      max_lengths={"text": 5000, "reasons": 5000})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update(of=("self",)).select_related("status").get(pk=proposal.pk)
        reporting_back = locked.status is not None and locked.status.kind in LINKABLE_KINDS
        answer = Answer.objects.create(proposal=proposal, status=status, text=text, reasons=reasons,
                                       language=language, translations=translations, answered_by=user,
                                       is_demo=is_demo)
        Proposal.objects.filter(pk=proposal.pk).update(status=status, answered_at=answer.created_at)
        audit_record(user=user, action="participation.answer_create", target=answer,
                     after=snapshot(answer, _ANSWER_FIELDS))
        def values() -> dict[str, str]:  # in each recipient's language, translations included
            return {"process": localized(proposal.process, "title").text, "status": localized(status, "label").text}

        kind = KIND_REPORTED_BACK if reporting_back else KIND_ANSWERED
        if reporting_back:
            _tell_author_and_followers(
                proposal, kind=kind, leave_out=[user.pk],
                for_author=lambda: _("The city reported back on your proposal in “%(process)s”: %(status)s.")
                % values(),
                for_followers=lambda: _("The city reported back on a proposal you support in “%(process)s”: "
                                        "%(status)s.") % values())
        else:
            _tell_author_and_followers(
                proposal, kind=kind, leave_out=[user.pk],
                for_author=lambda: _("The city answered your proposal in “%(process)s”: %(status)s.") % values(),
                for_followers=lambda: _("The city answered a proposal you support in “%(process)s”: %(status)s.")
                % values())
        if proposal.author_id and proposal.author_id != user.pk:
            _guest_mail(proposal, kind=kind)
    proposal.status, proposal.answered_at = status, answer.created_at
    return answer


def proposal_link_create(*, user: Any, proposal: Proposal, kind: str, target_type: str, target_id: Any,
                         label: str, url: str) -> ProposalLink:
    """Record what an accepted proposal became: a commitment, or evidence for an assessment's indicator."""
    require(user, "participation.change_participationprocess", proposal)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": _("Choose a commitment or evidence.")})
    if proposal.status is None or proposal.status.kind not in LINKABLE_KINDS:
        raise ValidationError(_("Only an accepted proposal can be linked to what it became."), code="not_accepted")
    label = _text(label, field="label", max_length=300)
    url = _text(url, field="url", max_length=500)
    if not url.startswith("/"):
        raise ValidationError({"url": _("Link to a page of this site.")})
    with transaction.atomic():
        link, created = ProposalLink.objects.get_or_create(
            proposal=proposal, target_type=target_type, target_id=str(target_id),
            defaults={"kind": kind, "label": label, "url": url, "created_by": user, "is_demo": proposal.is_demo})
        if not created:
            raise ValidationError(_("This proposal is already linked to that record."))
        audit_record(user=user, action="participation.link_create", target=link, after=snapshot(link, _LINK_FIELDS))
    return link


def proposal_commitment_link(*, user: Any, proposal: Proposal, commitment: Any) -> ProposalLink:
    """Link an accepted proposal to the published commitment it became (chosen in the picker); the link is named
    by the commitment's public id and title."""
    if commitment is None or selectors.commitment_to_link(pk=commitment.pk) is None:
        raise ValidationError({"commitment": _("Choose a published commitment.")})
    return proposal_link_create(user=user, proposal=proposal, kind=LinkKind.COMMITMENT, target_type=COMMITMENT_TYPE,
                                target_id=commitment.pk, label=f"{commitment.public_id} · {commitment.title}"[:300],
                                url=commitment.get_absolute_url())


# --- Optional aggregate questions -------------------------------------------------------------------------


def demographics_submit(*, process: ParticipationProcess, answers: dict[str, str]) -> int:
    """Add one to the count of each chosen option. Nothing ties the counts to the person who answered."""
    if not process.demographics_enabled:
        raise ValidationError(_("This process does not ask these questions."))
    chosen = {}
    for question, option in answers.items():
        spec = DEMOGRAPHIC_QUESTIONS.get(question)
        if spec is None or option not in spec["options"]:
            raise ValidationError(_("Choose one of the options offered."))
        chosen[question] = option
    with transaction.atomic():
        for question, option in chosen.items():
            row, _created = DemographicAnswer.objects.get_or_create(process=process, question=question, option=option)
            DemographicAnswer.objects.filter(pk=row.pk).update(count=F("count") + 1)
    return len(chosen)


# --- Personal data (download my data / delete my account) --------------------------------------------------


def personal_data_export(user: Any) -> dict[str, Any]:
    """Everything participation keeps that this person wrote or did."""
    proposals = Proposal.objects.filter(author=user).select_related("process", "category", "neighbourhood", "status")
    return {
        "proposals": [
            {"id": p.pk, "process": p.process.title, "kind": p.kind, "title": p.title, "body": p.body,
             "language": p.language, "category": p.category.name if p.category else None,
             "neighbourhood": p.neighbourhood.name if p.neighbourhood else None,
             "visibility": p.visibility, "status": p.status.label if p.status else None,
             "created_at": p.created_at.isoformat(), "url": p.get_absolute_url()}
            for p in proposals
        ],
        "supports": [
            {"proposal": s.proposal_id, "title": s.proposal.title, "follows": s.follows,
             "created_at": s.created_at.isoformat()}
            for s in Support.objects.filter(user=user).select_related("proposal")
        ],
        "translations": [
            {"proposal": t.proposal_id, "language": t.language, "title": t.title, "body": t.body,
             "created_at": t.created_at.isoformat()}
            for t in ProposalTranslation.objects.filter(translated_by=user)
        ],
        "invited_groups": [g.name for g in user.participation_groups.all()],
        "guest": GuestAccess.objects.filter(user=user).exists(),
        "guest_email": GuestAccess.objects.filter(user=user).exclude(email="").values_list("email", flat=True).first(),
    }


def personal_data_erase(user: Any, *, keep_content_anonymised: bool) -> None:
    """Detach the person from their proposals (kept, anonymised) or remove them; supports always go."""
    proposals = list(Proposal.objects.filter(author=user).select_for_update())
    supported = list(Support.objects.filter(user=user).values_list("proposal_id", flat=True))
    for proposal_id in supported:
        Proposal.objects.filter(pk=proposal_id, support_count__gt=0).update(support_count=F("support_count") - 1)
    Support.objects.filter(user=user).delete()
    user.participation_groups.clear()
    GuestAccess.objects.filter(user=user).delete()
    ProposalTranslation.objects.filter(translated_by=user).update(translated_by=None)
    if keep_content_anonymised:
        Proposal.objects.filter(author=user).update(author=None)
        return
    ids = _remove_proposals(proposals)
    audit_redact_target(target_type="participation.proposal", target_ids=ids)


# --- Retention: what the privacy notice promises once the process has ended -------------------------------


def months_after(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months; a day the target month lacks becomes its last day (31 Jan + 1 → 28/29 Feb)."""
    years, month_index = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + years, month_index + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def retention_due_at(process: ParticipationProcess, last_end: datetime | None = None) -> datetime | None:
    """When the retention period of `process` ends: `retention_months` after its last phase ends (None: no phases)."""
    if last_end is None:
        last_end = process.process.phases.aggregate(last=Max("ends_at"))["last"]
    return None if last_end is None else months_after(last_end, process.retention_months)


def _guest_holds_nothing_else(guest: User) -> bool:
    """True when, after its process was anonymised, a guest account holds no content, support, membership or role."""
    if (Proposal.objects.filter(author=guest).exists() or Support.objects.filter(user=guest).exists()
            or guest.participation_groups.exists()
            or ProposalTranslation.objects.filter(translated_by=guest).exists() or user_actor_ids(guest)):
        return False
    written = engagement.personal_data_for(user=guest)
    return not written["comments"] and not written["reports"]


def _retention_apply(process: ParticipationProcess, now: datetime) -> dict[str, int]:
    """Anonymise one process (in the caller's transaction); returns what was done, as counts."""
    proposals = Proposal.objects.filter(process=process)
    proposal_ids = [str(pk) for pk in proposals.values_list("pk", flat=True)]
    guest_ids = list(GuestAccess.objects.filter(proposal__process=process).values_list("user_id", flat=True))
    # Nothing is sent about the process any more: the addresses guests left go (their accounts may stay).
    GuestAccess.objects.filter(proposal__process=process).exclude(email="").update(email="")
    detached = proposals.exclude(author=None).update(author=None)
    Attachment.objects.filter(
        pk__in=ProposalImage.objects.filter(proposal__process=process).values("attachment_id")
    ).update(uploaded_by=None)
    # The count stays on the proposal (`support_count`); the rows saying who supported go.
    supports, _deleted = Support.objects.filter(proposal__process=process).delete()
    comment_ids = engagement.targets_anonymise(target_label="participation.proposal", target_ids=proposal_ids)
    for group in process.invited_groups.all():
        group.members.clear()
    audit_redact_target(target_type="participation.proposal", target_ids=proposal_ids, forget_user=True)
    guests_deleted = 0
    for guest in User.objects.filter(pk__in=guest_ids):
        if _guest_holds_nothing_else(guest):
            accounts.account_delete(user=guest, keep_content_anonymised=True)
            guests_deleted += 1
    ParticipationProcess.objects.filter(pk=process.pk).update(retention_applied_at=now)
    process.retention_applied_at = now
    result = {"proposals": len(proposal_ids), "authors_detached": detached, "supports": supports,
              "comments": len(comment_ids), "guests_deleted": guests_deleted}
    audit_record(user=None, action="participation.retention_apply", target=process, after=result)
    return result


def retention_enforce(*, now: datetime | None = None) -> int:
    """Keep the privacy notice's promise: once `retention_months` calendar months have passed since a process's
    last phase ended, remove what identifies people and keep what the city reported back. Each process is done
    once, in its own transaction, and audited as a system action. Returns how many processes were anonymised.

    What stays: proposals (title, description, language, category, neighbourhood, images with alt text), the
    comments on them, the support counts, the city's answers, translations and links, the aggregate counts.
    What goes: the authors of proposals and comments, the uploader of images, every support row (who supported),
    reporters and their notes, invited-group memberships, the e-mail addresses guests left, the guest accounts made
    for the process that hold nothing else; the recorded values of the proposals', comments' and reports' audit rows are redacted.
    """
    now = now or timezone.now()
    candidates = (ParticipationProcess.objects.filter(retention_applied_at__isnull=True)
                  .annotate(last_end=Max("process__phases__ends_at"))
                  .filter(last_end__lte=now).order_by("pk"))
    done = 0
    for candidate in candidates:
        due_at = retention_due_at(candidate, candidate.last_end)
        if due_at is None or due_at > now:
            continue
        with transaction.atomic():
            process = (ParticipationProcess.objects.select_for_update()
                       .filter(pk=candidate.pk, retention_applied_at__isnull=True).first())
            if process is None:
                continue
            _retention_apply(process, now)
            done += 1
    return done
