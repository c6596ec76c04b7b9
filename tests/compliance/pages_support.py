"""A small world for the compliance pages, worklist, digest and assurance tests.

Contract CP-1 (WHP, England) with five referrals dated Monday 2025-01-06 and contract CP-2 of another prime.
As at Tuesday 2025-01-14 (TODAY): CSS2 (2 working days) fell due on 2025-01-08, CSS1a (10) falls due on
Monday 2025-01-20, which is 4 working days ahead (DOMAIN.md 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from compliance.selectors import standards as selectors
from compliance.services import snapshots as services
from participants import models
from tests import factories as f

TODAY = dt.date(2025, 1, 14)
REFERRED = dt.date(2025, 1, 6)


@dataclass
class PagesWorld:
    contract: models.Contract
    other_contract: models.Contract
    alice: models.Staff  # key worker, site S1: R-ALICE-1..3
    dave: models.Staff  # key worker, site S1: R-DAVE-1
    mona: models.Staff  # performance manager at the prime: sees the prime's referrals
    manager: models.Staff  # contract manager: may edit assurance records
    eve: models.Staff  # key worker of the other prime (CP-2)
    site: models.Site
    sub_site: models.Site
    sub: models.Organisation


def build_pages_world() -> PagesWorld:
    prime = f.OrganisationFactory(ref="PRIME-P", name="Prime P")
    sub = f.SubcontractorFactory(ref="SUB-Q", name="Sub Q", parent=prime)
    other = f.OrganisationFactory(ref="PRIME-O", name="Prime O")
    contract = f.ContractFactory(ref="CP-1", prime=prime)
    contract.delivery_organisations.set([prime, sub])
    other_contract = f.ContractFactory(ref="CP-2", prime=other)
    site = f.SiteFactory(ref="S1", name="Site One", organisation=prime)
    sub_site = f.SiteFactory(ref="S2", name="Site Two", organisation=sub)

    def staff(username, role, org, name):
        return f.StaffFactory(
            user__username=username,
            user__email=f"{username}@example.org",
            role=role,
            organisation=org,
            name=name,
        )

    alice = staff("alice", models.Role.KEY_WORKER, prime, "Alice Key")
    dave = staff("dave", models.Role.KEY_WORKER, prime, "Dave Key")
    mona = staff("mona", models.Role.PERFORMANCE_MANAGER, prime, "Mona Lead")
    manager = staff("carol", models.Role.CONTRACT_MANAGER, prime, "Carol Manager")
    eve = staff("eve", models.Role.KEY_WORKER, other, "Eve Other")

    def referral(ref, *, key_worker=None, organisation=prime, site_=site, on=contract, **kw):
        return f.ReferralFactory(
            contract=on,
            ref=ref,
            referral_date=REFERRED,
            key_worker=key_worker,
            organisation=organisation,
            site=site_,
            **kw,
        )

    referral("R-ALICE-1", key_worker=alice)
    done = referral("R-ALICE-2", key_worker=alice)
    f.JourneyEventFactory(referral=done, code=models.EventCode.ACKNOWLEDGED, event_date=dt.date(2025, 1, 7))
    f.JourneyEventFactory(referral=done, code=models.EventCode.STARTED, event_date=dt.date(2025, 1, 13))
    # Acknowledged the day after TODAY: as at TODAY it does not exist yet (DOMAIN.md 15.18).
    later = referral("R-ALICE-3", key_worker=alice)
    f.JourneyEventFactory(referral=later, code=models.EventCode.ACKNOWLEDGED, event_date=dt.date(2025, 1, 15))
    referral("R-DAVE-1", key_worker=dave)
    referral("R-SUB-1", organisation=sub, site_=sub_site)
    referral("R-OTHER-1", key_worker=eve, organisation=other, site_=None, on=other_contract)
    return PagesWorld(contract, other_contract, alice, dave, mona, manager, eve, site, sub_site, sub)


def snapshot(contract: models.Contract, as_of: dt.date) -> None:
    standards = selectors.contract_standards(contract)
    services.write_snapshot(
        contract=contract,
        standards=standards,
        result=selectors.compute_for_contract(contract, as_of=as_of, standards=standards),
    )
