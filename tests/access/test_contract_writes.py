"""Contract-level writes need MANAGE_CONTRACT on the contract: the prime's performance and contract managers
only. Issue 10: a subcontractor's performance manager created a tender standard, a FINAL validation round
at 60% invalid, a WEAK PAT rating and a CMO sample on the prime's contract, their model permissions
allowing it; and the CMO sample page listed every sampled referral."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance.models import CmoSample, PatRating, Standard
from compliance.services import assurance
from participants.models import Role, ValidationRound
from tests import factories as f
from tests.compliance.pages_support import build_pages_world

pytestmark = pytest.mark.django_db

BASE = "/compliance/contracts/CP-1"
WRITES = {
    "tender standard": (
        f"{BASE}/standards/tender/new/",
        {
            "code": "TS9",
            "name": "Sub's own",
            "measure": "deadline",
            "start_event": "REFERRED",
            "end_events": ["ACKNOWLEDGED"],
            "limit_working_days": "1",
            "target": "90",
            "position": "50",
        },
        lambda: Standard.objects.filter(code="TS9").exists(),
    ),
    "final validation round": (
        f"{BASE}/assurance/validation-rounds/new/",
        {
            "round": 1,
            "period_start": "2024-04-01",
            "period_end": "2024-09-30",
            "invalid_pct": "60",
            "status": "FINAL",
        },
        lambda: ValidationRound.objects.exists(),
    ),
    "weak PAT rating": (
        f"{BASE}/assurance/pat/new/",
        {"date": "2025-03-01", "rating": "WEAK", "reasons": "evidence", "findings": "x", "action_plan": "y"},
        lambda: PatRating.objects.exists(),
    ),
    "CMO sample": (
        f"{BASE}/assurance/cmo-samples/new/",
        {
            "size": 2,
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
            "check_date": "2025-04-10",
            "seed": "42",
        },
        lambda: CmoSample.objects.exists(),
    ),
}


@pytest.fixture
def world():
    return build_pages_world()


@pytest.fixture
def sub_manager(world):
    return f.StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=world.sub)


@pytest.mark.parametrize("what", WRITES)
def test_subcontractors_performance_manager_may_not_write_on_the_primes_contract(client, sub_manager, what):
    url, data, written = WRITES[what]
    assert sub_manager.user.has_perm("compliance.add_standard")  # the model permissions would allow it
    client.force_login(sub_manager.user)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert not written()


@pytest.mark.parametrize("what", WRITES)
def test_the_primes_performance_manager_writes_on_its_contract(client, world, what):
    url, data, written = WRITES[what]
    client.force_login(world.mona.user)
    assert client.post(url, data).status_code == 302
    assert written()


def test_a_sampled_record_is_checked_by_the_primes_managers_only(client, world, sub_manager):
    sample = assurance.draw_cmo_sample(
        contract=world.contract,
        size=5,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 1, 31),
        check_date=dt.date(2025, 4, 10),
        seed=1,
    )
    record = sample.records.get(referral__ref="R-SUB-1")
    url = f"{BASE}/assurance/cmo-samples/{sample.pk}/"
    client.force_login(sub_manager.user)
    assert (
        client.post(url, {"record": record.pk, "self_check": "PASS", "cmo_result": "FAIL"}).status_code == 403
    )
    record.refresh_from_db()
    assert record.cmo_result == ""


def test_cmo_sample_page_lists_only_the_sampled_referrals_the_user_may_see(client, world, sub_manager):
    sample = assurance.draw_cmo_sample(
        contract=world.contract,
        size=5,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 1, 31),
        check_date=dt.date(2025, 4, 10),
        seed=1,
    )
    client.force_login(sub_manager.user)
    html = client.get(f"{BASE}/assurance/cmo-samples/{sample.pk}/").content.decode()
    assert "R-SUB-1" in html
    assert not any(ref in html for ref in ("R-ALICE-1", "R-ALICE-2", "R-DAVE-1"))
    client.force_login(world.manager.user)
    html = client.get(f"{BASE}/assurance/cmo-samples/{sample.pk}/").content.decode()
    assert all(ref in html for ref in ("R-SUB-1", "R-ALICE-1", "R-DAVE-1"))


def test_pages_offer_contract_writes_only_to_the_primes_managers(client, world, sub_manager):
    client.force_login(sub_manager.user)
    assert "Add a tender standard" not in client.get(f"{BASE}/standards/").content.decode()
    assert "Record a rating" not in client.get(f"{BASE}/assurance/").content.decode()
    client.force_login(world.manager.user)
    assert "Add a tender standard" in client.get(f"{BASE}/standards/").content.decode()
    assert "Record a rating" in client.get(f"{BASE}/assurance/").content.decode()
