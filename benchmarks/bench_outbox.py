"""Outbox benchmark (issue 14): 1,000 queued emails (a digest day for a large provider), each HTML and plain
text with its own Message-ID, delivered by one sender (participants.mail.send_pending, as the worker's task
runs it) to a local SMTP server (aiosmtpd) over one connection, with the outbox's bookkeeping: the claim in
its own transaction, the server's reply and the SENT state written per message (target < 60 s).
Run on its own database:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_outbox_bench python -m benchmarks.bench_outbox
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from benchmarks.data import peak_rss_mib

TARGETS = {"deliver_1000_seconds": (60, "s"), "peak_rss_mib": (2048, "MiB")}
COUNT = 1000


class _Counting:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 2.0.0 Ok: queued"


def run() -> dict:
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from participants import mail
    from participants.models import OutboxMessage
    from tests.mailserver import free_port

    handler, port = _Counting(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    queued_after_commit, mail.enqueue = mail.enqueue, lambda *args, **kwargs: None  # the worker sends
    try:
        OutboxMessage.objects.filter(key__startswith="bench:").delete()
        started = time.perf_counter()
        mail.queue_many(
            messages=[
                mail.Outgoing(
                    key=f"bench:{n}",
                    to=[f"keyworker{n}@example.org"],
                    subject=f"Your due-soon list ({n})",
                    text="Three deadlines are due within three working days.\n" * 20,
                    html="<p>Three deadlines are due within three working days.</p>" * 20,
                    kind="bench",
                )
                for n in range(COUNT)
            ]
        )
        queue_seconds = time.perf_counter() - started
        started = time.perf_counter()
        sent = mail.send_pending(limit=COUNT)
        deliver_seconds = time.perf_counter() - started
    finally:
        mail.enqueue = queued_after_commit
        controller.stop()
    states = set(OutboxMessage.objects.filter(key__startswith="bench:").values_list("state", flat=True))
    assert sent == COUNT == handler.received and states == {"SENT"}, (sent, handler.received, states)
    return {
        "queue_1000_seconds": round(queue_seconds, 2),
        "deliver_1000_seconds": round(deliver_seconds, 2),
        "per_message_ms": round(deliver_seconds * 1000 / COUNT, 2),
        "peak_rss_mib": peak_rss_mib(),
    }


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(run())
