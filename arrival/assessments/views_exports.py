"""The questionnaire workbook, its upload, the reports and the open data of assessments.

Report and open-data addresses serve files that background jobs prepare when the assessment changes
(report_tasks.py, arrival.reports): a GET answers with the latest prepared file, or 503 with Retry-After
while the file's first build runs. Published assessments' reports and open data are public; a draft's
report is for those who may view the assessment.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from arrival.assessments import report_tasks, xlsx
from arrival.assessments.models import Assessment, AssessmentStatus
from arrival.assessments.selectors import assessment_get, can_edit, can_view
from arrival.core.attachments import XLSX, attachment_create
from arrival.core.jobs import job_enqueue
from arrival.reports.responses import prepared_file_response


def _viewable(request: HttpRequest, pk: int) -> Assessment:
    assessment = assessment_get(pk=pk)
    if not can_view(user=request.user, assessment=assessment):
        # Not published and not yours: answer as if it did not exist.
        raise Http404(_("No such assessment."))
    return assessment


def _published(request: HttpRequest, pk: int) -> Assessment:
    assessment = assessment_get(pk=pk)
    if assessment.status != AssessmentStatus.PUBLISHED:
        raise Http404(_("Open data exists only for published assessments."))
    return assessment


@require_safe
def report_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment report as a web page, rendered now."""
    assessment = _viewable(request, pk)
    return render(request, "assessments/report/report_page.html", report_tasks.report_context(assessment=assessment))


@require_safe
def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The assessment report (PDF) or the Voluntary Local Review chapter draft (DOCX), as last prepared."""
    assessment = _viewable(request, pk)
    return prepared_file_response(kind=report_tasks.KIND_REPORT, params={"pk": assessment.pk}, fmt=fmt,
                                  public=assessment.status == AssessmentStatus.PUBLISHED)


@require_safe
def open_data_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """A published assessment's answers and scores as CSV, JSON or XLSX, with framework version and licence."""
    assessment = _published(request, pk)
    return prepared_file_response(kind=report_tasks.KIND_OPEN_DATA, params={"pk": assessment.pk}, fmt=fmt, public=True)


@require_safe
def open_data_all_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Every published domain score as one CSV, JSON or XLSX file."""
    return prepared_file_response(kind=report_tasks.KIND_OPEN_DATA_ALL, params={}, fmt=fmt, public=True)


# --- questionnaire workbook ------------------------------------------------------------------------------


def _editable(request: HttpRequest, pk: int) -> Assessment:
    assessment = assessment_get(pk=pk)
    if not can_view(user=request.user, assessment=assessment):
        raise Http404(_("No such assessment."))
    if not can_edit(user=request.user, assessment=assessment):
        raise PermissionDenied(_("Only the government's team can fill this assessment, while it is a draft or changes are requested."))
    return assessment


@require_safe
@login_required
def questionnaire_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _viewable(request, pk)
    if not request.user.has_perm("assessments.change_assessment", assessment):
        raise PermissionDenied(_("Only the government's team can download the questionnaire to fill."))
    response = HttpResponse(xlsx.questionnaire_workbook(assessment=assessment), content_type=XLSX.media_type)
    response["Content-Disposition"] = (
        f'attachment; filename="arrival-questionnaire-{assessment.government.slug}-{assessment.cycle}.xlsx"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled questionnaire (XLSX)"),
                           help_text=gettext_lazy("The workbook downloaded from this assessment, with your answers."))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a filled questionnaire; it is checked and saved by a background job (all rows or none)."""
    assessment = _editable(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = attachment_create(user=request.user, file=form.cleaned_data["file"], record=assessment,
                                           allowed_types=frozenset({XLSX}), is_demo=assessment.is_demo)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            job = job_enqueue(
                name="assessments.import_xlsx", user=request.user,
                kwargs={"assessment_id": assessment.pk, "attachment_id": str(attachment.pk), "user_id": request.user.pk},
                label=_("Questionnaire import: %(assessment)s") % {"assessment": assessment},
            )
            return redirect("core:job_detail", job.pk)
    return render(request, "assessments/report/import.html", {"assessment": assessment, "form": form})
