"""What consultations hands on to people (arrival.engagement.handoffs): its kinds of notification, who is told of
what, and what it puts in their "My work".

Each hand-off tells the next person, in their language and time zone, and points to the record:

- a consultation opens (or a change admits more governments) → the people of the governments it admits;
- a contribution comes in, or a government co-signs one → the organisers (the owner's team) — and, for a
  co-signature, the contribution's own government;
- a comment on a paragraph of the draft → the organisers, who owe it an answer (taken in, partly, declined);
- the editors answer it → its author (an editor's reply in the thread is told by engagement itself);
- a new version of the outcome document → the contributors, co-signers and those who commented on the draft;
- the document is adopted → the contributors and co-signers, and the governments that may endorse it;
- a phase begins → everyone taking part; someone comments on a contribution → its authors.

Texts name the consultation, the document and the governments, never what a person wrote. Senders are called by
the services inside their transaction; "My work" reads are in `selectors` (`*_work_items`, `*_work_count`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrival.consultations import phases as P
from arrival.consultations import selectors
from arrival.consultations.models import (
    CommentAnswer,
    CommentState,
    Consultation,
    Contribution,
    Cosignature,
    DocumentVersion,
    OutcomeDocument,
    Paragraph,
)
from arrival.core.time_zones import datetime_with_zone
from arrival.engagement.handoffs import notification_kind_register, work_provider_register
from arrival.engagement.selectors import phase_label


def _people(ids: set[int], *, without: Any = None) -> Any:
    if without is not None:
        ids = ids - {without.pk}
    return get_user_model().objects.filter(pk__in=ids)


def _send(**kwargs: Any) -> None:
    from arrival.engagement.services import notification_send

    notification_send(**kwargs)


# --- Senders (called by the services) --------------------------------------------------------------------


def consultation_opened(*, consultation: Consultation, actor_ids: set[int]) -> None:
    """The people of `actor_ids` may now contribute (at the opening, or admitted by a later change)."""
    if not actor_ids:
        return
    owner, title = consultation.process.owner.name, consultation.title
    _send(recipients=_people(selectors.people_in(actor_ids)), kind="consultations.new_consultation",
          text=lambda: _("%(owner)s opened a consultation: “%(title)s”.") % {"owner": owner, "title": title},
          url=consultation.get_absolute_url(), target=consultation)


def contribution_submitted(*, contribution: Contribution, by: Any) -> None:
    consultation = contribution.consultation
    actor, title = contribution.actor.name, consultation.title
    _send(recipients=_people(selectors.organiser_ids(consultation=consultation), without=by),
          kind="consultations.contribution_submitted",
          text=lambda: _("%(actor)s contributed to “%(title)s”.") % {"actor": actor, "title": title},
          url=contribution.get_absolute_url(), target=contribution)


def contribution_cosigned(*, cosignature: Cosignature, by: Any) -> None:
    contribution = cosignature.contribution
    consultation = contribution.consultation
    ids = selectors.organiser_ids(consultation=consultation) | selectors.people_in({contribution.actor_id})
    values = {"cosigner": cosignature.actor.name, "actor": contribution.actor.name, "title": consultation.title}
    _send(recipients=_people(ids, without=by), kind="consultations.contribution_cosigned",
          text=lambda: _("%(cosigner)s co-signed the contribution of %(actor)s to “%(title)s”.") % values,
          url=contribution.get_absolute_url(), target=contribution)


def version_published(*, version: DocumentVersion, by: Any) -> None:
    document = version.document
    ids = selectors.contributor_people_ids(consultation=document.consultation) | selectors.draft_commenter_ids(
        document=document)
    values = {"number": version.number, "document": document.title}
    _send(recipients=_people(ids - selectors.organiser_ids(consultation=document.consultation), without=by),
          kind="consultations.document_version",
          text=lambda: _("Version %(number)d of “%(document)s” is out: see what became of your input.") % values,
          url=version.get_absolute_url(), target=version)


def comment_answered(*, answer: CommentAnswer, paragraph: Paragraph, by: Any) -> None:
    author = answer.comment.author
    if author is None or author.pk == by.pk:
        return
    now = selectors.paragraph_now(paragraph=paragraph)
    values = {"document": paragraph.version.document.title, "number": paragraph.position,
              "version": paragraph.version.number}
    state = answer.state

    def text() -> str:
        return _("The editors of “%(document)s” answered your comment on paragraph %(number)d (version "
                 "%(version)d): %(state)s.") % {**values, "state": CommentState(state).label}

    _send(recipients=[author], kind="consultations.comment_answered", text=text,
          url=f"{now.version.get_absolute_url()}#answer-{answer.comment_id}", target=answer.comment)


def document_adopted(*, document: OutcomeDocument, by: Any) -> None:
    consultation = document.consultation
    ids = selectors.contributor_people_ids(consultation=consultation) | selectors.people_in(
        selectors.endorser_actor_ids(consultation=consultation))
    endorsement = next((p for p in consultation.process.phases.all() if p.phase_type == P.ENDORSEMENT), None)
    opens = endorsement.starts_at if endorsement is not None else None
    number = document.adopted_version.number if document.adopted_version else 0
    values = {"document": document.title, "number": number}

    def text() -> str:
        if opens is None:
            return _("“%(document)s” was adopted (version %(number)d).") % values
        return _("“%(document)s” was adopted (version %(number)d); it can be endorsed from %(date)s.") % {
            **values, "date": datetime_with_zone(opens)}

    _send(recipients=_people(ids - selectors.organiser_ids(consultation=consultation), without=by),
          kind="consultations.document_adopted", text=text, url=document.get_absolute_url(), target=document)


# --- Listeners (engagement) --------------------------------------------------------------------------------


def phase_started(process: Any, phase: Any) -> None:
    """Tell the owner's people, contributors and the networks' member governments that a phase began."""
    consultation = Consultation.objects.filter(process=process).select_related("process__owner").first()
    if consultation is None:
        return
    title = consultation.title

    def text() -> str:
        return _("“%(title)s” is now in the phase “%(phase)s”.") % {"title": title, "phase": phase_label(phase)}

    _send(recipients=_people(selectors.audience_user_ids(consultation=consultation)),
          kind="consultations.phase_changed", text=text, url=consultation.get_absolute_url(), target=consultation)


def contribution_commented(comment: Any) -> None:
    """Tell a contribution's authors (everyone who saved a version of it) that someone commented on it."""
    contribution = Contribution.objects.filter(pk=comment.target_id).first()
    if contribution is None:
        return
    title = contribution.title
    _send(recipients=contribution.authors.exclude(pk=comment.author_id),
          kind="consultations.contribution_commented",
          text=lambda: _("New comment on your contribution “%(title)s”.") % {"title": title},
          url=contribution.get_absolute_url(), target=contribution)


