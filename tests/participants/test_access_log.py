"""The access log of personal data (issue 10, participants.audit.log_access): every view of a participant's
personal data writes one row (who, when, the view, the participants or the rows exported and the filter, the
address), an export one row whatever its size; a read outside the user's scope writes none; a log that
cannot be written never fails the read; support staff search the log in the admin."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from compliance.services import assurance as services_assurance
from participants.models import AccessLog, Referral
from participants.workspace import services
from tests import factories as f
from tests.compliance.pages_support import build_pages_world

pytestmark = pytest.mark.django_db
ASSURANCE = "/compliance/contracts/CP-1/assurance/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GOAL = {
    "key": "",
    "goal": "Update CV",
    "measure": "CV sent to 3 employers",
    "owner": "Participant",
    "due_date": "2025-02-14",
    "status": "NOT_STARTED",
}


@pytest.fixture
def world(db):
    return build_pages_world()


@pytest.fixture
def referral(world) -> Referral:
    return Referral.objects.select_related("participant").get(ref="R-ALICE-1")


@pytest.fixture
def carol(world, client):
    """The prime's contract manager, who sees all of the prime's referrals."""
    client.force_login(world.manager.user)
    return client


def only_entry() -> AccessLog:
    (entry,) = AccessLog.objects.all()
    return entry


def page_urls(referral: Referral) -> dict[str, str]:
    services.save_action_plan(referral=referral, expected_version=0, goals=[GOAL], agreed_on=None, user=None)
    document = services.upload_evidence(
        referral=referral, uploaded_file=SimpleUploadedFile("payslip.pdf", PDF), kind="PAYSLIP", user=None
    )
    pk = referral.participant_id
    return {
        "participant-detail": reverse("participant-detail", args=[pk]),
        **{
            f"participant-section {name}": reverse("participant-section", args=[pk, name])
            for name in ("jobs", "evidence", "notes", "history")
        },
        "action-plan": reverse("action-plan", args=[referral.pk]),
        "action-plan-pdf": reverse("action-plan-pdf", args=[referral.pk]),
        "evidence-download": reverse("evidence-download", args=[document.pk]),
    }


@pytest.mark.parametrize(
    "name",
    [
        "participant-detail",
        "participant-section jobs",
        "participant-section evidence",
        "participant-section notes",
        "participant-section history",
        "action-plan",
        "action-plan-pdf",
        "evidence-download",
    ],
)
def test_each_page_of_a_participants_data_writes_one_row_naming_them(world, referral, carol, name):
    url = page_urls(referral)[name]
    before = timezone.now()
    response = carol.get(url, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert response.status_code == 200
    entry = only_entry()
    assert (entry.user, entry.username, entry.view) == (world.manager.user, "carol", name.split()[0])
    assert entry.participant_ids == [referral.participant_id]
    assert entry.participant_refs == [referral.participant.ref] and entry.count == 1
    assert entry.path == url and before <= entry.at <= timezone.now()
    assert (entry.ip_address, entry.forwarded_for) == ("203.0.113.9", "198.51.100.4")


def data_rows(response) -> int:
    """Rows after the header, of a CSV, an Excel sheet or a page of the MI API's JSON."""
    if response["Content-Type"].startswith("text/csv"):
        return len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))) - 1
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    return len(list(load_workbook(io.BytesIO(response.content)).active.values)) - 1


