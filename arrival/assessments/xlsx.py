"""Offline filling: the questionnaire as an XLSX workbook, and the background import of a filled one.

The workbook has one row per policy indicator. The answer cell is a drop-down of "key – text" choices
(levels "0 – <descriptor>"… and the special answers); the choices sit on a hidden sheet, one row per
indicator, because level descriptors are longer than Excel allows in an inline list. Only the text before
" – " is read back, so the file can be filled in any language. A hidden "_about" sheet names the
assessment and framework version the file belongs to; a file for another assessment is refused.

The import validates every row first and then writes them all with `answers_save_many` in one
transaction: all rows or none, and every error names its spreadsheet row.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from arrival.assessments import services
from arrival.assessments.domain import framework_file as ff
from arrival.assessments.domain.scoring import SPECIAL_ANSWERS, AnswerError, answer_code
from arrival.assessments.domain.scoring import Answer as DomainAnswer
from arrival.assessments.models import Assessment, SpecialAnswer
from arrival.assessments.selectors import assessment_answers, assessment_get, framework_parsed
from arrival.core.attachments import attachments_register
from arrival.core.jobs import JobError, Progress, task
from arrival.core.models import Attachment
from arrival.reports.exports import (
    xlsx_bytes,
    xlsx_header,
    xlsx_list_validation,
    xlsx_open,
    xlsx_protect,
)

FORMAT = "arrival-questionnaire/1"
SEPARATOR = " – "
CHOICES_SHEET = "_choices"
ABOUT_SHEET = "_about"
# Columns of the questionnaire sheet (1-based); the answer columns are the editable ones.
COL_DOMAIN, COL_SUB, COL_CODE, COL_QUESTION, COL_GUIDANCE = 1, 2, 3, 4, 5
COL_ANSWER, COL_COMMENT, COL_URL, COL_REFERENCE = 6, 7, 8, 9
EDITABLE = (COL_ANSWER, COL_COMMENT, COL_URL, COL_REFERENCE)
FIRST_ROW = 2
MAX_ROWS = 2000  # far above any framework; guards against a sheet padded with a million empty rows

# Uploaded questionnaires are kept as attachments of their assessment: seen and added by its team only.
attachments_register(Assessment, view="assessments.change_assessment", change="assessments.change_answer")


def _choices(indicator: ff.Indicator) -> list[tuple[str, str]]:
    """(key, text) pairs offered for an indicator: its values, then the three special answers."""
    if indicator.answer_type == ff.MATURITY:
        values = [(str(level), text) for level, text in enumerate(indicator.levels)]
    elif indicator.answer_type == ff.YES_NO:
        values = [("yes", _("Yes")), ("no", _("No"))]
    elif indicator.answer_type == ff.CHOICE:
        values = [(option.code, option.label) for option in indicator.options]
    else:
        values = []
    return values + [(special.value, str(special.label)) for special in SpecialAnswer]


def choice_text(key: str, text: str) -> str:
    return f"{key}{SEPARATOR}{text}"


def _current_cell(indicator: ff.Indicator, answer: Any) -> Any:
    if answer is None:
        return None
    if answer.special:
        return choice_text(answer.special, str(SpecialAnswer(answer.special).label))
    value = answer.value
    if value is None:
        return None
    if indicator.answer_type == ff.NUMBER:
        return value
    key = ("yes" if value else "no") if indicator.answer_type == ff.YES_NO else str(value)
    texts = dict(_choices(indicator))
    return choice_text(key, texts.get(key, key))


def questionnaire_workbook(*, assessment: Assessment) -> bytes:
    """The questionnaire of `assessment` as XLSX bytes, prefilled with its current answers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.datavalidation import DataValidation

    parsed = framework_parsed(framework=assessment.framework)
    answers = assessment_answers(assessment=assessment)
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has one worksheet
    sheet.title = _("Questionnaire")[:31]
    choices_sheet = workbook.create_sheet(CHOICES_SHEET)
    about = workbook.create_sheet(ABOUT_SHEET)
    xlsx_header(sheet, [
        _("Domain"), _("Sub-category"), _("Code"), _("Question"), _("Guidance"),
        _("Answer (choose from the list)"), _("Comment"), _("Evidence link"), _("Evidence reference"),
    ], widths=[18, 20, 10, 50, 50, 45, 35, 30, 30])
    wrap = Alignment(wrap_text=True, vertical="top")
    row = FIRST_ROW
    for domain in parsed.domains:
        for sub in domain.subcategories:
            for indicator in sub.indicators:
                guidance = indicator.guidance
                if indicator.evidence_from_level is not None:
                    guidance += "\n" + _("Evidence is needed from level %(level)s.") % {"level": indicator.evidence_from_level}
                answer = answers.get(indicator.code)
                sheet.append([
                    f"{domain.code} {domain.title}", f"{sub.code} {sub.title}", indicator.code, indicator.question,
                    guidance, _current_cell(indicator, answer),
                    answer.comment if answer else "", answer.evidence_url if answer else "",
                    answer.evidence_reference if answer else "",
                ])
                for cell in sheet[row]:
                    cell.alignment = wrap
                choice_row = row - FIRST_ROW + 1
                options = _choices(indicator)
                for column, (key, text) in enumerate(options, start=1):
                    choices_sheet.cell(row=choice_row, column=column, value=choice_text(key, text))
                if indicator.answer_type == ff.NUMBER:
                    # Numbers are typed; the special answers can still be typed as their key.
                    number = DataValidation(type="custom", allow_blank=True,
                                            formula1=f"OR(ISNUMBER(F{row}),LEFT(F{row},3)=\"not\",LEFT(F{row},3)=\"unk\")")
                    number.error = _("Type a number, or one of the special answers.")
                    number.showErrorMessage = True
                    sheet.add_data_validation(number)
                    number.add(f"F{row}")
                else:
                    last = chr(ord("A") + len(options) - 1)
                    xlsx_list_validation(
                        sheet, cell=f"F{row}", source=f"'{CHOICES_SHEET}'!$A${choice_row}:${last}${choice_row}",
                        prompt_title=_("Answer"), error=_("Choose one of the answers in the list."),
                    )
                row += 1
    for key, value in (("format", FORMAT), ("assessment", str(assessment.pk)), ("framework", assessment.framework.label),
                       ("government", str(assessment.government)), ("cycle", str(assessment.cycle))):
        about.append([key, value])
    choices_sheet.sheet_state = "hidden"
    about.sheet_state = "hidden"
    xlsx_protect(sheet, editable_columns=EDITABLE, first_row=FIRST_ROW)
    return xlsx_bytes(workbook)


