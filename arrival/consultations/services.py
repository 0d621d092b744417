"""Writes for consultations: the consultation and its phases, contributions and co-signatures, the synthesis
into an outcome document, its versions and adoption, and endorsements.

Every function is keyword-only, runs in one transaction, checks the role permission with `require` (rules in
`arrival/accounts/rules.py`, consultations section), the access rule (open / networks / invited) and the phase
(`arrival.engagement.services.phase_require`), and writes an audit row. Bad input raises `ValidationError`
with a message that says what to fix, and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_supported_language_variant, override
from django.utils.translation import gettext as _

from arrival.actors.models import Actor, ActorKind
from arrival.consultations import exports, handoffs
from arrival.consultations import phases as P
from arrival.consultations.models import (
    CONSULTATION_TRANSLATABLE,
    CONTRIBUTION_TRANSLATABLE,
    DOCUMENT_TRANSLATABLE,
    Access,
    CommentAnswer,
    CommentState,
    Consultation,
    Contribution,
    ContributionStatus,
    ContributionVersion,
    Cosignature,
    DocumentKind,
    DocumentVersion,
    Endorsement,
    Forum,
    GroupKind,
    GuidingQuestion,
    OutcomeDocument,
    Paragraph,
    heading_without_number,
)
from arrival.consultations.selectors import (
    CONTRIBUTOR_KINDS,
    OWNER_KINDS,
    comment_paragraph,
    consultation_admits,
    member_actor_ids,
    tag_codes_for,
)
from arrival.core.permissions import require
from arrival.core.services import audit_record, snapshot
from arrival.core.translations import localized, translations_clean
from arrival.engagement.models import Comment, Visibility
from arrival.engagement.phases import PhaseSpec
from arrival.engagement.services import phase_require, process_create, process_phases_set, process_update
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.services import tags_set

_CONSULTATION_FIELDS = ("title", "slug", "purpose", "language", "translations", "forum", "access", "process")
_CONTRIBUTION_FIELDS = ("title", "summary", "proposed_actions", "language", "translations", "status", "actor",
                        "visibility")


def _consultation_translations(value: Any, language: str) -> dict[str, dict[str, str]]:
    return translations_clean(value, fields=CONSULTATION_TRANSLATABLE, original_language=language,
                              max_lengths={"title": 300, "purpose": 5000})


def _contribution_translations(value: Any, language: str) -> dict[str, dict[str, str]]:
    return translations_clean(value, fields=CONTRIBUTION_TRANSLATABLE, original_language=language,
                              max_lengths={"title": 300, "summary": 5000, "proposed_actions": 10000})
_ENDORSEMENT_FIELDS = ("document", "version", "actor", "signatory_name", "signatory_title", "authority",
                       "language", "endorsed_at", "withdrawn_at", "withdrawn_reason")
MAX_LINKS = 20
TAGGABLE_KINDS = (FrameworkKind.GCM_OBJECTIVE, FrameworkKind.SDG_TARGET, FrameworkKind.SDG_GOAL,
                  FrameworkKind.NUA_PARAGRAPH)


# --- helpers -------------------------------------------------------------------------------------------


def normalise_line_endings(text: str) -> str:
    """Every line break as "\n": browsers send text areas back with "\r\n", which would make an unchanged text
    differ from the stored one (and a diff mark it)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _text(value: Any, label: str, *, required: bool = False, max_length: int) -> str:
    text = "" if value is None else normalise_line_endings(str(value)).strip()
    if required and not text:
        raise ValidationError(_("%(field)s is required.") % {"field": label})
    if len(text) > max_length:
        raise ValidationError(_("%(field)s may be at most %(max)d characters.") % {"field": label, "max": max_length})
    return text


def _unique_slug(text: str) -> str:
    base = slugify(text)[:180].strip("-") or "consultation"
    slug = base
    while Consultation.objects.filter(slug=slug).exists():
        slug = f"{base}-{uuid.uuid4().hex[:6]}"
    return slug


def _links(value: Any) -> list[dict[str, str]]:
    if not value:
        return []
    if isinstance(value, dict) or isinstance(value, str):
        raise ValidationError(_("Evidence links are a list of {url, label} pairs."))
    links = []
    validate = URLValidator(schemes=["http", "https"])
    for item in list(value)[: MAX_LINKS + 1]:
        url = str((item or {}).get("url", "")).strip()
        label = str((item or {}).get("label", "")).strip()[:200]
        try:
            validate(url)
        except ValidationError:
            raise ValidationError(_("“%(url)s” is not a web address (http or https).") % {"url": url[:100]}) from None
        links.append({"url": url[:500], "label": label or url[:200]})
    if len(links) > MAX_LINKS:
        raise ValidationError(_("A contribution may cite at most %(max)d links.") % {"max": MAX_LINKS})
    return links


