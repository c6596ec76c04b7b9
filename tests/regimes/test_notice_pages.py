"""The issue notice pages: the form keeps what was typed, an urgent notice is SENT by the time its page
shows, a server that is down is no error page, only the prime's managers write or resend (403 for DWP
contacts and key workers, 404 outside the scope), and no query per row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from participants import mail
from participants.models import OutboxMessage
from regimes.models import IssueNotice
from regimes.services import notices
from tests.mailserver import free_port
from tests.regimes import notice_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return support.build()


def url(world, suffix: str = "") -> str:
    return f"/regimes/contracts/{world.contract.ref}/notices/{suffix}"


def signed_in(client, staff):
    client.force_login(staff.user)
    return client


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """A POST whose after-commit work (the send) runs as it does in a real request, before the next one."""

    def posting(address: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(address, data or {})

    return posting


def test_a_manager_writes_an_urgent_notice_and_sees_it_sent(client, post, world, smtp):
    signed_in(client, world.performance)
    extra = "ops@example.org, ceo@example.org"
    response = post(url(world, "new/"), {**support.fields("URGENT"), "extra_recipients": extra})
    notice = IssueNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == url(world, f"{notice.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="SENT"' in page and notice.message.message_id.strip("<>") in page
    assert "250 2.0.0 Ok: queued as F00D" in page and "ceo@example.org" in page
    [message] = smtp.messages
    assert message["Message-ID"] == notice.message.message_id
    assert smtp.envelopes[0][-2:] == ["ops@example.org", "ceo@example.org"]


def test_the_form_keeps_what_was_typed_and_names_the_bad_field(client, world):
    typed = {**support.fields("URGENT"), "summary": "", "extra_recipients": "ops@example.org, nobody"}
    response = signed_in(client, world.manager).post(url(world, "new/"), typed)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Summary of the issue: This field is required." in page
    assert support.FIELDS["remedial_action"] in page and "ops@example.org, nobody" in page
    assert not IssueNotice.objects.exists()
    typed["summary"] = "Lost evidence"
    response = client.post(url(world, "new/"), typed)
    assert response.status_code == 400
    assert "&#x27;nobody&#x27; is not an email address." in response.content.decode()
    assert not IssueNotice.objects.exists()


def test_with_the_server_down_the_notice_is_saved_and_queued_without_an_error_page(
    client, post, world, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    signed_in(client, world.manager)
    response = post(url(world, "new/"), support.fields("RED_FLAG"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="QUEUED"' in page and "ConnectionRefusedError" in page
    assert 'hx-trigger="every 3s"' in page  # the state refreshes itself until sent


def test_a_normal_notice_waits_for_its_day_and_a_manager_may_send_it_now(client, post, world, smtp):
    signed_in(client, world.manager)
    response = post(url(world, "new/"), support.fields("NORMAL"))
    notice = IssueNotice.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="DRAFT"' in page and "Send now" in page and smtp.messages == []
    assert post(url(world, f"{notice.pk}/send/")).status_code == 302
    assert len(smtp.messages) == 1
    post(url(world, f"{notice.pk}/send/"))
    assert len(smtp.messages) == 1


def test_an_unknown_notice_warns_of_a_duplicate_before_it_is_sent_again(client, post, world, smtp, settings):
    notice = notices.write_notice(
        contract=world.contract, user=world.manager.user, fields=support.fields("URGENT")
    )
    stale = timezone.now() - timedelta(seconds=settings.FLIGHTPATH_MAIL_LEASE_SECONDS + 1)
    OutboxMessage.objects.filter(pk=notice.message_id).update(state="SENDING", claimed_at=stale)
    mail.send_pending()
    page = signed_in(client, world.manager).get(url(world, f"{notice.pk}/")).content.decode()
    assert "Send again (may duplicate)" in page and "may receive it twice" in page
    assert post(url(world, f"{notice.pk}/resend/")).status_code == 302
    assert [m["Message-ID"] for m in smtp.messages] == [notice.message.message_id]


@pytest.mark.parametrize("who", ["key_worker", "dwp"])
def test_dwp_contacts_and_key_workers_read_but_may_not_write(client, world, who):
    staff = world.key_worker if who == "key_worker" else world.dwp[0]
    notice = notices.write_notice(
        contract=world.contract, user=world.manager.user, fields=support.fields("NORMAL")
    )
    signed_in(client, staff)
    assert client.get(url(world)).status_code == 200
    assert "Write a notice" not in client.get(url(world)).content.decode()
    assert client.get(url(world, f"{notice.pk}/")).status_code == 200
    assert client.get(url(world, "new/")).status_code == 403
    assert client.post(url(world, "new/"), support.fields("URGENT")).status_code == 403
    assert client.post(url(world, f"{notice.pk}/send/")).status_code == 403
    assert IssueNotice.objects.count() == 1 and notice.state == "DRAFT"


def test_a_dwp_contact_of_another_contract_gets_404(client, world):
    signed_in(client, world.other_dwp)
    assert client.get(url(world)).status_code == 404
    assert client.post(url(world, "new/"), support.fields("URGENT")).status_code == 404


def test_the_list_makes_no_query_per_notice(client, world, smtp, django_assert_max_num_queries):
    for n in range(8):
        notices.write_notice(
            contract=world.contract, user=world.manager.user, fields=support.fields("URGENT", summary=f"N{n}")
        )
    mail.send_pending()
    signed_in(client, world.manager)
    with django_assert_max_num_queries(15):
        response = client.get(url(world))
    assert response.content.decode().count('data-state="SENT"') == 8
