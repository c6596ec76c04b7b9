"""The outbox every email goes through (DOMAIN.md 17.10-17.11 give the sending rules).

`queue(...)` and `queue_many(...)` add rows inside the caller's transaction, so an email exists when, and
only when, what it tells of has committed. A message whose key (what, for whom, for which day or object) is
queued already is not queued again: a re-run of a job queues only what is missing. Once the transaction
commits the send task runs (in-process mode: right away), and a beat schedule every minute (migration 0008)
sends anything left.

`send_pending()` sends one row at a time. The connection to the server is opened (and greeted) first, so a
sender that dies before it connected leaves the row QUEUED for the next run. The row is then claimed
(QUEUED -> SENDING, a conditional UPDATE in its own transaction) before the SMTP conversation, so two
senders never both send it, and sent with the
Message-ID fixed when it was queued. Then:
- the server accepted it: SENT, with the time and the server's reply;
- a clean refusal (no connection, a 4xx or 5xx reply, the conversation broken before the message was
  transferred): back to QUEUED for another try after a backoff doubling from FLIGHTPATH_MAIL_RETRY_SECONDS,
  FAILED once FLIGHTPATH_MAIL_MAX_ATTEMPTS are spent;
- the conversation broke while the message was being transferred: UNKNOWN (it may have arrived);
- a row left SENDING for longer than FLIGHTPATH_MAIL_LEASE_SECONDS (its sender died): UNKNOWN.
UNKNOWN and FAILED rows are never sent again by themselves: a person checks and queues them again (admin).
A message to a login that has become inactive is not sent (FAILED, saying why).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import F, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from .jobs import enqueue
from .models import OutboxMessage

logger = logging.getLogger(__name__)

SEND_TASK = "participants.tasks.send_outbox"
State = OutboxMessage.State

# Sent once a message is recorded SENT (`message`: the row), for the apps whose objects it tells of (an issue
# notice's obligation is fulfilled). A sender that dies between the two leaves it to their daily check.
message_sent = Signal()


@dataclass(frozen=True)
class Outgoing:
    """One message to queue. `user`: the recipient's login, when there is one (not sent once inactive)."""

    key: str
    to: list[str]
    subject: str
    text: str
    html: str = ""
    kind: str = ""
    user: Any = None