def _tag_items(items: Iterable[Any] | None) -> list[FrameworkItem]:
    checked = []
    for item in items or []:
        if not isinstance(item, FrameworkItem) or item.pk is None:
            raise ValidationError(_("Not a framework item."))
        if item.framework.kind not in TAGGABLE_KINDS:
            raise ValidationError(_("Contributions are tagged with GCM objectives, SDG goals or targets, or New "
                                    "Urban Agenda paragraphs."))
        checked.append(item)
    return checked


# --- Consultations -------------------------------------------------------------------------------------


@dataclass
class QuestionSpec:
    text: str
    objective: FrameworkItem | None = None
    pk: int | None = None  # in `consultation_update`: the question it rewrites (None for a new one)


def _access_checked(access: str, access_networks: list[Actor], invited: list[Actor]) -> None:
    if access not in Access.values:
        raise ValidationError(_("Unknown access rule “%(access)s”.") % {"access": access})
    if access == Access.NETWORKS and not access_networks:
        raise ValidationError(_("Name at least one network whose members may contribute."))
    if any(n.kind != ActorKind.NETWORK for n in access_networks):
        raise ValidationError(_("Only networks can be named in the access rule."))
    if access == Access.INVITED and not invited:
        raise ValidationError(_("Invite at least one government."))
    if any(a.kind not in CONTRIBUTOR_KINDS for a in invited):
        raise ValidationError(_("Only local or regional governments and networks can be invited to contribute."))


def _question_text(spec: QuestionSpec) -> str:
    text = _text(spec.text, _("Question"), required=True, max_length=1000)
    if spec.objective is not None and spec.objective.framework.kind != FrameworkKind.GCM_OBJECTIVE:
        raise ValidationError(_("A guiding question may name a GCM objective only."))
    return text


@transaction.atomic
def consultation_create(
    *, user: Any, owner: Actor, title: str, purpose: str, phases: list[PhaseSpec], forum: Forum | None = None,
    access: str = Access.OPEN, access_networks: Iterable[Actor] = (), invited: Iterable[Actor] = (),
    questions: Iterable[QuestionSpec | str] = (), language: str = "en", time_zone: str = "UTC",
    translations: Any = None, is_demo: bool = False,
) -> Consultation:
    """A consultation owned by a network, agency or national government, with its process and dated phases.

    Members of the owner network (and of the networks named in the access rule) are notified.
    """
    require(user, "consultations.add_consultation", owner)
    if owner.kind not in OWNER_KINDS:
        raise ValidationError(_("A consultation is run by a network, an agency (organisation) or a national "
                                "government."))
    title = _text(title, _("Title"), required=True, max_length=300)
    purpose = _text(purpose, _("Purpose"), required=True, max_length=5000)
    language = _text(language, _("Language"), max_length=12) or "en"
    translations = _consultation_translations(translations, language)
    access_networks, invited = list(access_networks), list(invited)
    _access_checked(access, access_networks, invited)
    process = process_create(user=user, owner=owner, kind=P.PROCESS_KIND, title=title, phases=phases,
                             time_zone=time_zone, is_demo=is_demo)
    consultation = Consultation.objects.create(
        process=process, slug=_unique_slug(title), title=title, purpose=purpose, language=language,
        translations=translations, forum=forum, access=access, created_by=user if getattr(user, "is_authenticated", False) else None,
        is_demo=is_demo,
    )
    if access == Access.NETWORKS:
        consultation.access_networks.set(access_networks)
    if access == Access.INVITED:
        consultation.invited.set(invited)
    for position, question in enumerate(questions, start=1):
        spec = QuestionSpec(text=question) if isinstance(question, str) else question
        GuidingQuestion.objects.create(consultation=consultation, position=position, text=_question_text(spec),
                                       objective=spec.objective)
    audit_record(user=user, action="consultations.create_consultation", target=consultation,
                 after={**snapshot(consultation, _CONSULTATION_FIELDS),
                        "access_networks": [n.pk for n in access_networks], "invited": [a.pk for a in invited]})
    handoffs.consultation_opened(consultation=consultation,
                                 actor_ids=member_actor_ids(consultation=consultation) | {a.pk for a in invited})
    return consultation


def _consultation_state(consultation: Consultation) -> dict[str, Any]:
    return {
        **snapshot(consultation, _CONSULTATION_FIELDS),
        "access_networks": sorted(consultation.access_networks.values_list("pk", flat=True)),
        "invited": sorted(consultation.invited.values_list("pk", flat=True)),
        "questions": [{"id": q.pk, "text": q.text, "objective": q.objective_id}
                      for q in consultation.questions.order_by("position")],
    }


def _admitted_actor_ids(consultation: Consultation) -> set[int]:
    """Whom an opening is announced to: the networks' member governments and the invited governments."""
    return member_actor_ids(consultation=consultation) | set(consultation.invited.values_list("pk", flat=True))


