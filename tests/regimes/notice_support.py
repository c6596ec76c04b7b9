"""A contract with two DWP contacts (one more, inactive), its prime's managers and a key worker, for the
issue notices' tests."""

from __future__ import annotations

from dataclasses import dataclass

from participants.models import Contract, Role, Staff
from tests import factories as f

FIELDS = {
    "summary": "A participant's evidence was lost",
    "remedial_action": "Evidence re-requested; the file recovered from the backup.",
    "avoid_repetition": "Scans are checked the same day.",
    "people_told": "The site manager, the participant.",
}


@dataclass
class NoticeWorld:
    contract: Contract
    manager: Staff  # the prime's contract manager
    performance: Staff  # the prime's performance manager
    key_worker: Staff
    dwp: list[Staff]  # the contract's DWP contacts with a login
    other_dwp: Staff  # a DWP contact of another contract


def staff(username: str, role: str, organisation, email: str | None = None, **user) -> Staff:
    return f.StaffFactory(
        user__username=username,
        user__email=email if email is not None else f"{username}@example.org",
        role=role,
        organisation=organisation,
        **{f"user__{k}": v for k, v in user.items()},
    )


def build(ref: str = "NOT-1") -> NoticeWorld:
    prime = f.OrganisationFactory(name="Brightwork Employment")
    contract = f.ContractFactory(ref=ref, prime=prime, name="North East WHP")
    dwp = [staff(f"dwp.{n}.{ref}", Role.DWP_CONTACT, None) for n in ("ann", "bob")]
    leaver = staff(f"dwp.leaver.{ref}", Role.DWP_CONTACT, None, is_active=False)
    contract.dwp_contacts.set([s.user for s in [*dwp, leaver]])
    other = staff(f"dwp.other.{ref}", Role.DWP_CONTACT, None)
    f.ContractFactory(prime=prime).dwp_contacts.set([other.user])
    return NoticeWorld(
        contract=contract,
        manager=staff(f"cm.{ref}", Role.CONTRACT_MANAGER, prime),
        performance=staff(f"pm.{ref}", Role.PERFORMANCE_MANAGER, prime),
        key_worker=staff(f"kw.{ref}", Role.KEY_WORKER, prime),
        dwp=dwp,
        other_dwp=other,
    )


def fields(urgency: str, **extra) -> dict:
    return {**FIELDS, "urgency": urgency, **extra}
