"""The reporting app's pages and downloads. Thin views: a selector reads, reporting renders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from participants.audit import log_access
from participants.workspace.selectors import action_plan_history, visible_referral

from . import pdf


@login_required
def action_plan_pdf(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The latest plan as a PDF for a DWP work coach (DOMAIN.md 14 exports); 404 outside the user's scope
    or before the first plan is saved."""
    referral = visible_referral(request.user, referral_id)
    history = action_plan_history(referral)
    if history["plan"] is None:
        raise Http404("This referral has no action plan yet.")
    log_access(request, participants=[referral.participant])
    context = {"referral": referral, "today": timezone.localdate(), **history}
    document = pdf.action_plan(context, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="action-plan-{referral.ref}.pdf"'
    return response
