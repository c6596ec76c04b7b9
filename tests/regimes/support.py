"""A small world for the action plan and review tests: prime P's WP contract CP-1 (Scotland) with its
performance manager `pam`, contract manager `cora`, a key worker `kim` and the DWP contact `dora` named on it;
`dan` is a DWP contact not named on it; prime Q's contract CQ-1 with its own manager `quinn`."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass

from participants import models
from tests import factories as f


@dataclass
class World:
    contract: models.Contract
    other: models.Contract
    pm: models.Staff
    contract_manager: models.Staff
    key_worker: models.Staff
    dwp: models.Staff
    other_dwp: models.Staff
    other_pm: models.Staff


def build_world(nation: str = "SCT") -> World:
    prime = f.OrganisationFactory(ref="P", name="Prime P")
    other_prime = f.OrganisationFactory(ref="Q", name="Prime Q")
    wp = models.Programme.objects.get(code="WP")
    contract = f.ContractFactory(
        ref="CP-1",
        name="Work Programme Scotland",
        prime=prime,
        programme=wp,
        nation=nation,
        start_date=dt.date(2024, 4, 1),
        end_date=dt.date(2028, 3, 31),
    )
    contract.delivery_organisations.set([prime])
    other = f.ContractFactory(ref="CQ-1", prime=other_prime, programme=wp)
    other.delivery_organisations.set([other_prime])
    role = models.Role

    def staff(username, r, organisation):
        return f.StaffFactory(user=f.UserFactory(username=username), role=r, organisation=organisation)

    world = World(
        contract=contract,
        other=other,
        pm=staff("pam", role.PERFORMANCE_MANAGER, prime),
        contract_manager=staff("cora", role.CONTRACT_MANAGER, prime),
        key_worker=staff("kim", role.KEY_WORKER, prime),
        dwp=staff("dora", role.DWP_CONTACT, None),
        other_dwp=staff("dan", role.DWP_CONTACT, None),
        other_pm=staff("quinn", role.PERFORMANCE_MANAGER, other_prime),
    )
    contract.dwp_contacts.add(world.dwp.user)
    return world


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