def paragraph_commented(comment: Any) -> None:
    """A comment on a paragraph of the draft waits on the organisers' answer (a reply is engagement's business)."""
    if comment.parent_id is not None:
        return
    paragraph = selectors.comment_paragraph(comment=comment)
    if paragraph is None:
        return
    document = paragraph.version.document
    values = {"number": paragraph.position, "document": document.title}
    _send(recipients=_people(selectors.organiser_ids(consultation=document.consultation), without=comment.author),
          kind="consultations.paragraph_commented",
          text=lambda: _("A comment on paragraph %(number)d of “%(document)s” awaits the editors' answer.") % values,
          url=f"{paragraph.version.get_absolute_url()}#answer-{comment.pk}", target=comment)


# --- Registration ------------------------------------------------------------------------------------------


def register() -> None:
    from arrival.engagement.services import on_comment_created, on_phase_started

    group = gettext_lazy("Consultations")
    for key, label in (
        ("consultations.new_consultation", gettext_lazy("A consultation opened that you can contribute to")),
        ("consultations.phase_changed", gettext_lazy("A consultation you take part in moved to its next phase")),
        ("consultations.contribution_commented", gettext_lazy("Someone commented on your contribution")),
        ("consultations.contribution_submitted", gettext_lazy("A contribution came in to a consultation you run")),
        ("consultations.contribution_cosigned",
         gettext_lazy("A government co-signed a contribution (to a consultation you run, or of your government)")),
        ("consultations.paragraph_commented",
         gettext_lazy("A comment on the draft of a consultation you run awaits the editors' answer")),
        ("consultations.comment_answered", gettext_lazy("The editors answered your comment on a draft")),
        ("consultations.document_version",
         gettext_lazy("A new version of an outcome document you contributed to or commented on")),
        ("consultations.document_adopted",
         gettext_lazy("An outcome document you contributed to, or may endorse, was adopted")),
    ):
        notification_kind_register(key, group=group, label=label)
    work_provider_register("consultations.synthesis", label=gettext_lazy("Contributions to take into the synthesis"),
                           items=selectors.synthesis_work_items, count=selectors.synthesis_work_count)
    work_provider_register("consultations.comments",
                           label=gettext_lazy("Comments on a draft awaiting the editors' answer"),
                           items=selectors.comment_work_items, count=selectors.comment_work_count)
    work_provider_register("consultations.contribute", label=gettext_lazy("Consultations you are invited to"),
                           items=selectors.invitation_work_items, count=selectors.invitation_work_count)
    on_phase_started(P.PROCESS_KIND, phase_started)
    on_comment_created("consultations.contribution", contribution_commented)
    on_comment_created("consultations.paragraph", paragraph_commented)
