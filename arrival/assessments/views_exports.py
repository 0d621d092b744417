"""Pages for the questionnaire workbook, its upload, the reports and the open data of assessments.

Files are made by background jobs (report_tasks.py) and stored; a request serves the stored file when it
is current, and otherwise offers to prepare it. Published assessments' reports and open data are public;
a draft's report is for those who may view the assessment.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from arrival.assessments import report_tasks, xlsx
from arrival.assessments.models import Assessment, AssessmentStatus
from arrival.assessments.selectors import assessment_get, can_edit, can_view
from arrival.core.attachments import XLSX, attachment_create
from arrival.core.jobs import job_enqueue


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


def _file_response(path: str, *, filename: str, kind: str, public: bool) -> FileResponse:
    response = FileResponse(default_storage.open(path, "rb"), as_attachment=kind != "json", filename=filename,
                            content_type=report_tasks.MEDIA_TYPES[kind])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


def _serve_or_prepare(request: HttpRequest, *, path: str, kind: str, filename: str, public: bool, title: str,
                      enqueue: Any, back_url: str) -> HttpResponse:
    if request.method == "GET" and default_storage.exists(path):
        return _file_response(path, filename=filename, kind=kind, public=public)
    if request.method == "POST":
        if default_storage.exists(path):
            return redirect(request.path)
        job = enqueue()
        if request.user.is_authenticated:
            return redirect("core:job_detail", job.pk)
        messages.info(request, _("The file is being prepared. Reload this page in a moment to download it."))
        return redirect(request.path)
    return render(request, "assessments/report/prepare.html", {"title": title, "kind": kind.upper(), "back_url": back_url})


@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The assessment report: HTML now, PDF (the report) and DOCX (the VLR chapter draft) from a job."""
    assessment = _viewable(request, pk)
    if fmt == "html":
        if request.method == "POST":
            raise Http404
        return render(request, "assessments/report/report_page.html", report_tasks.report_context(assessment=assessment))
    if fmt not in report_tasks.REPORT_KINDS:
        raise Http404
    language = get_language()
    path = report_tasks.report_path(assessment=assessment, kind=fmt, language=language)
    title = (_("Assessment report (PDF): %(assessment)s") if fmt == "pdf" else
             _("Voluntary Local Review chapter draft (DOCX): %(assessment)s")) % {"assessment": assessment}
    return _serve_or_prepare(
        request, path=path, kind=fmt, filename=report_tasks.download_name(assessment=assessment, kind=fmt),
        public=assessment.status == AssessmentStatus.PUBLISHED, title=title,
        back_url=reverse("assessments:detail", args=[assessment.pk]),
        enqueue=lambda: report_tasks.enqueue(
            user=request.user, name=report_tasks.TASK_REPORT, label=title,
            kwargs={"assessment_id": assessment.pk, "kind": fmt, "language": language, "path": path},
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def open_data(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A published assessment's answers and scores as CSV or JSON, with framework version and licence."""
    assessment = _published(request, pk)
    if fmt not in report_tasks.OPEN_DATA_KINDS:
        raise Http404
    language = get_language()
    path = report_tasks.report_path(assessment=assessment, kind=fmt, language=language)
    title = _("Open data (%(kind)s): %(assessment)s") % {"kind": fmt.upper(), "assessment": assessment}
    return _serve_or_prepare(
        request, path=path, kind=fmt, filename=report_tasks.download_name(assessment=assessment, kind=fmt),
        public=True, title=title, back_url=reverse("assessments:detail", args=[assessment.pk]),
        enqueue=lambda: report_tasks.enqueue(
            user=request.user, name=report_tasks.TASK_REPORT, label=title,
            kwargs={"assessment_id": assessment.pk, "kind": fmt, "language": language, "path": path},
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def open_data_all(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every published domain score as one CSV or JSON file."""
    if fmt not in report_tasks.OPEN_DATA_KINDS:
        raise Http404
    path = report_tasks.open_data_all_path(kind=fmt)
    title = _("All published scores (%(kind)s)") % {"kind": fmt.upper()}
    return _serve_or_prepare(
        request, path=path, kind=fmt, filename=report_tasks.download_name(assessment=None, kind=fmt), public=True,
        title=title, back_url=reverse("assessments:dashboard"),
        enqueue=lambda: report_tasks.enqueue(user=request.user, name=report_tasks.TASK_OPEN_DATA_ALL, label=title,
                                             kwargs={"kind": fmt, "path": path}),
    )


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
