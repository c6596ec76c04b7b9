"""The KPI definitions page of a contract (issue 12): its prime's definitions by role, shared by all the
prime's contracts, with their history; the prime's contract and performance managers (MANAGE_CONTRACT on
the contract) add and edit them, everyone who sees the contract views them. Scope 404, role 403
(participants.access); the rules and the recompute are the service's (definitions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from participants import access
from participants.access import Action
from participants.errors import FlightpathError
from participants.models import Contract
from participants.selectors import visible_contract

from ..models import KpiDefinition
from . import definitions
from .definition_forms import KpiDefinitionForm

TEMPLATE = "performance/kpis/definitions.html"


def _contract(request, ref: str, action: Action) -> Contract:
    contract = visible_contract(request.user, ref)
    access.require(request.user, action, contract, in_scope=True)
    return contract


def _save(request, contract: Contract, form: KpiDefinitionForm):
    """Save a valid form through the service; None when it refused (shown on the form's field)."""
    try:
        saved = definitions.save_definition(prime=contract.prime, definition=form.instance)
    except FlightpathError as error:
        error.add_to(form)
        return None
    messages.success(
        request,
        f"Saved \u201c{saved.name}\u201d ({saved.get_applies_to_display()}). The KPI ratings of "
        f"{contract.prime.name}'s contracts are being recomputed.",
    )
    return redirect("performance:kpi-definitions", contract.ref)


def _page(request, contract: Contract, *, form: KpiDefinitionForm | None, editing=None, status=200):
    prime = contract.prime
    return render(
        request,
        TEMPLATE,
        {
            "contract": contract,
            "prime": prime,
            "roles": definitions.definitions_by_role(prime),
            "shared_with": Contract.objects.visible_to(request.user).filter(prime=prime).order_by("ref"),
            "may_manage": access.can(request.user, Action.MANAGE_CONTRACT, contract, in_scope=True),
            "form": form,
            "editing": editing,
            "changes": definitions.history(prime, definition=editing),
        },
        status=status,
    )


@login_required
def definitions_page(request, ref: str):
    """The prime's definitions and their history; a manager's form adds one (POST)."""
    contract = _contract(request, ref, Action.MANAGE_CONTRACT if request.method == "POST" else Action.VIEW)
    definitions.seed_definitions(prime=contract.prime)
    may_manage = access.can(request.user, Action.MANAGE_CONTRACT, contract, in_scope=True)
    form = KpiDefinitionForm(request.POST or None) if may_manage else None
    if request.method == "POST" and form.is_valid():
        saved = _save(request, contract, form)
        if saved is not None:
            return saved
    return _page(request, contract, form=form, status=400 if form is not None and form.errors else 200)


@login_required
def definition_edit(request, ref: str, pk: int):
    """Edit one of the prime's definitions (a manager's only), with its own history."""
    contract = _contract(request, ref, Action.MANAGE_CONTRACT)
    definition = get_object_or_404(KpiDefinition, prime=contract.prime, pk=pk)
    form = KpiDefinitionForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, contract, form)
        if saved is not None:
            return saved
    stored = KpiDefinition.objects.get(pk=definition.pk)  # the heading shows it as saved, not as typed
    return _page(request, contract, form=form, editing=stored, status=400 if form.errors else 200)
