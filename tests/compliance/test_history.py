"""History (who, when, what) of a contract's own records, written as they are saved in the browser: tender
standards, CMO samples and the records drawn into them, PAT ratings (issue 10, audit)."""

from __future__ import annotations

import pytest

from compliance.models import CmoSample, CmoSampleRecord, PatRating, Standard
from tests.compliance.pages_support import build_pages_world

pytestmark = pytest.mark.django_db
ASSURANCE = "/compliance/contracts/CP-1/assurance/"
TENDER = {
    "code": "TS1",
    "name": "Acknowledge the next working day",
    "measure": "deadline",
    "start_event": "REFERRED",
    "end_events": ["ACKNOWLEDGED"],
    "limit_working_days": "1",
    "target": "90",
    "position": "50",
}


@pytest.fixture
def world(db):
    return build_pages_world()


@pytest.fixture
def manager(world, client):
    client.force_login(world.manager.user)
    return client


def trail(model, **lookup) -> list[tuple[str, str | None]]:
    """(history type, username) of each history row matching `lookup`, oldest first."""
    rows = model.history.filter(**lookup).order_by("history_date", "history_id")
    return [(row.history_type, row.history_user.username if row.history_user else None) for row in rows]


def test_a_tender_standard_keeps_who_added_changed_and_deleted_it(world, manager):
    assert manager.post("/compliance/contracts/CP-1/standards/tender/new/", TENDER).status_code == 302
    standard = Standard.objects.get(contract=world.contract, code="TS1")
    edit = f"/compliance/contracts/CP-1/standards/tender/{standard.pk}/"
    assert manager.post(edit, {**TENDER, "limit_working_days": "7"}).status_code == 302
    assert manager.post(f"{edit}delete/").status_code == 302
    assert trail(Standard, id=standard.pk) == [("+", "carol"), ("~", "carol"), ("-", "carol")]
    changed = Standard.history.get(id=standard.pk, history_type="~")
    assert changed.limit_working_days == 7 and changed.prev_record.limit_working_days == 1


def test_a_cmo_sample_and_every_record_drawn_into_it_are_recorded_as_drawn_and_checked(world, manager):
    for i in range(6):
        world.contract.referrals.create(
            ref=f"R-POP-{i}",
            participant=world.contract.referrals.first().participant,
            referral_date="2025-02-03",
            group="LTU",
            organisation=world.contract.prime,
        )
    response = manager.post(
        f"{ASSURANCE}cmo-samples/new/",
        {"size": 3, "period_start": "2025-02-01", "period_end": "2025-02-28", "check_date": "2025-04-10"},
    )
    assert response.status_code == 302
    sample = CmoSample.objects.get()
    assert trail(CmoSample, id=sample.pk) == [("+", "carol")]
    records = list(sample.records.order_by("position"))
    assert trail(CmoSampleRecord, sample_id=sample.pk) == [("+", "carol")] * 3
    response = manager.post(
        f"{ASSURANCE}cmo-samples/{sample.pk}/",
        {"record": records[0].pk, "self_check": "PASS", "cmo_result": "FAIL", "notes": "No evidence"},
    )
    assert response.status_code == 302
    assert trail(CmoSampleRecord, id=records[0].pk) == [("+", "carol"), ("~", "carol")]
    assert CmoSampleRecord.history.get(id=records[0].pk, history_type="~").cmo_result == "FAIL"


def test_a_pat_rating_keeps_who_recorded_and_changed_it(world, manager):
    rating = {
        "date": "2025-03-01",
        "rating": "WEAK",
        "reasons": "evidence",
        "findings": "Files incomplete",
        "action_plan": "Audit every file",
        "owner": world.mona.pk,
        "due_date": "2025-04-01",
    }
    assert manager.post(f"{ASSURANCE}pat/new/", rating).status_code == 302
    pat = PatRating.objects.get()
    assert manager.post(f"{ASSURANCE}pat/{pat.pk}/", {**rating, "rating": "LIMITED"}).status_code == 302
    assert trail(PatRating, id=pat.pk) == [("+", "carol"), ("~", "carol")]
    assert [row.rating for row in PatRating.history.filter(id=pat.pk).order_by("history_id")] == [
        "WEAK",
        "LIMITED",
    ]
