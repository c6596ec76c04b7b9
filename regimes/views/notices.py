"""Pages of the regimes app: issue notices (DOMAIN.md 12, 17.10-17.11). Thin: parse, call a selector or
service, render. Everyone who sees the contract reads its notices; the prime's contract and performance
managers write, send and resend them (participants.access, MANAGE_CONTRACT: 404 outside the scope, 403 in
it)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from participants import access
from participants.errors import FlightpathError
from participants.selectors import visible_contract

from ..forms.notices import NoticeForm
from ..selectors import notices as selectors
from ..services import notices as services

MANAGE = access.Action.MANAGE_CONTRACT


@login_required
def notices(request, ref: str):
    contract = visible_contract(request.user, ref)
    return render(
        request,
        "regimes/notice_list.html",
        {
            "contract": contract,
            "notices": selectors.contract_notices(contract),
            "can_edit": access.can(request.user, MANAGE, contract, in_scope=True),
        },
    )


@login_required
def notice_new(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.write_notice(contract=contract, user=request.user, fields=form.cleaned_data)
        except FlightpathError as exc:
            exc.add_to(form)
        else:
            if notice.urgency in notice.AT_ONCE:
                messages.success(request, "Notice saved and queued: it is being sent to DWP now.")
            else:
                messages.success(request, f"Notice saved: it will be sent by {notice.due_by:%-d %B %Y}.")
            return redirect("regimes:notice", ref=contract.ref, pk=notice.pk)
    return render(
        request,
        "regimes/notice_form.html",
        {
            "contract": contract,
            "form": form,
            "contacts": contract.dwp_contacts.filter(is_active=True),
            "working_days": settings.FLIGHTPATH_NOTICE_WORKING_DAYS,
        },
        status=400 if form.errors else 200,
    )


@login_required
def notice(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    item = selectors.notice_of(contract, pk)
    return render(
        request,
        "regimes/notice_detail.html",
        {
            "contract": contract,
            "notice": item,
            "recipients": item.message.to if item.message_id else services.recipients(item),
            "author": selectors.author(item),
            "can_edit": access.can(request.user, MANAGE, contract, in_scope=True),
        },
    )


@login_required
@require_POST
def notice_resend(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    item = selectors.notice_of(contract, pk)
    if services.resend(notice=item):
        messages.success(request, "Queued again with the same Message-ID: it is being sent now.")
    else:
        messages.info(request, "Only a failed notice, or one whose send is unknown, can be sent again.")
    return redirect("regimes:notice", ref=contract.ref, pk=item.pk)


@login_required
@require_POST
def notice_send(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    item = selectors.notice_of(contract, pk)
    try:
        queued = services.send_now(notice=item)
    except FlightpathError as exc:
        messages.error(request, exc.message)
    else:
        if queued:
            messages.success(request, "Queued: it is being sent now.")
        else:
            messages.info(request, "This notice was queued already.")
    return redirect("regimes:notice", ref=contract.ref, pk=item.pk)
