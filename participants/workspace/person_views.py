"""Pages of the person's records (issue 13): editing the names and contact details, revealing the National
Insurance number (each reveal in the access log), and the hours of support and expenditure of a contract
for its managers. Thin: scope (404), role (403), a service or a selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import access, selectors
from ..audit import log_access
from ..errors import FlightpathError
from . import person_selectors as person_sel
from . import person_services
from . import selectors as sel
from .person_forms import ParticipantDetailsForm, SupportPeriodForm

RECORD = access.Action.RECORD_JOURNEY
VIEW_NINO = access.Action.VIEW_NINO


@login_required
def participant_edit(request, pk: int):
    """The key worker's form of the participant's names and contact details: the NINO field only for a role
    that may see it (and the form's showing it is logged, like every view of the person)."""
    participant = sel.visible_participant(request.user, pk)
    access.require(request.user, RECORD, participant, in_scope=True)
    show_nino = access.can(request.user, VIEW_NINO, participant, in_scope=True)
    log_access(request, participants=[participant])
    initial = {name: getattr(participant, name) for name in person_services.DETAILS}
    form = ParticipantDetailsForm(request.POST or None, initial=initial, show_nino=show_nino)
    if request.method == "POST" and form.is_valid():
        try:
            person_services.update_participant_details(
                participant=participant, user=request.user, **form.cleaned_data
            )
        except FlightpathError as exc:
            exc.add_to(form)
        else:
            messages.success(request, "Details saved.")
            return redirect("participant-detail", participant.pk)
    return render(
        request, "participants/workspace/participant_edit.html", {"participant": participant, "form": form}
    )


@login_required
def participant_nino(request, pk: int):
    """The National Insurance number unmasked, for the roles that need it (VIEW_NINO): an htmx fragment in
    place of the masked number, never cached, and every answer an access log entry."""
    participant = sel.visible_participant(request.user, pk)
    access.require(request.user, VIEW_NINO, participant, in_scope=True)
    log_access(request, participants=[participant])
    template = "_nino.html" if request.headers.get("HX-Request") == "true" else "nino_page.html"
    response = render(request, f"participants/workspace/{template}", {"participant": participant})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def contract_support(request, ref: str):
    """Hours of support and expenditure on a contract, per delivery organisation and category, over what
    the user may see (a key worker: their caseload; a manager: their sites or the whole contract)."""
    contract = selectors.visible_contract(request.user, ref)
    form = SupportPeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else {"start": None, "end": None}
    figures = person_sel.contract_support(contract, request.user, start=period["start"], end=period["end"])
    return render(
        request,
        "participants/workspace/contract_support.html",
        {
            "contract": contract,
            "form": form,
            "back": reverse("contract-detail", args=[contract.ref]),
            **figures,
        },
    )