def _questions_set(consultation: Consultation, specs: list[QuestionSpec]) -> None:
    existing = {q.pk: q for q in consultation.questions.all()}
    kept = [spec.pk for spec in specs if spec.pk is not None]
    unknown = [pk for pk in kept if pk not in existing]
    if unknown or len(kept) != len(set(kept)):
        raise ValidationError(_("A guiding question can be rewritten only once, and only in its own consultation."))
    texts = [_question_text(spec) for spec in specs]
    dropped = [existing[pk] for pk in existing if pk not in kept]
    if dropped:
        answered = {key for answers in consultation.contributions.values_list("answers", flat=True)
                    for key, value in (answers or {}).items() if value}
        for question in dropped:
            if str(question.pk) in answered:
                raise ValidationError(_("The question “%(text)s” has been answered; it can be reworded but not "
                                        "removed.") % {"text": question.text[:100]})
        GuidingQuestion.objects.filter(pk__in=[q.pk for q in dropped]).delete()
    # Move the kept questions out of the way first: positions are unique within a consultation.
    for offset, pk in enumerate(kept, start=1):
        GuidingQuestion.objects.filter(pk=pk).update(position=10000 + offset)
    for position, (spec, text) in enumerate(zip(specs, texts, strict=True), start=1):
        if spec.pk is None:
            GuidingQuestion.objects.create(consultation=consultation, position=position, text=text,
                                           objective=spec.objective)
        else:
            GuidingQuestion.objects.filter(pk=spec.pk).update(position=position, text=text,
                                                              objective=spec.objective or existing[spec.pk].objective)


def _phases_differ(process: Any, specs: list[PhaseSpec]) -> bool:
    current = [(p.phase_type, p.starts_at, p.ends_at) for p in process.phases.order_by("position")]
    return current != [(s.phase_type, s.starts_at, s.ends_at) for s in specs]


_CONSULTATION_UPDATABLE = ("title", "purpose", "language", "forum", "access", "access_networks", "invited",
                           "questions", "phases", "translations")


