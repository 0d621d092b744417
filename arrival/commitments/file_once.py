"""File once: a commitment in the fields other registries ask for, so a city does not retype it.

Two forms, as Arrival maps their public fields (docs/commitments.md shows the mapping; neither form's owner
made or endorsed it):
- the UN Network on Migration's GCM pledge form ("un_gcm_pledge");
- the Call to Local Action for Migrants and Refugees ("call_to_local_action").

Each form is a list of (key, label, value) rows; `render(commitment, form, fmt)` writes JSON, CSV or DOCX
through `arrival.reports` (exports and documents). Each file names its licence and its source address.

The files are the export kind "commitments.file_once" (arrival.reports.prepared): a background job builds
them when the commitment changes (publication, edits, milestones, progress) and its address serves the
latest built file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrival.commitments.models import Commitment, CommitmentType
from arrival.commitments.selectors import commitment_get, tags_by_commitment
from arrival.core.site import absolute_url
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.reports.documents import Document, Paragraph, Table, colophon, render_docx
from arrival.reports.exports import OpenDataMeta, csv_bytes, json_bytes
from arrival.reports.prepared import CSV, DOCX, JSON, Built, ExportKind, export_kind_register
from arrival.reports.services import prepared_files_refresh

FORMATS = {"json": JSON, "csv": CSV, "docx": DOCX}
KIND = "commitments.file_once"
MAPPING_VERSION = "arrival-file-once-2"


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: Any
    note: Any


FORMS = {
    "un_gcm_pledge": FormSpec(
        "un_gcm_pledge", gettext_lazy("GCM pledge (UN Network on Migration pledge form)"),
        gettext_lazy("Arrival's mapping of the public fields of the UN Network on Migration's GCM pledge form; "
                     "not an official export of the UN Network. Check the answers before you copy them into the form."),
    ),
    "call_to_local_action": FormSpec(
        "call_to_local_action", gettext_lazy("Call to Local Action for Migrants and Refugees — action"),
        gettext_lazy("Arrival's mapping of the public fields of the Call to Local Action for Migrants and Refugees; "
                     "not an official export of the Call's organisers. Check the answers before you submit them."),
    ),
}


def _items(tags: list[FrameworkItem], kind: str) -> list[FrameworkItem]:
    return [item for item in tags if item.framework.kind == kind]


def _codes(items: list[FrameworkItem]) -> str:
    return "; ".join(f"{item.code} {item.label}" for item in items)


def _timeline(commitment: Commitment) -> str:
    start = commitment.starts_on.isoformat() if commitment.starts_on else ""
    end = commitment.target_date.isoformat() if commitment.target_date else ""
    milestones = "; ".join(f"{m.due_on.isoformat()} {m.title}" for m in commitment.milestones.all())
    span = f"{start} – {end}" if start and end else (end or start)
    return f"{span}. {_('Milestones')}: {milestones}" if milestones else span


def _contact(commitment: Commitment) -> str:
    return ", ".join(part for part in (commitment.contact_role, commitment.contact_email) if part)


def _type_label(commitment: Commitment) -> str:
    labels: dict[str, str] = {CommitmentType.INDIVIDUAL: _("Individual pledge"), CommitmentType.COMMON: _("Common pledge"),
                CommitmentType.PARTNERSHIP: _("Partnership pledge"),
                CommitmentType.MATCHING: _("Matching pledge")}
    return str(labels[commitment.commitment_type])


def _language_rows(commitment: Commitment) -> list[tuple[str, str, str]]:
    """The record's language and its owners' translations (JSON by language), after every form's own fields."""
    translations = json.dumps(commitment.translations, ensure_ascii=False, sort_keys=True) if commitment.translations else ""
    return [("language", _("Language of the record"), commitment.language),
            ("translations", _("Translations by the team"), translations)]


def form_rows(commitment: Commitment, form: str) -> list[tuple[str, str, str]]:
    """(key, label, value) rows of `form` for `commitment`. Raises KeyError for an unknown form."""
    return _form_rows(commitment, form) + _language_rows(commitment)


