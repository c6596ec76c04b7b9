"""Three users who must not see each other's data (healthchecks' alice / bob / charlie), shared by tests.

- alice: key worker at the prime on contract A, with one referral on her caseload (and one she must not see);
- bob: staff at subcontractor S on contract A, sees only S's referrals;
- charlie: DWP contact named on contract B only.
"""

import datetime as dt
from dataclasses import dataclass

from participants import models
from tests import factories as f


@dataclass
class World:
    alice: object
    bob: object
    charlie: object
    contract_a: models.Contract
    contract_b: models.Contract
    alice_referral: models.Referral
    prime_referral: models.Referral
    sub_referral: models.Referral
    b_referral: models.Referral


def build_world() -> World:
    prime = f.OrganisationFactory(ref="PRIME-A", name="Prime A")
    sub = f.SubcontractorFactory(ref="SUB-S", name="Sub S", parent=prime)
    other_prime = f.OrganisationFactory(ref="PRIME-B", name="Prime B")
    contract_a = f.ContractFactory(ref="CA-1", prime=prime)
    contract_a.delivery_organisations.set([prime, sub])
    contract_b = f.ContractFactory(ref="CB-1", prime=other_prime, nation="SCT")
    contract_b.delivery_organisations.set([other_prime])

    alice = f.StaffFactory(user__username="alice", organisation=prime, role=models.Role.KEY_WORKER)
    bob = f.StaffFactory(user__username="bob", organisation=sub, role=models.Role.PERFORMANCE_MANAGER)
    charlie = f.StaffFactory(user__username="charlie", organisation=None, role=models.Role.DWP_CONTACT)
    contract_b.dwp_contacts.add(charlie.user)

    alice_referral = f.ReferralFactory(contract=contract_a, ref="RA-ALICE", key_worker=alice)
    prime_referral = f.ReferralFactory(contract=contract_a, ref="RA-OTHER")
    sub_referral = f.ReferralFactory(contract=contract_a, ref="RA-SUB", organisation=sub)
    b_referral = f.ReferralFactory(contract=contract_b, ref="RB-1", referral_date=dt.date(2025, 2, 3))
    for referral in (alice_referral, prime_referral, sub_referral, b_referral):
        f.JourneyEventFactory(referral=referral)
    return World(
        alice.user,
        bob.user,
        charlie.user,
        contract_a,
        contract_b,
        alice_referral,
        prime_referral,
        sub_referral,
        b_referral,
    )
