"""Writing issue notices (DOMAIN.md 12, 17.10-17.11) and queueing their emails through the outbox.

`write_notice` saves a notice and its NOTICE_DUE obligation; an URGENT or RED_FLAG one is queued in the same
transaction (participants.mail sends it once that commits: by the worker, or in-process without a broker). A
NORMAL one stays DRAFT until `queue_due_notices` (the daily schedule, migration 0003) or a person's "send
now" queues it, always before its due day. The obligation is fulfilled when the email is SENT."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from participants import mail
from participants.calendar import calendar_for
from participants.errors import FlightpathError
from participants.models import Contract, OutboxMessage

from ..models import IssueNotice, Obligation
from . import obligations

logger = logging.getLogger(__name__)

KIND = "issue_notice"
TEXT_FIELDS = {
    "summary": 200,
    "remedial_action": 5000,
    "avoid_repetition": 5000,
    "people_told": 2000,
}
MAX_EXTRA_RECIPIENTS = 20


def due_by(contract: Contract, *, urgency: str, on: dt.date) -> dt.date:
    """The day a notice written on `on` must be sent by: that day when urgent, else N working days on."""
    if urgency in IssueNotice.AT_ONCE:
        return on
    days = settings.FLIGHTPATH_NOTICE_WORKING_DAYS
    return calendar_for(contract.nation).deadline(on, days).astype(dt.date)


def _checked(fields: dict) -> dict:
    """The notice's fields, stripped, or a FlightpathError naming the first bad one."""
    clean = {}
    for name, limit in TEXT_FIELDS.items():
        value = str(fields.get(name) or "").strip()
        if not value:
            raise FlightpathError("This field is required.", field=name)
        if len(value) > limit:
            raise FlightpathError(f"At most {limit} characters (this has {len(value)}).", field=name)
        clean[name] = value
    urgency = fields.get("urgency")
    if urgency not in IssueNotice.Urgency.values:
        choices = ", ".join(IssueNotice.Urgency.values)
        raise FlightpathError(f"{urgency!r} is not an urgency; expected one of {choices}.", field="urgency")
    clean["urgency"] = urgency
    extra = fields.get("extra_recipients") or []
    if not isinstance(extra, list | tuple):
        raise FlightpathError("A list of email addresses is expected.", field="extra_recipients")
    addresses: list[str] = []
    for address in extra:
        address = str(address).strip()
        try:
            validate_email(address)
        except ValidationError:
            raise FlightpathError(f"{address!r} is not an email address.", field="extra_recipients") from None
        if address.lower() not in {a.lower() for a in addresses}:
            addresses.append(address)
    if len(addresses) > MAX_EXTRA_RECIPIENTS:
        raise FlightpathError(f"At most {MAX_EXTRA_RECIPIENTS} addresses.", field="extra_recipients")
    clean["extra_recipients"] = addresses
    return clean


def recipients(notice: IssueNotice) -> list[str]:
    """Every DWP contact named on the contract with an active login and an address, then the extra ones."""
    contacts = [u.email for u in notice.contract.dwp_contacts.all() if u.is_active and u.email]
    seen = {a.lower() for a in contacts}
    return sorted(set(contacts)) + [a for a in notice.extra_recipients if a.lower() not in seen]


@transaction.atomic
def write_notice(*, contract: Contract, user, fields: dict, today: dt.date | None = None) -> IssueNotice:
    """Save a notice (all or nothing: a bad field raises FlightpathError naming it and nothing is written),
    owe its sending by its due day, and queue it at once when URGENT or RED_FLAG."""
    clean = _checked(fields)
    today = today or timezone.localdate()
    notice = IssueNotice.objects.create(
        contract=contract,
        created_by=user,
        due_by=due_by(contract, urgency=clean["urgency"], on=today),
        **clean,
    )
    obligations.owe(
        contract=contract,
        key=notice.obligation_key,
        kind=Obligation.Kind.NOTICE_DUE,
        due_date=notice.due_by,
        source=f"Notice {notice.pk}",
        owner=user,
    )
    if notice.urgency in IssueNotice.AT_ONCE:
        _queue(notice)
    return notice