def _form_rows(commitment: Commitment, form: str) -> list[tuple[str, str, str]]:
    spec = FORMS[form]
    tags = tags_by_commitment(commitment_ids=[commitment.pk]).get(commitment.pk, [])
    partners = "; ".join(p.name for p in commitment.partners.all())
    objectives = _codes(_items(tags, FrameworkKind.GCM_OBJECTIVE))
    if spec.key == "un_gcm_pledge":
        # A matched commitment is a published one, so it has its public id.
        matched = (commitment.matches.public_id or "") if commitment.matches is not None else ""
        return [
            ("pledging_entity", _("Pledging entity"), commitment.lead.name),
            ("pledging_entity_country", _("Country"), commitment.lead.country.name if commitment.lead.country is not None else ""),
            ("pledge_type", _("Type of pledge"), _type_label(commitment)),
            ("matched_pledge_id", _("Pledge matched (id)"), matched),
            ("co_pledging_entities", _("Other entities in a common or partnership pledge"), partners),
            ("gcm_objectives", _("GCM objectives"), objectives),
            ("gcm_guiding_principles", _("GCM guiding principles"), _codes(_items(tags, FrameworkKind.GCM_PRINCIPLE))),
            ("pledge_title", _("Title of the pledge"), commitment.title),
            ("pledge_description", _("Pledge description"), commitment.description),
            ("pledge_form", _("Form of the pledge"), "; ".join(commitment.get_forms_display())),
            ("timeline", _("Timeline"), _timeline(commitment)),
            ("contact", _("Contact"), _contact(commitment)),
            ("arrival_public_id", _("Arrival public id"), commitment.public_id or ""),
        ]
    sdgs = _codes(_items(tags, FrameworkKind.SDG_TARGET))
    return [
        ("local_government", _("Local or regional government"), commitment.lead.name),
        ("country", _("Country"), commitment.lead.country.name if commitment.lead.country is not None else ""),
        ("action_title", _("Action title"), commitment.title),
        ("action_description", _("Description of the action"), commitment.description),
        ("objectives", _("Objectives (GCM objectives; SDG targets)"), "; ".join(p for p in (objectives, sdgs) if p)),
        ("timeline", _("Timeline"), _timeline(commitment)),
        ("partners", _("Partners"), partners),
        ("status", _("Status"), str(commitment.get_progress_status_display())
         + (f" ({commitment.progress_percent}%)" if commitment.is_public else "")),
        ("arrival_public_id", _("Arrival public id"), commitment.public_id or ""),
    ]


def filename(commitment: Commitment, form: str, fmt: str) -> str:
    return f"{commitment.public_id or f'commitment-{commitment.pk}'}-{form}.{fmt}".lower()


def render(commitment: Commitment, form: str, fmt: str) -> bytes:
    """The commitment in `form`'s fields as `fmt` (json, csv or docx)."""
    if fmt not in FORMATS:
        raise KeyError(fmt)
    spec = FORMS[form]
    rows = form_rows(commitment, form)
    source = absolute_url(_address({"pk": commitment.pk, "form": form}, fmt))
    if fmt == "docx":
        return render_docx(Document(
            title=str(spec.title), subtitle=commitment.public_id or commitment.title,
            blocks=(Paragraph(str(spec.note), emphasis=True),
                    Table(caption=str(spec.title), columns=(_("Field"), _("Answer")),
                          rows=[(label, value) for _key, label, value in rows])),
            colophon=colophon(source=source, version=MAPPING_VERSION),
        ))
    meta = OpenDataMeta(title=str(spec.title), version=MAPPING_VERSION, source=source,
                        notes={"form": spec.key, "mapping": str(spec.note)})
    columns = [key for key, _label, _value in rows]
    record = {key: value for key, _label, value in rows}
    if fmt == "csv":
        return csv_bytes(columns, [record], meta)
    return json_bytes(columns, [record], meta)


# --- the files behind the export address (arrival.reports.prepared) ---------------------------------------


def _address(params: dict[str, Any], fmt: str) -> str:
    return reverse("commitments:file_once_export", args=[params["pk"], params["form"], fmt])


def _build(params: dict[str, Any], fmt: str) -> Built:
    commitment = commitment_get(pk=params["pk"])
    return Built(content=render(commitment, params["form"], fmt), filename=filename(commitment, params["form"], fmt))


def source_name(pk: int) -> str:
    return f"commitments.commitment:{pk}"


def _published() -> Any:
    from arrival.commitments.models import PUBLIC_STATUSES

    ids = Commitment.objects.filter(status__in=PUBLIC_STATUSES).order_by("pk").values_list("pk", flat=True)
    return ({"pk": pk, "form": form} for pk in ids.iterator(chunk_size=2000) for form in FORMS)


export_kind_register(ExportKind(name=KIND, formats=FORMATS, build=_build,
                                source=lambda params: source_name(params["pk"]), address=_address,
                                published=_published))


def commitment_files_refresh(*, commitment: Commitment) -> None:
    """The commitment changed: rebuild its files that exist, and once it is public, both forms in every format."""
    public = commitment.is_public
    prepared_files_refresh(source=source_name(commitment.pk),
                           kinds=[(KIND, {"pk": commitment.pk, "form": form}) for form in FORMS] if public else [])
