"""History (who, when, what) of participants, referrals and journey events (issue 10, audit): written by the
workspace's forms through the ORM, and by the import set-based beside its upserts (the uploader, "import N");
the participant page's "who changed what" shows both, deleted rows included."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from participants.imports import writer
from participants.imports.services import import_bundle
from participants.models import EvidenceDocument, JourneyEvent, Participant, Referral, Staff
from participants.workspace import services
from tests import factories as f
from tests.participants.workspace_support import build_desk

from .import_support import SMALL, small

pytestmark = pytest.mark.django_db
AUDITED = (Participant, Referral, JourneyEvent)
# R1's key worker moves from KW1 to KW2 in a later extract.
MOVED = SMALL["referrals.csv"].replace("LTU,T-PRIME,S1,KW1,", "LTU,T-PRIME,S1,KW2,")


@pytest.fixture
def uploader(db):
    return f.UserFactory(username="pm.prime", is_superuser=True)  # support staff: any contract of the bundle


def imported(tmp_path, user, name: str = "first", **files):
    return import_bundle(path=small(tmp_path / name, **files), user=user).run


def counts() -> dict:
    return {model.__name__: model.history.count() for model in AUDITED}


def test_an_import_records_each_row_it_adds_as_created_by_the_uploader_in_that_import(tmp_path, uploader):
    run = imported(tmp_path, uploader)
    for model in AUDITED:
        rows = list(model.history.all())
        assert len(rows) == model.objects.count() > 0, model.__name__
        assert {(r.history_type, r.history_user_id, r.history_change_reason) for r in rows} == {
            ("+", uploader.pk, f"import {run.pk}")
        }, model.__name__
    held, recorded = Referral.objects.get(ref="R1"), Referral.history.get(ref="R1")
    assert (recorded.id, recorded.participant_id, recorded.key_worker_id, recorded.site_id) == (
        held.pk,
        held.participant_id,
        held.key_worker_id,
        held.site_id,
    )
    # The key workers the import creates (no login yet) are recorded too.
    assert set(Staff.history.filter(history_type="+").values_list("ref", flat=True)) == {"KW1", "KW2"}


def test_a_reimport_records_only_the_rows_it_changes(tmp_path, uploader):
    imported(tmp_path, uploader)
    before = counts()
    imported(tmp_path, uploader, "again")
    assert counts() == before  # nothing changed, nothing recorded
    run = imported(tmp_path, uploader, "moved", **{"referrals.csv": MOVED})
    assert counts() == {**before, "Referral": before["Referral"] + 1}
    change = Referral.history.get(history_type="~")
    assert change.ref == "R1" and change.key_worker_id == Staff.objects.get(ref="KW2").pk
    assert change.history_change_reason == f"import {run.pk}" and change.history_user == uploader


def test_a_bulk_first_load_records_history_and_gives_the_history_tables_their_indexes_back(
    tmp_path, uploader, monkeypatch
):
    def indexes() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY indexname",
                [[model.history.model._meta.db_table for model in AUDITED]],
            )
            return [row[0] for row in cursor.fetchall()]

    held = indexes()
    monkeypatch.setattr(writer, "BULK_ROWS", 0)
    imported(tmp_path, uploader)
    assert indexes() == held
    assert [model.history.count() for model in AUDITED] == [model.objects.count() for model in AUDITED]
    assert JourneyEvent.history.count() == 5


def test_the_participant_page_shows_who_changed_what_with_the_import_that_did(tmp_path, uploader, client):
    imported(tmp_path, uploader)
    run = imported(tmp_path, uploader, "moved", **{"referrals.csv": MOVED})
    participant = Participant.objects.get(ref="P1")
    client.force_login(f.UserFactory(username="support", is_superuser=True))
    html = client.get(reverse("participant-section", args=[participant.pk, "history"])).content.decode()
    assert f"(import {run.pk})" in html
    assert "Changed referral “R1”: key worker" in html
    assert "Created journey event “STARTED 2025-01-10”" in html
    assert "Created participant “P1”" in html


def test_workspace_writes_are_recorded_with_the_user_and_a_deleted_document_keeps_its_trail(client):
    desk = build_desk()
    client.force_login(desk.key_worker.user)
    response = client.post(
        reverse("psg-move", args=[desk.referral.pk]),
        {"group": "PREPARATION", "moved_on": "2025-01-20", "note": "Ready for job search"},
    )
    assert response.status_code == 302
    event = JourneyEvent.objects.get(referral=desk.referral, code="PSG_CHANGED")
    recorded = JourneyEvent.history.get(id=event.pk)
    assert (recorded.history_type, recorded.history_user) == ("+", desk.key_worker.user)
    document = services.upload_evidence(
        referral=desk.referral,
        uploaded_file=SimpleUploadedFile("payslip.pdf", b"%PDF-1.4\n%%EOF\n"),
        kind="PAYSLIP",
        user=desk.key_worker.user,
    )
    EvidenceDocument.objects.filter(pk=document.pk).delete()
    html = client.get(
        reverse("participant-section", args=[desk.referral.participant_id, "history"])
    ).content.decode()
    assert "Deleted evidence document “payslip.pdf”" in html
    assert "Created journey event “PSG_CHANGED 2025-01-20”" in html