def _message_id_domain() -> str:
    """The sender's domain: Message-IDs read as ours, and no DNS look-up of the host's name."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


@transaction.atomic
def queue_many(*, messages: Iterable[Outgoing]) -> int:
    """Queue every message whose key is not queued yet, each with its Message-ID; send after commit. Returns
    how many were queued (two queues of one key at the same moment: the first to commit wins)."""
    wanted: dict[str, Outgoing] = {}
    for message in messages:
        wanted.setdefault(message.key, message)
    held = set(OutboxMessage.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    domain = _message_id_domain()
    new = [
        OutboxMessage(
            key=message.key,
            kind=message.kind,
            user=message.user,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(message.to),
            subject=message.subject[:255],
            text=message.text,
            html=message.html,
            message_id=make_msgid(domain=domain),
        )
        for key, message in wanted.items()
        if key not in held
    ]
    OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        enqueue(SEND_TASK, robust=True)  # a broker that is down: the every-minute schedule sends them
    return len(new)


def queue(
    *, key: str, to: list[str], subject: str, text: str, html: str = "", kind: str = "", user: Any = None
) -> bool:
    """Queue one message (see queue_many). Returns whether it was queued (False: its key was already)."""
    outgoing = Outgoing(key=key, to=to, subject=subject, text=text, html=html, kind=kind, user=user)
    return queue_many(messages=[outgoing]) == 1


@transaction.atomic
def requeue(*, messages: QuerySet[OutboxMessage]) -> int:
    """A person's decision after checking: send UNKNOWN or FAILED messages again, with their Message-ID (a
    copy that did arrive is recognisable as the same message) and a fresh count of attempts."""
    count = messages.filter(state__in=[State.UNKNOWN, State.FAILED]).update(
        state=State.QUEUED, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    if count:
        enqueue(SEND_TASK, robust=True)
    return count


# Sending ---------------------------------------------------------------------------------------------------


def send_pending(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send the queued messages that are due (at most `limit`). Call it outside a transaction: each claim and
    each outcome is committed on its own. Returns the number sent."""
    now = now or timezone.now()
    _settle(now)
    due = list(
        OutboxMessage.objects.filter(state=State.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    with _Sender() as sender:
        for pk in due:
            # Connected before the claim: a sender that dies while connecting leaves the row QUEUED.
            refusal = sender.connect()
            message = _claim(pk, now=now)
            if message is None:
                continue  # another sender claimed it first
            outcome = refusal or sender.send(_email(message))
            if _record(message, outcome, now=now) and outcome.state == State.SENT:
                sent += 1
                message_sent.send(sender=OutboxMessage, message=message)
            if outcome.unreachable:
                break  # the rest would meet the same closed door: they wait for the next run
    return sent


def _settle(now: datetime) -> None:
    """Rows no sender may take: those whose sender died mid-send, and those to a login now inactive."""
    lease = now - timedelta(seconds=settings.FLIGHTPATH_MAIL_LEASE_SECONDS)
    OutboxMessage.objects.filter(state=State.SENDING, claimed_at__lt=lease).update(
        state=State.UNKNOWN,
        last_reply="its sender stopped during the send: check whether it arrived before queueing it again",
    )
    OutboxMessage.objects.filter(state=State.QUEUED, user__is_active=False).update(
        state=State.FAILED, last_reply="not sent: the recipient's login is inactive"
    )


def _claim(pk: int, *, now: datetime) -> OutboxMessage | None:
    claimed = OutboxMessage.objects.filter(pk=pk, state=State.QUEUED).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return OutboxMessage.objects.get(pk=pk) if claimed else None


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=message.from_email,
        to=message.to,
        headers={"Message-ID": message.message_id},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


@dataclass(frozen=True)
class _Outcome:
    state: str  # SENT, QUEUED (a clean refusal: try again) or UNKNOWN
    reply: str
    unreachable: bool = False  # no connection to the server at all


def _record(message: OutboxMessage, outcome: _Outcome, *, now: datetime) -> bool:
    fields: dict[str, Any] = {"state": outcome.state, "last_reply": outcome.reply[:2000]}
    if outcome.state == State.SENT:
        fields["sent_at"] = now
    elif outcome.state == State.QUEUED:
        if message.attempts >= settings.FLIGHTPATH_MAIL_MAX_ATTEMPTS:
            fields["state"] = State.FAILED
            fields["last_reply"] = f"{outcome.reply} (given up after {message.attempts} attempts)"[:2000]
        else:
            delay = settings.FLIGHTPATH_MAIL_RETRY_SECONDS * 2 ** (message.attempts - 1)
            fields["next_attempt_at"] = now + timedelta(seconds=delay)
    recorded = OutboxMessage.objects.filter(pk=message.pk, state=State.SENDING).update(**fields)
    if fields["state"] != State.SENT:
        logger.warning("email %s (%s): %s, %s", message.pk, message.key, fields["state"], outcome.reply)
    return bool(recorded)


class _Refused(Exception):
    """The message was not delivered: the server said no, or the conversation broke before the transfer."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.reply = reply


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def _error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return f"{type(exc).__name__}: {exc}"


def _converse(smtp: smtplib.SMTP, email: EmailMultiAlternatives) -> str:
    """One message's SMTP conversation, as smtplib's sendmail has it but keeping the server's reply to the
    message. Raises _Refused when it was not delivered; any other error came during the transfer."""
    encoding = email.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(email.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in email.recipients()]
    content = email.message().as_bytes(linesep="\r\n")
    refused: list[str] = []
    try:
        smtp.ehlo_or_helo_if_needed()
        code, text = smtp.mail(sender)
        if code != 250:
            raise _Refused(_reply(code, text))
        for recipient in recipients:
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused.append(f"{recipient}: {_reply(code, text)}")
        if len(refused) == len(recipients):
            raise _Refused("; ".join(refused))
    except OSError as exc:  # smtplib's errors included: nothing of the message was sent yet
        raise _Refused(_error(exc)) from exc
    try:
        code, text = smtp.data(content)
    except smtplib.SMTPResponseException as exc:  # DATA itself refused: the content never went
        raise _Refused(_error(exc)) from exc
    if code != 250:
        raise _Refused(_reply(code, text))
    return _reply(code, text) + (f" (refused: {'; '.join(refused)})" if refused else "")


class _Sender:
    """The mail backend for one batch. SMTP: one connection, opened at the first message and again after a
    refusal closed it, with the conversation held here to keep the server's reply. Any other backend (the
    console in local trials, locmem in tests) is handed the message."""

    def __init__(self):
        self.backend = get_connection()

    def __enter__(self) -> _Sender:
        return self

    def __exit__(self, *exc_info) -> None:
        self._close()

    def connect(self) -> _Outcome | None:
        """Open the SMTP connection (greeted and ready) unless it is open; the refusal when it cannot be."""
        if not isinstance(self.backend, SmtpBackend):
            return None
        try:
            self.backend.open()
        except OSError as exc:
            self._close()
            return _Outcome(State.QUEUED, _error(exc), unreachable=True)
        return None

    def send(self, email: EmailMultiAlternatives) -> _Outcome:
        if not isinstance(self.backend, SmtpBackend):
            self.backend.send_messages([email])
            return _Outcome(State.SENT, f"accepted by {type(self.backend).__module__}")
        refusal = self.connect()
        if refusal is not None:
            return refusal
        try:
            return _Outcome(State.SENT, _converse(self.backend.connection, email))
        except _Refused as refused:
            self._reset()
            return _Outcome(State.QUEUED, refused.reply)
        except OSError as exc:
            self._close()
            return _Outcome(State.UNKNOWN, f"the connection broke during the transfer: {_error(exc)}")

    def _reset(self) -> None:
        """Ready the connection for the next message, or drop it when the server has gone."""
        try:
            self.backend.connection.rset()
        except (OSError, AttributeError):
            self._close()

    def _close(self) -> None:
        try:
            self.backend.close()
        except OSError:
            self.backend.connection = None
