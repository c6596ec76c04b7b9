"""The person's records in the workspace (issue 13): names and contact details edited by the key worker,
the name search, the NINO masked and revealed (logged), hours of support and expenditure with totals, job
ends and changes, exits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from participants import people
from participants.errors import FlightpathError
from participants.models import AccessLog, EventCode, JobDetail, RecomputeRequest, Referral, SupportRecord
from participants.workspace import person_services as ps
from participants.workspace import services
from tests import factories as f
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db


def login(client, staff):
    client.force_login(staff.user)
    return client


def named(desk, **names):
    participant = desk.referral.participant
    for name, value in names.items():
        setattr(participant, name, value)
    participant.save()
    participant.refresh_from_db()
    return participant


# NINO helpers --------------------------------------------------------------------------------------------


def test_nino_is_normalised_checked_and_masked():
    assert people.normalise_nino(" qq 12 34 56 c ") == "QQ123456C"
    assert people.is_nino("QQ123456C") and not people.is_nino("QQ123456E") and not people.is_nino("Q1234567C")
    assert people.mask_nino("QQ123456C") == "QQ •• •• •• C"
    assert people.mask_nino("") == ""


# Name search ---------------------------------------------------------------------------------------------


def test_name_search_finds_any_part_any_case_and_accent():
    desk = build_desk()
    named(desk, first_name="Ayesha", last_name="Khan")
    other = desk.other_referral.participant
    other.first_name, other.last_name, other.preferred_name = "José", "Núñez", "Pepe"
    other.save()

    def found(text):
        return set(Referral.objects.search(text).values_list("ref", flat=True))

    assert found("khan") == {"RW-1"}
    assert found("KHA") == {"RW-1"}
    assert found("yesh") == {"RW-1"}
    assert found("jose") == {"RW-2"} and found("NUÑ") == {"RW-2"} and found("pepe") == {"RW-2"}
    assert found("aysha") == set()  # a substring search, not a fuzzy one
    assert found("RW-1") == {"RW-1"}  # references as before


def test_caseload_search_by_name_stays_in_scope(client):
    desk = build_desk()
    named(desk, first_name="Ayesha", last_name="Khan")
    other = desk.other_referral.participant
    other.last_name = "Khan"
    other.save()
    html = login(client, desk.key_worker).get(reverse("caseload"), {"q": "khan"}).content.decode()
    assert "RW-1" in html and "RW-2" not in html
    assert "Ayesha Khan" in html


# Editing the person --------------------------------------------------------------------------------------


def test_key_worker_edits_the_name_with_history_and_page_leads_with_it(client):
    desk = build_desk()
    participant = desk.referral.participant
    url = reverse("participant-edit", args=[participant.pk])
    response = login(client, desk.key_worker).post(
        url,
        {
            "first_name": "Ayesha",
            "last_name": "Khan",
            "preferred_name": "Ash",
            "phone": "07700 900123",
            "email": "ash@example.org",
            "nino": "qq123456c",
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.display_name, participant.nino) == ("Ash Khan", "QQ123456C")
    record = participant.history.latest()
    assert record.history_user == desk.key_worker.user and record.last_name == "Khan"
    html = client.get(reverse("participant-detail", args=[participant.pk])).content.decode()
    assert '<h1 class="h3 mb-0">Ash Khan</h1>' in html
    assert participant.ref in html
    assert "QQ •• •• •• C" in html and "QQ123456C" not in html


def test_a_bad_nino_keeps_what_was_typed_and_names_the_field(client):
    desk = build_desk()
    participant = desk.referral.participant
    response = login(client, desk.key_worker).post(
        reverse("participant-edit", args=[participant.pk]),
        {"first_name": "Ayesha", "last_name": "Khan", "nino": "AB12"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "not a National Insurance number" in html
    assert 'value="Ayesha"' in html and 'value="AB12"' in html
    participant.refresh_from_db()
    assert participant.first_name == ""  # all or nothing


def test_another_key_workers_participant_is_not_found(client):
    desk = build_desk()
    url = reverse("participant-edit", args=[desk.other_referral.participant.pk])
    assert login(client, desk.key_worker).get(url).status_code == 404


# The NINO: masked, revealed to the roles that need it, logged ---------------------------------------------


def test_nino_reveal_is_logged_and_refused_to_other_roles(client):
    desk = build_desk()
    participant = named(desk, nino="QQ123456C")
    url = reverse("participant-nino", args=[participant.pk])
    response = login(client, desk.key_worker).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "QQ 12 34 56 C" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    entry = AccessLog.objects.filter(view="participant-nino").get()
    assert entry.participant_ids == [participant.pk] and entry.user == desk.key_worker.user
    manager = f.StaffFactory(organisation=desk.contract.prime, role="CONTRACT_MANAGER")
    client.force_login(manager.user)
    assert client.get(url).status_code == 403
    page = client.get(reverse("participant-detail", args=[participant.pk])).content.decode()
    assert "QQ •• •• •• C" in page and "Show the National Insurance number" not in page


# Support, jobs and exits ---------------------------------------------------------------------------------


def test_support_records_and_their_totals(client):
    desk = build_desk()
    day = dt.date(2025, 2, 3)
    ps.record_support(
        referral=desk.referral,
        kind="HOURS",
        on_date=day,
        hours=Decimal("1.5"),
        category="ONE_TO_ONE",
        user=None,
    )
    ps.record_support(
        referral=desk.referral,
        kind="EXPENDITURE",
        on_date=day,
        amount=Decimal("42.50"),
        category="TRAVEL",
        user=None,
    )
    with pytest.raises(FlightpathError) as caught:
        ps.record_support(
            referral=desk.referral,
            kind="HOURS",
            on_date=day,
            hours=Decimal("2"),
            category="TRAVEL",
            user=None,
        )
    assert caught.value.field == "category"
    with pytest.raises(FlightpathError) as caught:
        ps.record_support(
            referral=desk.referral, kind="EXPENDITURE", on_date=day, category="TRAVEL", user=None
        )
    assert caught.value.field == "amount"
    html = (
        login(client, desk.key_worker)
        .get(reverse("participant-detail", args=[desk.referral.participant_id]))
        .content.decode()
    )
    assert "1.50 hours · £42.50 spent" in html
    page = client.get(reverse("contract-support", args=[desk.contract.ref])).content.decode()
    assert "£42.50" in page and "One-to-one support" in page
    assert SupportRecord.objects.count() == 2


def test_support_form_errors_keep_the_input(client):
    desk = build_desk()
    url = reverse("support-record", args=[desk.referral.pk])
    response = login(client, desk.key_worker).post(
        url,
        {
            "kind": "HOURS",
            "on_date": "2025-02-03",
            "hours": "30",
            "category": "ONE_TO_ONE",
            "note": "CV work",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "at most 24" in html and "CV work" in html


def test_contract_support_totals_are_scoped(client, django_assert_max_num_queries):
    desk = build_desk()
    day = dt.date(2025, 2, 3)
    ps.record_support(
        referral=desk.other_referral,
        kind="HOURS",
        on_date=day,
        hours=Decimal("3"),
        category="GROUP",
        user=None,
    )
    login(client, desk.key_worker)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("contract-support", args=[desk.contract.ref])).content.decode()
    assert "Group session" not in page  # another key worker's participant
    client.force_login(desk.leader.user)
    assert (
        "Group session" in client.get(reverse("contract-support", args=[desk.contract.ref])).content.decode()
    )


def test_job_end_and_change_of_employment():
    desk = build_desk()
    job = services.record_job_start(
        referral=desk.referral,
        employer="Acme",
        hours_per_week=Decimal(20),
        start_date=dt.date(2025, 3, 3),
        self_employed=False,
        user=None,
    )
    new = ps.record_job_change(
        job=job, changed_on=dt.date(2025, 5, 1), employer="Bolt Ltd", hours_per_week=Decimal(30), user=None
    )
    job.refresh_from_db()
    assert (job.end_date, job.end_reason) == (dt.date(2025, 4, 30), "CHANGED_JOB")
    assert new.previous_job == job and new.is_current
    assert desk.referral.events.filter(code=EventCode.JOB_START).count() == 1  # still in work: no new start
    with pytest.raises(FlightpathError):
        ps.record_job_end(job=job, end_date=dt.date(2025, 5, 2), reason="RESIGNED", user=None)
    ps.record_job_end(job=new, end_date=dt.date(2025, 6, 1), reason="RESIGNED", user=None)
    assert JobDetail.objects.get(pk=new.pk).end_reason == "RESIGNED"


def test_exit_and_exit_report_write_events_and_queue_the_recompute():
    desk = build_desk()
    with pytest.raises(FlightpathError) as caught:
        ps.record_exit_report(referral=desk.referral, sent_on=dt.date(2025, 3, 5), user=None)
    assert caught.value.field == "sent_on"
    ps.record_exit(referral=desk.referral, exited_on=dt.date(2025, 3, 3), reason="MOVED_AWAY", user=None)
    with pytest.raises(FlightpathError):
        ps.record_exit(referral=desk.referral, exited_on=dt.date(2025, 3, 4), reason="OTHER", user=None)
    with pytest.raises(FlightpathError):
        ps.record_exit_report(referral=desk.referral, sent_on=dt.date(2025, 3, 1), user=None)
    ps.record_exit_report(referral=desk.referral, sent_on=dt.date(2025, 3, 10), user=None)
    codes = list(desk.referral.events.values_list("code", "event_date", "source"))
    assert ("EXITED", dt.date(2025, 3, 3), "BROWSER") in codes
    assert ("EXIT_REPORT_SENT", dt.date(2025, 3, 10), "BROWSER") in codes
    assert RecomputeRequest.objects.filter(contract=desk.contract, months=["2025-03"]).exists()
