"""Evidence documents (type sniffed from content, size capped, private) and claims officers' checklists."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.urls import reverse

from participants import models
from participants.errors import FlightpathError
from participants.workspace import services as services
from tests import factories as f
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(desk, name, content, **kwargs):
    return services.upload_evidence(
        referral=desk.referral,
        uploaded_file=SimpleUploadedFile(name, content),
        kind="PAYSLIP",
        user=desk.key_worker.user,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("payslip.pdf", PDF, "application/pdf"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("scan.png", PNG, "image/png"),
        ("letter.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_allowed_types_are_stored_privately_under_media_evidence(name, content, content_type):
    desk = build_desk()
    document = upload(desk, name, content or docx_bytes())
    path = Path(document.file.path)
    assert document.content_type == content_type
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "evidence") and path.exists()
    assert name not in path.name  # stored under a random name, never the uploaded one
    assert not Path(settings.STATIC_ROOT).exists() or not path.is_relative_to(Path(settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("payslip.pdf", PNG, "content is PNG but its name ends '.pdf'"),
        ("virus.pdf", b"MZ\x90\x00 not a pdf", "not an allowed type"),
        ("archive.docx", None, "not an allowed type"),  # a zip that is not a Word document
        ("empty.pdf", b"", "empty"),
    ],
)
def test_content_decides_the_type_not_the_extension(name, content, message):
    desk = build_desk()
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("evil.txt", "x")
        content = buffer.getvalue()
    with pytest.raises(FlightpathError, match=message) as error:
        upload(desk, name, content)
    assert error.value.field == "file"
    assert not models.EvidenceDocument.objects.exists()


def test_size_limit_is_a_setting(settings):
    settings.FLIGHTPATH_EVIDENCE_MAX_BYTES = 1024
    desk = build_desk()
    with pytest.raises(FlightpathError, match="limit is 0 MB|limit"):
        upload(desk, "big.pdf", PDF + b"0" * 2048)


def test_evidence_is_served_only_to_who_may_see_the_participant(client):
    desk = build_desk()
    document = upload(desk, "payslip.pdf", PDF)
    url = reverse("evidence-download", args=[document.pk])
    client.force_login(desk.key_worker.user)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    other = models.Staff.objects.get(user__username="olu")
    client.force_login(other.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_upload_page_shows_the_error_and_keeps_the_choices(client):
    desk = build_desk()
    client.force_login(desk.key_worker.user)
    response = client.post(
        reverse("evidence-upload", args=[desk.referral.pk]),
        {
            "file": SimpleUploadedFile("fake.pdf", b"hello"),
            "kind": "EMPLOYER_LETTER",
            "claim_code": "JOB_OUTCOME",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "not an allowed type" in html
    assert '<option value="EMPLOYER_LETTER" selected>' in html


def test_claim_is_ready_for_dwp_only_with_every_item_ticked_and_evidence_on_file(client):
    desk = build_desk()
    outcome = f.JourneyEventFactory(
        referral=desk.referral, code="JOB_OUTCOME", event_date=dt.date(2025, 6, 2)
    )
    everything = dict.fromkeys(["identity", "evidence", "dates", "earnings", "not_claimed"], True)
    with pytest.raises(FlightpathError, match="Upload the evidence"):
        services.save_claim_checklist(event=outcome, answers=everything, note="", user=None)
    checklist = services.save_claim_checklist(
        event=outcome, answers={**everything, "dates": False}, note="", user=None
    )
    assert checklist.status == "IN_PROGRESS"
    upload(desk, "payslip.pdf", PDF, claim_code="JOB_OUTCOME")
    checklist = services.save_claim_checklist(event=outcome, answers=everything, note="All good", user=None)
    assert checklist.status == "READY"


def test_only_claims_officers_fill_in_claim_checklists(client):
    desk = build_desk()
    outcome = f.JourneyEventFactory(
        referral=desk.referral, code="JOB_OUTCOME", event_date=dt.date(2025, 6, 2)
    )
    url = reverse("claim-checklist", args=[outcome.pk])
    client.force_login(desk.key_worker.user)
    assert client.get(url).status_code == 403
    officer = f.StaffFactory(
        user__username="cora", organisation=desk.contract.prime, role=models.Role.CLAIMS_OFFICER
    )
    client.force_login(officer.user)
    response = client.post(url, {"item_identity": "on", "note": "Identity seen"})
    assert response.status_code == 302
    assert models.ClaimChecklist.objects.get(event=outcome).answers["identity"] is True


def test_the_claim_checklist_items_are_configuration(client, settings):
    settings.FLIGHTPATH_CLAIM_CHECKLIST = {"payslip": "Payslip seen", "hours": "Hours at least 16 a week"}
    desk = build_desk()
    outcome = f.JourneyEventFactory(
        referral=desk.referral, code="JOB_OUTCOME", event_date=dt.date(2025, 6, 2)
    )
    officer = f.StaffFactory(
        user__username="cora", organisation=desk.contract.prime, role=models.Role.CLAIMS_OFFICER
    )
    client.force_login(officer.user)
    html = client.get(reverse("claim-checklist", args=[outcome.pk])).content.decode()
    assert "Payslip seen" in html and "Hours at least 16 a week" in html
    assert "Participant identity and eligibility confirmed" not in html
    with pytest.raises(FlightpathError, match="Unknown checklist items: identity"):
        services.save_claim_checklist(event=outcome, answers={"identity": True}, note="", user=None)
    checklist = services.save_claim_checklist(event=outcome, answers={"payslip": True}, note="", user=None)
    assert checklist.answers == {"payslip": True, "hours": False}


def test_a_document_whose_row_cannot_be_written_leaves_no_file_behind():
    desk = build_desk()
    folder = Path(settings.MEDIA_ROOT) / "evidence"
    before = set(folder.rglob("*")) if folder.exists() else set()
    with pytest.raises(DataError):
        services.upload_evidence(
            referral=desk.referral,
            uploaded_file=SimpleUploadedFile("payslip.pdf", PDF),
            kind="X" * 500,  # longer than the column: the row fails after the file was stored
            user=desk.key_worker.user,
        )
    after = set(folder.rglob("*")) if folder.exists() else set()
    assert after == before
    assert not models.EvidenceDocument.objects.exists()
