"""A real SMTP server (aiosmtpd) for the emails' tests (TESTING.md): the messages it accepted, parsed."""

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

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope.rcpt_tos)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def by_recipient(self) -> dict[str, email.message.EmailMessage]:
        return {m["To"]: m for m in self.messages}


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's start-up check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