@transaction.atomic
def consultation_update(*, user: Any, consultation: Consultation, **fields: Any) -> Consultation:
    """Organisers change their consultation after opening: title, purpose, forum, access rule and lists, guiding
    questions (a question already answered may be reworded, not removed) and the dated phases (through engagement's
    `process_phases_set`, audited there). Governments the change newly admits are told, as at the opening."""
    require(user, "consultations.change_consultation", consultation)
    unknown = set(fields) - set(_CONSULTATION_UPDATABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = _consultation_state(consultation)
    admitted_before = _admitted_actor_ids(consultation)
    if "title" in fields:
        consultation.title = _text(fields["title"], _("Title"), required=True, max_length=300)
    if "purpose" in fields:
        consultation.purpose = _text(fields["purpose"], _("Purpose"), required=True, max_length=5000)
    if "language" in fields:
        consultation.language = _text(fields["language"], _("Language"), max_length=12) or "en"
    if "translations" in fields or "language" in fields:
        consultation.translations = _consultation_translations(fields.get("translations", consultation.translations),
                                                               consultation.language)
    if "forum" in fields:
        consultation.forum = fields["forum"]
    access = fields.get("access", consultation.access)
    networks = list(fields.get("access_networks", consultation.access_networks.all()))
    invited = list(fields.get("invited", consultation.invited.all()))
    _access_checked(access, networks, invited)
    consultation.access = access
    consultation.save()
    consultation.access_networks.set(networks if access == Access.NETWORKS else [])
    consultation.invited.set(invited if access == Access.INVITED else [])
    if "questions" in fields:
        _questions_set(consultation, [QuestionSpec(text=q) if isinstance(q, str) else q for q in fields["questions"]])
    if "title" in fields:
        process_update(user=user, process=consultation.process, title=consultation.title)
    if fields.get("phases") is not None and _phases_differ(consultation.process, list(fields["phases"])):
        process_phases_set(user=user, process=consultation.process, phases=list(fields["phases"]))
    after = _consultation_state(consultation)
    if after == before:
        return consultation
    audit_record(user=user, action="consultations.change_consultation", target=consultation, before=before,
                 after=after)
    handoffs.consultation_opened(consultation=consultation,
                                 actor_ids=_admitted_actor_ids(consultation) - admitted_before)
    return consultation


# --- Contributions -------------------------------------------------------------------------------------


def _check_answers(consultation: Consultation, answers: Any) -> dict[str, str]:
    if not answers:
        return {}
    if not isinstance(answers, dict):
        raise ValidationError(_("Answers are given per guiding question."))
    known = {str(pk) for pk in consultation.questions.values_list("pk", flat=True)}
    cleaned = {}
    for key, value in answers.items():
        if str(key) not in known:
            raise ValidationError(_("This consultation has no guiding question %(key)s.") % {"key": key})
        text = _text(value, _("Answer"), max_length=5000)
        if text:
            cleaned[str(key)] = text
    return cleaned


def _version_content(contribution: Contribution, tags: list[FrameworkItem]) -> dict[str, Any]:
    return {
        "title": contribution.title, "summary": contribution.summary, "answers": contribution.answers,
        "proposed_actions": contribution.proposed_actions, "links": contribution.links,
        "language": contribution.language, "translations": contribution.translations,
        "tags": [f"{item.framework.kind}:{item.code}" for item in tags],
    }


def _version_add(contribution: Contribution, user: Any, tags: list[FrameworkItem]) -> ContributionVersion:
    last = contribution.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ContributionVersion.objects.create(contribution=contribution, number=last + 1,
                                              author=user if getattr(user, "is_authenticated", False) else None,
                                              content=_version_content(contribution, tags))


@transaction.atomic
def contribution_create(
    *, user: Any, consultation: Consultation, actor: Actor, title: str, summary: str = "",
    answers: dict[str, str] | None = None, proposed_actions: str = "", links: Any = None,
    tags: Iterable[FrameworkItem] | None = None, language: str = "en", translations: Any = None,
    is_demo: bool = False,
) -> Contribution:
    """A contribution by `actor`'s team while the call for input runs (version 1 is kept)."""
    require(user, "consultations.add_contribution", actor)
    phase_require(process=consultation.process, action=P.CREATE_CONTRIBUTION)
    if not consultation_admits(consultation=consultation, actor=actor):
        raise PermissionDenied(_("%(actor)s is not among those this consultation is open to.") % {"actor": actor.name})
    contribution = Contribution(
        consultation=consultation, actor=actor,
        title=_text(title, _("Title"), required=True, max_length=300),
        summary=_text(summary, _("Summary"), max_length=5000),
        answers=_check_answers(consultation, answers),
        proposed_actions=_text(proposed_actions, _("Proposed actions"), max_length=10000),
        links=_links(links), language=_text(language, _("Language"), max_length=12) or "en",
        created_by=user if getattr(user, "is_authenticated", False) else None, is_demo=is_demo,
    )
    if not (contribution.summary or contribution.answers or contribution.proposed_actions):
        raise ValidationError(_("Say something: a summary, an answer to a question or a proposed action."))
    contribution.translations = _contribution_translations(translations, contribution.language)
    contribution.save()
    contribution.authors.add(user)
    items = _tag_items(tags)
    if items:
        tags_set(user=user, record=contribution, items=items)
    _version_add(contribution, user, items)
    audit_record(user=user, action="consultations.create_contribution", target=contribution,
                 after=snapshot(contribution, _CONTRIBUTION_FIELDS))
    handoffs.contribution_submitted(contribution=contribution, by=user)
    return contribution


_UPDATABLE = ("title", "summary", "answers", "proposed_actions", "links", "language", "tags", "translations")


@transaction.atomic
def contribution_update(*, user: Any, contribution: Contribution, **fields: Any) -> Contribution:
    """Change a contribution while the call for input runs; every save keeps a new version."""
    require(user, "consultations.change_contribution", contribution)
    phase_require(process=contribution.consultation.process, action=P.CHANGE_CONTRIBUTION)
    unknown = set(fields) - set(_UPDATABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if contribution.status != ContributionStatus.SUBMITTED or contribution.visibility != Visibility.VISIBLE:
        raise ValidationError(_("A withdrawn or hidden contribution cannot be changed."))
    before = snapshot(contribution, _CONTRIBUTION_FIELDS)
    if "title" in fields:
        contribution.title = _text(fields["title"], _("Title"), required=True, max_length=300)
    if "summary" in fields:
        contribution.summary = _text(fields["summary"], _("Summary"), max_length=5000)
    if "answers" in fields:
        contribution.answers = _check_answers(contribution.consultation, fields["answers"])
    if "proposed_actions" in fields:
        contribution.proposed_actions = _text(fields["proposed_actions"], _("Proposed actions"), max_length=10000)
    if "links" in fields:
        contribution.links = _links(fields["links"])
    if "language" in fields:
        contribution.language = _text(fields["language"], _("Language"), max_length=12) or "en"
    if "translations" in fields or "language" in fields:
        contribution.translations = _contribution_translations(fields.get("translations", contribution.translations),
                                                               contribution.language)
    if not (contribution.summary or contribution.answers or contribution.proposed_actions):
        raise ValidationError(_("Say something: a summary, an answer to a question or a proposed action."))
    contribution.save()
    contribution.authors.add(user)
    if "tags" in fields:
        items = _tag_items(fields["tags"])
        tags_set(user=user, record=contribution, items=items)
    else:
        items = list(tag_codes_for(records=[contribution]).get(contribution.pk, []))
    _version_add(contribution, user, items)
    audit_record(user=user, action="consultations.change_contribution", target=contribution, before=before,
                 after=snapshot(contribution, _CONTRIBUTION_FIELDS))
    return contribution


@transaction.atomic
def contribution_withdraw(*, user: Any, contribution: Contribution) -> Contribution:
    """The team takes its contribution back while the call for input runs."""
    require(user, "consultations.change_contribution", contribution)
    phase_require(process=contribution.consultation.process, action=P.CHANGE_CONTRIBUTION)
    if contribution.status == ContributionStatus.WITHDRAWN:
        raise ValidationError(_("This contribution is already withdrawn."))
    before = snapshot(contribution, _CONTRIBUTION_FIELDS)
    contribution.status = ContributionStatus.WITHDRAWN
    contribution.withdrawn_at = timezone.now()
    contribution.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(user=user, action="consultations.withdraw_contribution", target=contribution, before=before,
                 after=snapshot(contribution, _CONTRIBUTION_FIELDS))
    return contribution


@transaction.atomic
def contribution_cosign(*, user: Any, contribution: Contribution, actor: Actor, is_demo: bool = False) -> Cosignature:
    """Another government (or network) signs on to a contribution."""
    require(user, "consultations.cosign_contribution", actor)
    consultation = contribution.consultation
    phase_require(process=consultation.process, action=P.COSIGN_CONTRIBUTION)
    if contribution.status != ContributionStatus.SUBMITTED or contribution.visibility != Visibility.VISIBLE:
        raise ValidationError(_("Only a submitted, visible contribution can be co-signed."))
    if actor.pk == contribution.actor_id:
        raise ValidationError(_("A government cannot co-sign its own contribution."))
    if not consultation_admits(consultation=consultation, actor=actor):
        raise PermissionDenied(_("%(actor)s is not among those this consultation is open to.") % {"actor": actor.name})
    if Cosignature.objects.filter(contribution=contribution, actor=actor).exists():
        raise ValidationError(_("%(actor)s has already co-signed this contribution.") % {"actor": actor.name})
    cosignature = Cosignature.objects.create(contribution=contribution, actor=actor, signed_by=user, is_demo=is_demo)
    audit_record(user=user, action="consultations.cosign_contribution", target=contribution,
                 after={"cosigned_by": actor.pk})
    handoffs.contribution_cosigned(cosignature=cosignature, by=user)
    return cosignature


# --- Synthesis: the draft outcome document --------------------------------------------------------------

GROUP_ORDER = (GroupKind.GCM, GroupKind.SDG, GroupKind.NUA, GroupKind.GENERAL)
_KIND_GROUP: dict[str, GroupKind] = {FrameworkKind.GCM_OBJECTIVE: GroupKind.GCM, FrameworkKind.SDG_TARGET: GroupKind.SDG,
               FrameworkKind.SDG_GOAL: GroupKind.SDG, FrameworkKind.NUA_PARAGRAPH: GroupKind.NUA}
EXCERPT = 400


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _group_for(items: list[FrameworkItem]) -> list[FrameworkItem]:
    """The items a contribution is grouped under: its GCM objectives; else its SDG items; else its NUA ones."""
    for group in (GroupKind.GCM, GroupKind.SDG, GroupKind.NUA):
        chosen = [item for item in items if _KIND_GROUP.get(item.framework.kind) == group]
        if chosen:
            return chosen
    return []


def _heading(item: FrameworkItem | None, language: str) -> str:
    """A compiled paragraph's heading, in the document's `language` (the caller's active language)."""
    if item is None:
        return _("General")
    kind = _KIND_GROUP[item.framework.kind]
    label = localized(item, "label", language=language).text
    if kind == GroupKind.GCM:
        return _("GCM objective %(code)s: %(label)s") % {"code": item.code, "label": label}
    if kind == GroupKind.SDG:
        return _("SDG %(code)s: %(label)s") % {"code": item.code, "label": label}
    return _("New Urban Agenda paragraph %(code)s") % {"code": item.code}


def _answer_line(question: str, answer: str) -> str:
    question = question.strip()
    separator = " " if question[-1:] in ("?", ":", ".", "!", "؟") else ": "
    return f"– {question}{separator}{_excerpt(answer)}"


def _compiled_text(contributions: list[Contribution], questions: dict[str, str]) -> str:
    """For each contribution, after its government's name: its proposed actions (or summary) and its answers to the
    guiding questions, in their order — the contributions' own words only. Who stands behind the paragraph (its
    sources, their co-signers) is not written into the text, which would keep it in the compiler's language and go
    stale when the editors change the sources: pages and exports state it from the sources, in the reader's
    language."""
    lines = []
    for contribution in contributions:
        name = contribution.actor.name
        what = contribution.proposed_actions or contribution.summary
        lines.append(f"{name}: {_excerpt(what)}" if what else f"{name}:")
        lines.extend(_answer_line(question, contribution.answers[key]) for key, question in questions.items()
                     if contribution.answers.get(key))
    return "\n".join(lines)


def _check_editor(user: Any, consultation: Consultation) -> None:
    require(user, "consultations.change_consultation", consultation)


def _next_number(document: OutcomeDocument) -> int:
    return (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1


@transaction.atomic
def document_translations_set(*, user: Any, document: OutcomeDocument, translations: Any) -> OutcomeDocument:
    """Replace the translations of an outcome document's title (its consultation's organisers); a translation
    changes no adopted text."""
    _check_editor(user, document.consultation)
    document = OutcomeDocument.objects.select_for_update().get(pk=document.pk)
    before = {"translations": document.translations}
    document.translations = translations_clean(translations, fields=DOCUMENT_TRANSLATABLE,
                                               original_language=document.language, max_lengths={"title": 300})
    document.save(update_fields=["translations", "updated_at"])
    audit_record(user=user, action="consultations.document_translations_set", target=document, before=before,
                 after={"translations": document.translations})
    return document


@transaction.atomic
def outcome_draft_compile(*, user: Any, consultation: Consultation, title: str = "",
                          kind: str = DocumentKind.OUTCOME, note: str = "") -> DocumentVersion:
    """Compile the submitted, visible contributions into a new draft version of the outcome document.

    One paragraph per framework item, in the order GCM objectives → SDG → New Urban Agenda → general: a
    contribution stands under each GCM objective it is tagged with; one without a GCM tag under its SDG items,
    else its NUA paragraphs, else under "General". Each paragraph gathers its contributions' own words under their
    governments' names and cites the contributions as its sources; who stands behind it (how many contributions,
    from whom, co-signed by whom) is said from those sources by pages and exports, in the reader's language.
    """
    _check_editor(user, consultation)
    phase_require(process=consultation.process, action=P.COMPILE_DOCUMENT)
    document = consultation.documents.order_by("created_at", "id").first()
    if document is not None and document.adopted_version_id:
        raise ValidationError(_("The outcome document is adopted; it can no longer be recompiled."))
    contributions = list(Contribution.objects.filter(
        consultation=consultation, status=ContributionStatus.SUBMITTED, visibility=Visibility.VISIBLE,
    ).select_related("actor").order_by("created_at", "id"))
    if not contributions:
        raise ValidationError(_("There are no contributions to compile yet."))
    # What the compiling writes into the document itself (a default title, headings, the version's note) is in the
    # document's language, whoever compiles it and in whatever language they read the site.
    language = document.language if document is not None else consultation.language
    try:  # "zh" is written with the catalogue of "zh-hans"; a language without one gets the default language's words
        words = get_supported_language_variant(language)
    except LookupError:
        words = settings.LANGUAGE_CODE
    with override(words):
        default_title = _("Outcome of “%(title)s”") % {"title": consultation.title}
        default_note = _("Compiled from the contributions.")
    if document is None:
        if kind not in DocumentKind.values:
            raise ValidationError(_("Unknown kind of document."))
        document = OutcomeDocument.objects.create(
            consultation=consultation, kind=kind, is_demo=consultation.is_demo, language=consultation.language,
            title=_text(title or default_title, _("Title"), required=True, max_length=300))
    questions = {str(q.pk): q.text for q in consultation.questions.order_by("position")}
    tags = tag_codes_for(records=contributions)
    groups: dict[tuple[int, int, int], tuple[FrameworkItem | None, list[Contribution]]] = {}
    for contribution in contributions:
        items: list[FrameworkItem | None] = [*_group_for(tags.get(contribution.pk, []))] or [None]
        for item in items:
            if item is None:
                order = (GROUP_ORDER.index(GroupKind.GENERAL), 0, 0)
            else:
                group = _KIND_GROUP[item.framework.kind]
                order = (GROUP_ORDER.index(group), item.position, item.pk)
            groups.setdefault(order, (item, []))[1].append(contribution)
    version = DocumentVersion.objects.create(document=document, number=_next_number(document), author=user,
                                             note=_text(note, _("Note"), max_length=1000) or default_note,
                                             is_demo=consultation.is_demo)
    for position, order in enumerate(sorted(groups), start=1):
        item, sources = groups[order]
        with override(words):
            heading = _heading(item, language)
        paragraph = Paragraph.objects.create(
            version=version, key=uuid.uuid4().hex, position=position,
            group_kind=_KIND_GROUP[item.framework.kind] if item else GroupKind.GENERAL,
            group_code=item.code if item else "", group_item=item, heading=heading[:300],
            text=_compiled_text(sources, questions)[:10000])
        paragraph.sources.set(sources)
    audit_record(user=user, action="consultations.compile_outcomedocument", target=version,
                 after={"document": document.pk, "number": version.number, "paragraphs": len(groups),
                        "contributions": [c.pk for c in contributions]})
    handoffs.version_published(version=version, by=user)
    exports.version_files_refresh(version=version)
    return version


@dataclass
class ParagraphEdit:
    """One paragraph of a new version: `key` of the paragraph it rewrites (None for a new one)."""

    text: str
    key: str | None = None
    heading: str | None = None
    editorial: bool | None = None
    sources: list[Contribution] | None = None  # None: keep the rewritten paragraph's sources


@transaction.atomic
def document_version_create(*, user: Any, document: OutcomeDocument, paragraphs: list[ParagraphEdit],
                            note: str = "") -> DocumentVersion:
    """Editors rewrite the latest version: the paragraphs in the given order become a new version.

    A paragraph with a `key` rewrites that paragraph of the latest version and keeps its sources, heading and
    framework group unless given; one without a key is new (editorial unless sources are given); paragraphs
    left out are dropped.
    """
    consultation = document.consultation
    _check_editor(user, consultation)
    phase_require(process=consultation.process, action=P.CHANGE_DOCUMENT)
    if document.adopted_version_id:
        raise ValidationError(_("The document is adopted and frozen; no new version can be made."))
    latest = document.versions.order_by("-number").first()
    if latest is None:
        raise ValidationError(_("Compile the contributions into a first draft before rewriting it."))
    if not paragraphs:
        raise ValidationError(_("A version needs at least one paragraph."))
    previous = {p.key: p for p in latest.paragraphs.prefetch_related("sources")}
    seen: set[str] = set()
    version = DocumentVersion.objects.create(document=document, number=latest.number + 1, author=user,
                                             note=_text(note, _("Note"), max_length=1000),
                                             is_demo=document.is_demo)
    for position, edit in enumerate(paragraphs, start=1):
        text = _text(edit.text, _("Paragraph %(number)d") % {"number": position}, required=True, max_length=10000)
        if edit.key is not None:
            before = previous.get(edit.key)
            if before is None:
                raise ValidationError(_("Paragraph %(number)d rewrites a paragraph that is not in version %(version)d.")
                                      % {"number": position, "version": latest.number})
            if edit.key in seen:
                raise ValidationError(_("Paragraph %(number)d repeats another paragraph.") % {"number": position})
            seen.add(edit.key)
            paragraph = Paragraph.objects.create(
                version=version, key=before.key, position=position, group_kind=before.group_kind,
                group_code=before.group_code, group_item=before.group_item,
                heading=heading_without_number(_text(edit.heading if edit.heading is not None else before.heading,
                                                     _("Heading"), max_length=300)),
                text=text, editorial=before.editorial if edit.editorial is None else bool(edit.editorial))
            sources = list(before.sources.all()) if edit.sources is None else edit.sources
        else:
            sources = edit.sources or []
            paragraph = Paragraph.objects.create(
                version=version, key=uuid.uuid4().hex, position=position,
                heading=heading_without_number(_text(edit.heading or "", _("Heading"), max_length=300)), text=text,
                editorial=bool(edit.editorial) if edit.editorial is not None else not sources)
        for source in sources:
            if source.consultation_id != consultation.pk:
                raise ValidationError(_("A paragraph can cite only contributions to this consultation."))
        paragraph.sources.set(sources)
    audit_record(user=user, action="consultations.create_documentversion", target=version,
                 after={"document": document.pk, "number": version.number, "from": latest.number,
                        "paragraphs": len(paragraphs)})
    handoffs.version_published(version=version, by=user)
    exports.version_files_refresh(version=version)
    return version


@transaction.atomic
def document_adopt(*, user: Any, document: OutcomeDocument, version: DocumentVersion | None = None) -> OutcomeDocument:
    """Adopt (and freeze) a version; every paragraph must cite at least one contribution or be marked editorial."""
    consultation = document.consultation
    _check_editor(user, consultation)
    phase_require(process=consultation.process, action=P.ADOPT_DOCUMENT)
    if document.adopted_version_id:
        raise ValidationError(_("This document is already adopted."))
    version = version or document.versions.order_by("-number").first()
    if version is None or version.document_id != document.pk:
        raise ValidationError(_("Choose a version of this document to adopt."))
    paragraphs = list(version.paragraphs.prefetch_related("sources").order_by("position"))
    if not paragraphs:
        raise ValidationError(_("An empty version cannot be adopted."))
    untraced = [p.position for p in paragraphs if not p.editorial and not p.sources.all()]
    if untraced:
        raise ValidationError(
            _("Every paragraph must cite the contributions it came from or be marked editorial; paragraphs "
              "%(numbers)s have no source.") % {"numbers": ", ".join(str(n) for n in untraced)},
            code="untraced")
    now = timezone.now()
    version.frozen_at = now
    version.save(update_fields=["frozen_at"])
    document.adopted_version = version
    document.adopted_at = now
    document.save(update_fields=["adopted_version", "adopted_at", "updated_at"])
    audit_record(user=user, action="consultations.adopt_outcomedocument", target=document,
                 after={"version": version.number, "adopted_at": now.isoformat()})
    handoffs.document_adopted(document=document, by=user)
    exports.version_files_refresh(version=version)
    return document


# --- The editors' answers to comments on the draft ------------------------------------------------------

_ANSWER_FIELDS = ("comment", "state", "reason", "answered_by")


@transaction.atomic
def paragraph_comment_answer(*, user: Any, comment: Comment, state: str, reason: str = "") -> CommentAnswer:
    """The editors answer a comment on a paragraph of the draft: taken in, partly taken in or declined — with a
    reason unless taken in. They may change their answer; its author is told each time it changes. The comment stays
    on its paragraph and is shown, with the answer, beside the paragraph it became in later versions."""
    paragraph = comment_paragraph(comment=comment)
    if paragraph is None:
        raise ValidationError(_("Only comments on a paragraph of a draft get the editors' answer."))
    document = paragraph.version.document
    consultation = document.consultation
    _check_editor(user, consultation)
    phase_require(process=consultation.process, action=P.CHANGE_DOCUMENT)
    if comment.parent_id is not None:
        raise ValidationError(_("The editors answer a comment, not a reply to one."))
    if comment.visibility != Visibility.VISIBLE:
        raise ValidationError(_("A hidden or removed comment gets no answer."))
    if state not in CommentState.values:
        raise ValidationError(_("Choose an answer: taken in, partly taken in or declined."))
    reason = _text(reason, _("Reason"), required=state != CommentState.TAKEN_IN, max_length=2000)
    answer = CommentAnswer.objects.filter(comment=comment).first()
    before = snapshot(answer, _ANSWER_FIELDS) if answer is not None else None
    if answer is not None and (answer.state, answer.reason) == (state, reason):
        return answer
    if answer is None:
        answer = CommentAnswer(comment=comment)
    answer.state, answer.reason, answer.answered_by = state, reason, user
    answer.save()
    audit_record(user=user, action="consultations.answer_comment", target=answer, before=before,
                 after=snapshot(answer, _ANSWER_FIELDS))
    handoffs.comment_answered(answer=answer, paragraph=paragraph, by=user)
    return answer


# --- Endorsements --------------------------------------------------------------------------------------


@transaction.atomic
def endorsement_create(*, user: Any, document: OutcomeDocument, actor: Actor, signatory_name: str,
                       signatory_title: str, authority: str, language: str = "",
                       is_demo: bool = False) -> Endorsement:
    """`actor` endorses the adopted document, signed by a named person; only someone holding a role in the
    actor may sign for it. Members and non-members of the owning network alike may endorse. `language`: the one
    the signatory's title and the authority are written in ("" when not said)."""
    require(user, "consultations.add_endorsement", actor)
    phase_require(process=document.consultation.process, action=P.ENDORSE_DOCUMENT)
    if not document.adopted_version_id:
        raise ValidationError(_("Only an adopted document can be endorsed."))
    endorsement = Endorsement(
        document=document, version_id=document.adopted_version_id, actor=actor,
        signatory_name=_text(signatory_name, _("Signatory's name"), required=True, max_length=200),
        signatory_title=_text(signatory_title, _("Signatory's title"), required=True, max_length=200),
        authority=_text(authority, _("Authority"), required=True, max_length=500),
        language=_text(language, _("Language"), max_length=12).lower(),
        endorsed_by=user, endorsed_at=timezone.now(), is_demo=is_demo,
    )
    if Endorsement.objects.filter(document=document, actor=actor, withdrawn_at__isnull=True).exists():
        raise ValidationError(_("%(actor)s already endorses this document.") % {"actor": actor.name})
    try:
        with transaction.atomic():
            endorsement.save()
    except IntegrityError:
        raise ValidationError(_("%(actor)s already endorses this document.") % {"actor": actor.name}) from None
    audit_record(user=user, action="consultations.create_endorsement", target=endorsement,
                 after=snapshot(endorsement, _ENDORSEMENT_FIELDS))
    return endorsement


@transaction.atomic
def endorsement_withdraw(*, user: Any, endorsement: Endorsement, reason: str) -> Endorsement:
    """Withdraw an endorsement, dated and with a reason; the record stays in the ledger."""
    require(user, "consultations.withdraw_endorsement", endorsement)
    if endorsement.withdrawn_at is not None:
        raise ValidationError(_("This endorsement is already withdrawn."))
    before = snapshot(endorsement, _ENDORSEMENT_FIELDS)
    endorsement.withdrawn_reason = _text(reason, _("Reason"), required=True, max_length=500)
    endorsement.withdrawn_at = timezone.now()
    endorsement.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    audit_record(user=user, action="consultations.withdraw_endorsement", target=endorsement, before=before,
                 after=snapshot(endorsement, _ENDORSEMENT_FIELDS))
    return endorsement