# --- import ----------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_answer(indicator: ff.Indicator, cell: Any) -> tuple[Any, str]:
    """(value, special) from an answer cell; raises ValueError with a reader-facing message."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None, ""
    if isinstance(cell, bool):
        raise ValueError(_("“%(value)s” is not one of the answers in the list.") % {"value": cell})
    if isinstance(cell, int | float):
        if indicator.answer_type == ff.NUMBER:
            if not math.isfinite(cell):
                raise ValueError(_("the number is not finite."))
            return (int(cell) if float(cell).is_integer() else float(cell)), ""
        key = _text(cell)
    else:
        key = str(cell).split(SEPARATOR, 1)[0].split(" - ", 1)[0].strip()
    lowered = key.lower()
    if lowered in SPECIAL_ANSWERS:
        return None, lowered
    if indicator.answer_type == ff.MATURITY and lowered.isdigit():
        return int(lowered), ""
    if indicator.answer_type == ff.YES_NO and lowered in ("yes", "no"):
        return lowered == "yes", ""
    if indicator.answer_type == ff.CHOICE and key in {option.code for option in indicator.options}:
        return key, ""
    if indicator.answer_type == ff.NUMBER:
        try:
            number = float(key.replace(",", "."))
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return (int(number) if number.is_integer() else number), ""
    raise ValueError(_("“%(value)s” is not one of the answers in the list.") % {"value": _text(cell)[:80]})


def _about(workbook: Any) -> dict[str, str]:
    if ABOUT_SHEET not in workbook.sheetnames:
        return {}
    return {_text(row[0]): _text(row[1]) for row in workbook[ABOUT_SHEET].iter_rows(max_col=2, values_only=True)
            if row and row[0] is not None}


def questionnaire_rows(*, assessment: Assessment, file: Any, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Read and check a filled questionnaire; the rows to save, or ValidationError listing every bad row.

    Rows whose answer, comment and evidence are all empty are skipped, as are rows identical to the stored
    answer: an empty row never deletes an answer.
    """
    try:
        workbook = xlsx_open(file)
    except ValueError:
        raise ValidationError(_("This file is not an XLSX workbook that Arrival can read.")) from None
    about = _about(workbook)
    if about.get("format") != FORMAT:
        raise ValidationError(_("This workbook is not an Arrival questionnaire. Download the questionnaire, fill it and upload it."))
    if about.get("assessment") != str(assessment.pk) or about.get("framework") != assessment.framework.label:
        raise ValidationError(
            _("This questionnaire was downloaded for %(government)s %(cycle)s (%(framework)s), not for this assessment.")
            % {"government": about.get("government", "?"), "cycle": about.get("cycle", "?"),
               "framework": about.get("framework", "?")}
        )
    sheet = workbook.worksheets[0]
    if sheet.max_row > MAX_ROWS:
        raise ValidationError(_("The questionnaire has %(count)s rows; at most %(max)s are read.")
                              % {"count": sheet.max_row, "max": MAX_ROWS})
    parsed = framework_parsed(framework=assessment.framework)
    indicators = {indicator.code: indicator for indicator in parsed.indicators}
    stored = assessment_answers(assessment=assessment)
    url_check = URLValidator(schemes=["http", "https"])
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    total = max(sheet.max_row - FIRST_ROW + 1, 0)
    for offset, cells in enumerate(sheet.iter_rows(min_row=FIRST_ROW, max_col=COL_REFERENCE, values_only=True)):
        number = FIRST_ROW + offset
        if progress is not None:
            progress.update(done=offset, total=total, message=_("Checking row %(row)s") % {"row": number})
        cells = tuple(cells) + (None,) * (COL_REFERENCE - len(cells))
        code = _text(cells[COL_CODE - 1])
        answer_cell = cells[COL_ANSWER - 1]
        comment, url, reference = (_text(cells[c - 1]) for c in (COL_COMMENT, COL_URL, COL_REFERENCE))
        if not code:
            if any(_text(c) for c in cells):
                errors.append(_("Row %(row)s: the indicator code is missing.") % {"row": number})
            continue
        where = _("Row %(row)s (%(code)s)") % {"row": number, "code": code}
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(_("%(where)s: no indicator has this code in %(framework)s.")
                          % {"where": where, "framework": assessment.framework.label})
            continue
        if code in seen:
            errors.append(_("%(where)s: this indicator is already in row %(other)s.") % {"where": where, "other": seen[code]})
            continue
        seen[code] = number
        try:
            value, special = _parse_answer(indicator, answer_cell)
            answer_code(indicator, DomainAnswer(value=value, special=special or None))
        except (ValueError, AnswerError) as exc:
            errors.append(f"{where}: {exc}")
            continue
        if url:
            try:
                url_check(url)
            except ValidationError:
                errors.append(_("%(where)s: the evidence link is not a web address (http or https).") % {"where": where})
                continue
        if len(comment) > 5000 or len(reference) > 300 or len(url) > 500:
            errors.append(_("%(where)s: the comment (5,000), evidence link (500) or reference (300 characters) is too long.")
                          % {"where": where})
            continue
        if value is None and not special and not (comment or url or reference):
            continue
        current = stored.get(code)
        if current is not None and (current.value, current.special, current.comment, current.evidence_url,
                                    current.evidence_reference) == (value, special, comment, url, reference):
            continue
        rows.append({"indicator_code": code, "value": value, "special": special, "comment": comment,
                     "evidence_url": url, "evidence_reference": reference, "row": number})
    if errors:
        raise ValidationError(errors)
    return rows


@task("assessments.import_xlsx", max_attempts=1)
def import_xlsx(progress: Progress, *, assessment_id: int, attachment_id: str, user_id: int) -> dict[str, Any]:
    """Import an uploaded questionnaire: check every row, then save all of them or none."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    assessment = assessment_get(pk=assessment_id)
    user = get_user_model().objects.get(pk=user_id)
    try:
        attachment = Attachment.objects.get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise JobError(_("The uploaded file is no longer stored; upload it again.")) from None
    progress.update(done=0, message=_("Reading the workbook"))
    with attachment.file.open("rb") as file:
        rows = questionnaire_rows(assessment=assessment, file=file, progress=progress)
    progress.update(done=progress.total or 0, message=_("Saving %(count)s answers") % {"count": len(rows)})
    saved = services.answers_save_many(user=user, assessment=assessment, rows=rows) if rows else 0
    return {
        "saved": saved,
        "url": reverse("assessments:detail", args=[assessment.pk]),
        "label": _("%(count)s answers saved: open the assessment") % {"count": saved},
    }
