"""A real SMTP server (aiosmtpd) for the emails' tests (TESTING.md): the messages it accepted, parsed, and
replies it is told to refuse with: the `smtp` fixture, a plugin of tests/conftest.py."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)  # the recipients of each message, as sent
    # Per recipient, the replies to refuse it with, one per attempt (then it is accepted): at RCPT TO, or to
    # the message itself (after DATA).
    refuse_rcpt: dict[str, list[str]] = field(default_factory=dict)
    refuse_data: dict[str, list[str]] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt.get(address):
            return self.refuse_rcpt[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        refusals = [self.refuse_data[a] for a in envelope.rcpt_tos if self.refuse_data.get(a)]
        if refusals:
            return refusals[0].pop(0)
        self.envelopes.append(envelope.rcpt_tos)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 2.0.0 Ok: queued as F00D"

    def by_recipient(self) -> dict[str, email.message.EmailMessage]:
        return {m["To"]: m for m in self.messages}

    def recipients(self) -> list[str]:
        """Everyone a message arrived for, once per message: a repeat shows twice."""
        return sorted(m["To"] for m in self.messages)


def free_port() -> int:
    with socket.socket() as probe:  # aiosmtpd's start-up check cannot use port 0
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
