"""Shared set-up of the workspace tests: a key worker with a caseload on a WHP contract in England."""

import datetime as dt
from dataclasses import dataclass

from participants import models
from tests import factories as f


@dataclass
class Desk:
    key_worker: models.Staff
    leader: models.Staff
    contract: models.Contract
    referral: models.Referral
    other_referral: models.Referral  # same contract, another key worker


def build_desk(*, referral_date: dt.date = dt.date(2025, 1, 6)) -> Desk:
    prime = f.OrganisationFactory(ref="PRIME-W", name="Prime W")
    contract = f.ContractFactory(ref="CW-1", prime=prime)
    contract.delivery_organisations.set([prime])
    key_worker = f.StaffFactory(
        user__username="kim",
        user__email="kim@example.org",
        name="Kim Worker",
        organisation=prime,
        role=models.Role.KEY_WORKER,
    )
    other = f.StaffFactory(
        user__username="olu", name="Olu Other", organisation=prime, role=models.Role.KEY_WORKER
    )
    leader = f.StaffFactory(
        user__username="lee", name="Lee Leader", organisation=prime, role=models.Role.PERFORMANCE_MANAGER
    )
    referral = f.ReferralFactory(
        contract=contract, ref="RW-1", key_worker=key_worker, referral_date=referral_date
    )
    other_referral = f.ReferralFactory(
        contract=contract, ref="RW-2", key_worker=other, referral_date=referral_date
    )
    return Desk(key_worker, leader, contract, referral, other_referral)
