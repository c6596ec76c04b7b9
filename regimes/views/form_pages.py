"""The regimes' small forms as data: each FormPage names what its URL acts on (found in the contract, 404
outside it), who may use it (a participants.access check), its form, the service it calls, the message
and the page it returns to; `form_view` serves every one, so a new form is a row in views/plans.py or
views/reviews.py rather than another copy of the same view.

Two shapes. A page: GET shows the form; POST validates it and calls the service; a FlightpathError is shown
on the field it names (`attach`), with what was typed, status 400. A button (`button=True`): POST only, its
form a date that defaults to today; a refusal is a message on the page it returns to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from participants.errors import FlightpathError
from participants.models import Contract
from participants.selectors import visible_contract

from .common import today

BACK = "regimes:plans"  # where a form page's Cancel goes: the contract's plans and reviews


def attach(form, exc: FlightpathError) -> None:
    """On its field the message loses its leading 'field name: ' (the field's label is shown with it)."""
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message.split(": ", 1)[-1])
    else:
        form.add_error(None, exc.message)


@dataclass(frozen=True)
class Posted:
    """What a row's service call and its way back are given: the request, the contract, the record the URL
    names (FormPage.find) and the validated form."""

    request: HttpRequest
    contract: Contract
    target: Any
    form: forms.Form

    @property
    def user(self):
        return self.request.user

    @property
    def data(self) -> dict:
        return self.form.cleaned_data

    @property
    def on(self):
        """A button's date: the one posted, else today."""
        return self.data.get("on") or today()


def the_contract(contract: Contract, pk: int | None) -> Contract:
    return contract


def _no_options(contract: Contract, target) -> dict:
    return {}


def _no_context(target) -> dict:
    return {}


@dataclass(frozen=True)
class FormPage:
    # Who may use it, asked before anything is looked up: raises PermissionDenied (participants.access).
    require: Callable[[Any, Contract], None]
    form: type[forms.Form]
    call: Callable[[Posted], Any]  # the service; its result goes to `success` and `then`
    success: str | Callable[[Any], str]  # the message, or made from the result
    # The URL name and pk it returns to, from the result (a refused button's: from the target).
    then: Callable[[Posted, Any], tuple[str, int | None]]
    title: str | Callable[[Any], str] = ""  # or made from the target
    find: Callable[[Contract, int | None], Any] = the_contract  # the URL's pk in the contract (404 outside)
    form_options: Callable[[Contract, Any], dict] = _no_options  # the form's keyword arguments (initial, ...)
    template: str = "compliance/form_page.html"  # the contract form page both apps share
    context: Callable[[Any], dict] = _no_context  # the template's extra context, from the target
    button: bool = False


def _text(value, of) -> str:
    return value(of) if callable(value) else value


def _back(page: FormPage, posted: Posted, result) -> HttpResponse:
    name, pk = page.then(posted, result)
    return redirect(name, ref=posted.contract.ref, **({} if pk is None else {"pk": pk}))


def form_view(page: FormPage) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, ref: str, pk: int | None = None) -> HttpResponse:
        contract = visible_contract(request.user, ref)
        page.require(request.user, contract)
        target = page.find(contract, pk)
        data = request.POST if page.button else request.POST or None
        form = page.form(data, **page.form_options(contract, target))
        posted = Posted(request, contract, target, form)
        if page.button:
            form.is_valid()  # an invalid date is no date: Posted.on is today
            try:
                result = page.call(posted)
            except FlightpathError as exc:
                messages.error(request, exc.message)
                return _back(page, posted, target)
            messages.success(request, _text(page.success, result))
            return _back(page, posted, result)
        if request.method == "POST" and form.is_valid():
            try:
                result = page.call(posted)
            except FlightpathError as exc:
                attach(form, exc)
            else:
                messages.success(request, _text(page.success, result))
                return _back(page, posted, result)
        context = {
            "contract": contract,
            "form": form,
            "title": _text(page.title, target),
            "back": BACK,
            **page.context(target),
        }
        return render(request, page.template, context, status=400 if form.errors else 200)

    return login_required(require_POST(view) if page.button else view)
