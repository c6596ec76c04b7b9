"""Checking a bundle against the one who uploads it (DOMAIN.md 1; DATA.md `POST /api/v1/imports/`): the
prime's performance and contract managers import for their prime only.

Every contract the bundle names must be one the uploader's prime holds (a new contract: its `prime_ref` is
that prime), every organisation in organisations.csv and every referral's delivering organisation must be
that prime or one of its subcontractors, and a site or key worker already held must be one of theirs too
(else a referral would reach another organisation's staff through them). A violation is an error of the
bundle like any other (`file:line: field: reason`), so the whole bundle is rejected before anything is
written. Pure: frames in, errors out; the service loads the `Uploader` (`imports.services`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import checks


@dataclass(frozen=True)
class Uploader:
    """The uploader's prime and, for the references the bundle names, whose they are now.

    Each map gives a held reference's owning prime: a prime owns itself and its subcontractors, and a
    contract, site or staff record belongs to the prime owning its organisation (None: no organisation)."""

    prime_ref: str
    contracts: dict[str, str]
    organisations: dict[str, str | None]
    sites: dict[str, str | None]
    staff: dict[str, str | None]


def check_uploader(errors: checks.Errors, frames: dict[str, pd.DataFrame], uploader: Uploader) -> None:
    """Add an error for every row naming a contract or organisation outside the uploader's prime."""
    prime = uploader.prime_ref
    outside = f"not {prime} or one of its subcontractors (the uploader's organisation)"
    owners = dict(uploader.organisations)

    if (orgs := frames.get("organisations.csv")) is not None:
        name = "organisations.csv"
        held_owner = orgs["org_ref"].map(owners)
        foreign = (held_owner.notna() & (held_owner != prime)) | (
            (orgs["kind"] == "PRIME") & (orgs["org_ref"] != prime)
        )
        errors.add(name, orgs, foreign, "org_ref", outside, show_value=True)
        errors.add(
            name,
            orgs,
            ~foreign & (orgs["kind"] == "SUBCONTRACTOR") & (orgs["parent_ref"] != prime),
            "parent_ref",
            f"not {prime}: a bundle adds only subcontractors of the uploader's organisation",
            show_value=True,
        )
        # What the file says wins for the referrals below (a wrong row has rejected the bundle already).
        owning = orgs["org_ref"].where(orgs["kind"] == "PRIME", orgs["parent_ref"])
        owners.update(zip(orgs["org_ref"], owning, strict=True))

    contract_primes = dict(uploader.contracts)
    if (contracts := frames.get("contracts.csv")) is not None:
        name = "contracts.csv"
        held_prime = contracts["contract_ref"].map(uploader.contracts)
        errors.add(
            name,
            contracts,
            held_prime.notna() & (held_prime != prime),
            "contract_ref",
            f"not a contract of {prime} (the uploader's organisation)",
            show_value=True,
        )
        errors.add(
            name,
            contracts,
            contracts["prime_ref"] != prime,
            "prime_ref",
            f"not {prime}: the uploader imports only their own organisation's contracts",
            show_value=True,
        )
        contract_primes.update(zip(contracts["contract_ref"], contracts["prime_ref"], strict=True))

    others = [ref for ref, owner in contract_primes.items() if owner != prime]
    for name, frame in frames.items():
        if name == "contracts.csv" or "contract_ref" not in frame:
            continue
        # An unknown contract is reported by the validation already; here only held or new ones of others.
        errors.add(
            name,
            frame,
            frame["contract_ref"].isin(others),
            "contract_ref",
            f"not a contract of {prime} (the uploader's organisation)",
            show_value=True,
        )

    if (referrals := frames.get("referrals.csv")) is not None:
        held_by = {"delivery_org_ref": owners, "site_ref": uploader.sites, "key_worker": uploader.staff}
        reasons = {
            "delivery_org_ref": outside,
            "site_ref": f"a site outside {prime} and its subcontractors",
            "key_worker": f"staff outside {prime} and its subcontractors",
        }
        for column, held in held_by.items():
            foreign = [ref for ref, owner in held.items() if owner != prime]
            mask = referrals[column].isin(foreign)
            errors.add("referrals.csv", referrals, mask, column, reasons[column], show_value=True)
