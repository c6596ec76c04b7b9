"""A real Celery worker (a subprocess, the Redis broker) killed with SIGKILL mid-send (DOMAIN.md 17.11): after
the server took the message and before the row was marked sent, the notice is UNKNOWN and never sent a second
time by itself; killed before it had connected, the notice is still QUEUED and goes once later."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from participants import mail
from regimes.models import IssueNotice
from regimes.services import notices
from tests.mailserver import Inbox, free_port
from tests.regimes import notice_support as support
from tests.transactional import restore_seeded_rows  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

# A worker as `celery -A config worker` runs it, sending to the SMTP server on FP_TEST_SMTP_PORT.
WORKER = textwrap.dedent(
    """
    import os
    import django
    django.setup()
    from django.conf import settings
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(os.environ["FP_TEST_SMTP_PORT"])
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    from config.celery import app
    app.conf.task_always_eager = False
    app.worker_main(["worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"])
    """
)


class HoldingInbox(Inbox):
    """Takes the message, then holds its reply until released: the sender's row is still SENDING."""

    def __init__(self):
        super().__init__()
        self.arrived, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        self.arrived.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        return reply


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "FP_TEST_SMTP_PORT": str(port),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], cwd=django_settings.BASE_DIR, env=env, stderr=subprocess.DEVNULL
    )
    app.conf.broker_url = django_settings.CELERY_BROKER_URL
    app.send_task(mail.SEND_TASK)  # as the commit of a queued email sends it
    return worker


def queued_notice(monkeypatch) -> IssueNotice:
    """An URGENT notice, queued, without the send its commit would run in-process here."""
    world = support.build("KILL-1")
    with monkeypatch.context() as patched:
        patched.setattr(mail, "enqueue", lambda *args, **kwargs: None)
        notice = notices.write_notice(
            contract=world.contract, user=world.manager.user, fields=support.fields("URGENT")
        )
    notice.refresh_from_db()
    assert notice.state == "QUEUED"
    return notice


def kill(worker: subprocess.Popen) -> None:
    worker.kill()  # SIGKILL: no clean-up of any kind
    worker.wait(timeout=30)


def test_a_worker_killed_after_the_server_took_the_message_leaves_it_unknown_never_resent(
    monkeypatch, settings
):
    notice = queued_notice(monkeypatch)
    inbox = HoldingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    worker = start_worker(port)
    try:
        assert inbox.arrived.wait(timeout=90), "the worker never sent the message"
        kill(worker)
    finally:
        if worker.poll() is None:
            kill(worker)
        inbox.release.set()
    notice.refresh_from_db()
    assert notice.message.state == "SENDING" and notice.message.attempts == 1
    # Another sender, now and once the lease has passed: the message is UNKNOWN, not sent again.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    assert mail.send_pending() == 0
    later = timezone.now() + timedelta(seconds=settings.FLIGHTPATH_MAIL_LEASE_SECONDS + 1)
    assert mail.send_pending(now=later) == 0
    controller.stop()
    notice.refresh_from_db()
    assert notice.state == "UNKNOWN" and notice.may_resend
    assert [m["Message-ID"] for m in inbox.messages] == [notice.message.message_id]


def test_a_worker_killed_before_it_connected_leaves_the_notice_queued_and_it_goes_once_later(
    monkeypatch, smtp, settings
):
    notice = queued_notice(monkeypatch)
    # A port that takes the connection and never greets: the worker waits there, before any claim.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    silent.settimeout(90)
    worker = start_worker(silent.getsockname()[1])
    try:
        accepted, _ = silent.accept()  # the worker is connecting
        kill(worker)
        accepted.close()
    finally:
        if worker.poll() is None:
            kill(worker)
        silent.close()
    notice.refresh_from_db()
    assert notice.message.state == "QUEUED" and notice.message.attempts == 0
    assert mail.send_pending() == 1 and mail.send_pending() == 0  # the smtp fixture's server: up
    notice.refresh_from_db()
    assert notice.state == "SENT"
    assert [m["Message-ID"] for m in smtp.messages] == [notice.message.message_id]
