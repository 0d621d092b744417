"""Pages owned by core: a background job's progress, the list of one's jobs, attachment downloads, and the
answer to an error no view handled."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_safe

from arrival.core.attachments import attachment_get_for_download
from arrival.core.http import HtmxHttpRequest
from arrival.core.jobs import job_get, job_list_for_user
from arrival.core.models import Attachment, Job
from arrival.core.outage import database_unavailable, outage_response

# htmx stops polling when a response carries this status (https://htmx.org/docs/#polling).
HTMX_STOP_POLLING = 286


def _job_or_404(request: HttpRequest, job_id: str) -> Job:
    try:
        return job_get(job_id=job_id, user=request.user)
    except Job.DoesNotExist:
        raise Http404(_("No job with this address.")) from None


def _result_link(job: Job) -> dict[str, str] | None:
    """A task may return {"url": "/…", "label": "…"}; only paths on this site become links."""
    result = job.result if isinstance(job.result, dict) else {}
    url = result.get("url")
    if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
        return {"url": url, "label": str(result.get("label") or _("Open the result"))}
    return None


def _job_context(request: HttpRequest, job: Job) -> dict[str, object]:
    return {"job": job, "result_link": _result_link(job), "show_detail": request.user.is_staff}


@require_safe
@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_or_404(request, job_id)
    return render(request, "core/job_detail.html", _job_context(request, job))


@require_safe
@login_required
def job_status(request: HtmxHttpRequest, job_id: str) -> HttpResponse:
    """The status partial that the job page polls; full page for a request without htmx."""
    job = _job_or_404(request, job_id)
    if not request.htmx:
        return render(request, "core/job_detail.html", _job_context(request, job))
    response = render(request, "core/_job_status.html", {**_job_context(request, job), "oob": True})
    if job.is_finished:
        response.status_code = HTMX_STOP_POLLING
    return response


@require_safe
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/job_list.html", {"jobs": job_list_for_user(user=request.user)})


@require_safe
def attachment_download(request: HttpRequest, attachment_id: str) -> FileResponse:
    try:
        attachment = attachment_get_for_download(user=request.user, attachment_id=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404(_("No file with this address.")) from None
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
        content_type=attachment.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, wherever it was raised (a view, or middleware
    reading the session); a database outage becomes a 503 the client may retry, anything else stays a 500."""
    if database_unavailable(sys.exc_info()[1]):
        return outage_response(request)
    return defaults.server_error(request)