def exports(world) -> dict[str, tuple[str, dict]]:
    sample = services_assurance.draw_cmo_sample(
        contract=world.contract,
        size=3,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 1, 31),
        check_date=timezone.localdate(),  # the list is exportable from 5 days before the check
        seed=1,
    )
    failing = "/compliance/contracts/CP-1/standards/CSS2/failing/"
    api = "/api/v1/contracts/CP-1/standards/CSS2/failures/"
    return {
        "referral-list": ("/referrals/", {"contract": "CP-1", "export": "csv"}),
        "compliance:failing-items csv": (failing, {"as_of": "2025-01-31", "export": "csv"}),
        "compliance:failing-items xlsx": (failing, {"as_of": "2025-01-31", "export": "xlsx"}),
        "compliance:cmo-sample-export": (f"{ASSURANCE}cmo-samples/{sample.pk}/export/", {}),
        "performance:referrals": (
            "/performance/contracts/CP-1/referrals/",
            {"measure": "referrals", "month": "2025-01", "period": "in_month", "export": "csv"},
        ),
        "api-contract-standard-failures csv": (api, {"as_of": "2025-01-31", "format": "csv"}),
        "api-contract-standard-failures json": (api, {"as_of": "2025-01-31", "format": "json"}),
    }


EXPORTS = [
    "referral-list",
    "compliance:failing-items csv",
    "compliance:failing-items xlsx",
    "compliance:cmo-sample-export",
    "performance:referrals",
    "api-contract-standard-failures csv",
    "api-contract-standard-failures json",
]


@pytest.mark.parametrize("name", EXPORTS)
def test_an_export_is_one_row_with_the_rows_it_carried_and_its_filter(world, carol, name):
    url, query = exports(world)[name]
    response = carol.get(url, query)
    assert response.status_code == 200
    rows = data_rows(response)
    entry = only_entry()
    assert entry.view == name.split()[0] and entry.username == "carol"
    assert entry.count == rows > 0
    assert entry.filters == {key: str(value) for key, value in query.items()}
    assert entry.participant_ids == [] and entry.ip_address == "127.0.0.1"


def test_an_api_export_names_the_tokens_user(world, client):
    token = Token.objects.create(user=world.manager.user)
    url, query = exports(world)["api-contract-standard-failures csv"]
    response = client.get(url, query, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert (only_entry().user, only_entry().username) == (world.manager.user, "carol")


def test_a_read_outside_the_users_scope_writes_nothing(world, referral, client):
    client.force_login(world.eve.user)  # a key worker of another prime
    for url in page_urls(referral).values():
        assert client.get(url).status_code == 404, url
    assert not AccessLog.objects.exists()


def test_a_log_that_cannot_be_written_never_fails_the_read(world, referral, carol, caplog):
    with connection.cursor() as cursor:  # the table refuses every row (undone with the test's transaction)
        cursor.execute("ALTER TABLE participants_accesslog ADD CONSTRAINT refuse_all CHECK (false) NOT VALID")
    response = carol.get(reverse("participant-detail", args=[referral.participant_id]))
    assert response.status_code == 200 and referral.participant.ref in response.content.decode()
    assert "access log: could not record" in caplog.text
    assert not AccessLog.objects.exists()


def test_support_staff_search_the_log_by_user_participant_view_and_date(world, referral, client):
    other = Referral.objects.select_related("participant").get(ref="R-DAVE-1")
    for staff, read in ((world.manager, referral), (world.mona, other)):
        client.force_login(staff.user)
        client.get(reverse("participant-detail", args=[read.participant_id]))
    client.get("/referrals/", {"export": "csv"})
    client.force_login(f.UserFactory(username="support", is_superuser=True, is_staff=True))
    admin = "/admin/participants/accesslog/"

    def found(**query) -> list[tuple[str, str]]:
        response = client.get(admin, query)
        assert response.status_code == 200
        return sorted((e.username, e.view) for e in response.context["cl"].result_list)

    assert found(q="carol") == [("carol", "participant-detail")]
    assert found(q=other.participant.ref) == [("mona", "participant-detail")]
    assert found(q="referral-list") == [("mona", "referral-list")]
    today = timezone.localdate()
    assert len(found(at__year=today.year, at__month=today.month, at__day=today.day)) == 3
    assert found(at__year=today.year - 1) == []
    # The log is evidence: nobody adds, changes or deletes an entry, support staff included.
    entry = AccessLog.objects.first()
    assert client.get(f"{admin}add/").status_code == 403
    assert client.post(f"{admin}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessLog.objects.count() == 3
