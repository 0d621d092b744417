"""The outcome panel page: the city's team enters aggregate statistics by population group.

The whole form is saved in one transaction by `services.outcome_panel_save`, all of it or nothing; the API's
outcome endpoints use the same selector and service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from arrival.assessments import selectors, services
from arrival.assessments.models import Assessment


def _team(request: HttpRequest, pk: int) -> Assessment:
    assessment = selectors.assessment_get(pk=pk)
    if not request.user.has_perm("assessments.change_assessment", assessment):
        raise PermissionDenied(_("Only the government's team enters its outcome panel."))
    return assessment


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _team(request, pk)
    can_edit = selectors.can_edit(user=request.user, assessment=assessment)
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        rows = selectors.outcome_panel(assessment=assessment, data=request.POST)
        try:
            written = services.outcome_panel_save(user=request.user, assessment=assessment, rows=rows)
        except ValidationError as error:
            errors, status = [str(m) for m in error.messages], 400
            for row in rows:
                row.errors = [e for e in errors if e.startswith(f"{row.outcome.code}:")]
        else:
            messages.success(request, ngettext("Outcome panel saved: %(count)s figure changed.",
                                               "Outcome panel saved: %(count)s figures changed.", written)
                             % {"count": written})
            return redirect("assessments:outcomes", pk=assessment.pk)
    else:
        rows = selectors.outcome_panel(assessment=assessment)
    return render(request, "assessments/outcomes.html", {
        "assessment": assessment, "rows": rows, "errors": errors, "can_edit": can_edit, "is_team": True,
        "can_validate": selectors.can_validate(user=request.user, assessment=assessment),
        "can_comment": selectors.can_comment(user=request.user, assessment=assessment),
    }, status=status)
