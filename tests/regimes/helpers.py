"""A WP and a WHP contract with a prime's contract manager and a DWP contact named on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from participants.models import Programme, Role
from tests import factories as f


@dataclass
class World:
    contract: object
    manager: object
    dwp: object
    key_worker: object


def world(*, programme: str = "WP", nation: str = "ENG", ref: str = "RG-1") -> World:
    contract = f.ContractFactory(
        ref=ref,
        programme=Programme.objects.get(code=programme),
        nation=nation,
        start_date=dt.date(2024, 1, 1),
    )
    manager = f.StaffFactory(
        role=Role.CONTRACT_MANAGER, organisation=contract.prime, user__email="cm@example.org"
    )
    dwp = f.StaffFactory(role=Role.DWP_CONTACT, organisation=None, user__email="dwp@example.org")
    contract.dwp_contacts.add(dwp.user)
    key_worker = f.StaffFactory(role=Role.KEY_WORKER, organisation=contract.prime)
    return World(contract=contract, manager=manager.user, dwp=dwp.user, key_worker=key_worker.user)