def _render(notice: IssueNotice) -> dict:
    contract = notice.contract
    url = settings.SITE_URL + reverse("regimes:notice", kwargs={"ref": contract.ref, "pk": notice.pk})
    context = {"notice": notice, "contract": contract, "provider": contract.prime.name, "url": url}
    urgency = notice.get_urgency_display().upper()
    return {
        "subject": f"[{urgency}] {contract.prime.name}, {contract.ref}: {notice.summary}",
        "text": render_to_string("regimes/email/notice.txt", context),
        "html": render_to_string("regimes/email/notice.html", context),
    }


def _queue(notice: IssueNotice) -> bool:
    """Put the notice's one email in the outbox (keyed by the notice: never a second one) and link it."""
    to = recipients(notice)
    if not to:
        raise FlightpathError(
            "The contract names no DWP contact with an email address, and no other address is given.",
            field="extra_recipients",
        )
    key = f"notice:{notice.pk}"
    queued = mail.queue(key=key, to=to, kind=KIND, **_render(notice))
    notice.message = OutboxMessage.objects.get(key=key)
    notice.save(update_fields=["message"])
    return queued


@transaction.atomic
def send_now(*, notice: IssueNotice) -> bool:
    """A person's "send now" of a DRAFT notice; False when it was queued already."""
    locked = IssueNotice.objects.select_for_update().select_related("contract__prime").get(pk=notice.pk)
    if locked.message_id:
        return False
    return _queue(locked)


@transaction.atomic
def resend(*, notice: IssueNotice) -> bool:
    """A person's decision, after checking, to send a FAILED or UNKNOWN notice again: the same email, with
    the same Message-ID (a copy that did arrive reads as the same message). False when it is neither."""
    if not notice.message_id:
        return False
    return mail.requeue(messages=OutboxMessage.objects.filter(pk=notice.message_id)) == 1


def queue_due_notices(*, today: dt.date | None = None) -> int:
    """The daily schedule: queue every DRAFT notice (each in its own transaction, locked and skipped when
    another run holds it, so two runs at once queue each once), and fulfil the obligation of every SENT one
    whose sender did not live to. Returns how many were queued."""
    today = today or timezone.localdate()
    queued = 0
    for pk in IssueNotice.objects.filter(message__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            notice = (
                IssueNotice.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("contract__prime")
                .filter(pk=pk, message__isnull=True)
                .first()
            )
            if notice is None:
                continue
            try:
                queued += _queue(notice)
            except FlightpathError as exc:  # no one to send it to: it stays due, and on what's due
                transaction.set_rollback(True)
                logger.warning("notice %s not queued: %s", notice.pk, exc.message)
    owed = Obligation.objects.filter(kind=Obligation.Kind.NOTICE_DUE, status=Obligation.Status.OPEN)
    pks = [int(key.removeprefix("notice:")) for key in owed.values_list("key", flat=True)]
    sent = IssueNotice.objects.filter(pk__in=pks, message__state=OutboxMessage.State.SENT)
    for notice in sent.select_related("contract", "message"):
        fulfil_sent(notice, on=timezone.localdate(notice.message.sent_at))
    return queued


def fulfil_sent(notice: IssueNotice, *, on: dt.date) -> int:
    return obligations.fulfil(contract=notice.contract, key=notice.obligation_key, on=on)


def on_message_sent(sender, message: OutboxMessage, **kwargs) -> None:
    """participants.mail's message_sent: a notice's email went, so its NOTICE_DUE obligation is done."""
    if message.kind != KIND:
        return
    notice = IssueNotice.objects.filter(message_id=message.pk).select_related("contract").first()
    if notice is not None:
        fulfil_sent(notice, on=timezone.localdate())
