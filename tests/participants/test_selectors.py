"""contract_frames: the engines' input, in the documented schema; contract_summary's latest imports."""

import datetime as dt

import numpy as np
import pytest

from participants.models import ImportRun
from participants.selectors import EVENT_COLUMNS, REFERRAL_COLUMNS, contract_frames, contract_summary
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_frames_hold_every_referral_and_event_of_the_contract_in_the_documented_schema():
    site = f.SiteFactory()
    first = f.ReferralFactory(referral_date=dt.date(2025, 1, 6), site=site)
    second = f.ReferralFactory(contract=first.contract, referral_date=dt.date(2024, 12, 31))
    f.JourneyEventFactory(
        referral=first, code="JOB_OUTCOME", event_date=dt.date(2025, 3, 3), detail="self_employed"
    )
    f.JourneyEventFactory(referral=first, code="STARTED", event_date=dt.date(2025, 1, 8))
    f.JourneyEventFactory(
        referral=second, code="EARNINGS_1000", event_date=dt.date(2025, 2, 1), amount="1000.50"
    )
    f.ReferralFactory()  # another contract: not included

    referrals, events = contract_frames(first.contract_id)

    assert list(referrals.columns) == REFERRAL_COLUMNS and list(events.columns) == EVENT_COLUMNS
    assert referrals["referral_ref"].tolist() == [first.ref, second.ref]
    assert referrals["referral_date"].tolist() == [np.datetime64("2025-01-06"), np.datetime64("2024-12-31")]
    assert referrals["site_id"].tolist()[0] == site.pk and np.isnan(referrals["site_id"].tolist()[1])
    assert str(referrals["referral_date"].dtype) == "datetime64[s]"
    assert events["code"].tolist() == ["STARTED", "JOB_OUTCOME", "EARNINGS_1000"]  # by referral, then date
    assert events["detail"].tolist() == ["", "self_employed", ""]
    assert events["amount"].iloc[2] == 1000.5 and np.isnan(events["amount"].iloc[0])
    assert str(events["event_date"].dtype) == "datetime64[s]"


def test_frames_of_an_empty_contract_are_empty_with_the_schema():
    contract = f.ContractFactory()
    referrals, events = contract_frames(contract.pk)
    assert referrals.empty and events.empty
    assert list(events.columns) == EVENT_COLUMNS


def test_contract_summary_lists_the_latest_five_imports_that_held_the_contract():
    contract, other = f.ContractFactory(), f.ContractFactory()
    for number in range(6):
        ImportRun.objects.create(source=f"bundle-{number}", contract_refs=[contract.ref])
    ImportRun.objects.create(source="other", contract_refs=[other.ref])
    ImportRun.objects.create(source="both", contract_refs=[other.ref, contract.ref])

    latest = contract_summary(contract)["latest_imports"]

    assert [run.source for run in latest] == ["both", "bundle-5", "bundle-4", "bundle-3", "bundle-2"]
