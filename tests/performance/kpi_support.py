"""A small contract for the KPI tests: a prime with one site and two key workers, a subcontractor, referrals
with assignment history, events and targets (DOMAIN.md 17.12-15)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from participants import models
from tests import factories as f


@dataclass
class KpiWorld:
    contract: models.Contract
    prime: models.Organisation
    sub: models.Organisation
    site: models.Site
    anna: models.Staff  # key worker at the site
    ben: models.Staff  # key worker at the site
    manager: models.Staff  # the prime's performance manager (team leader) of the site
    contract_manager: models.Staff
    partnerships: models.Staff
    sub_worker: models.Staff
    referrals: list[models.Referral]


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def target(world: KpiWorld, level: str, ref: str, kpi: str, month: str, value) -> models.KpiTarget:
    return models.KpiTarget.objects.create(
        contract=world.contract,
        level=level,
        ref=ref,
        kpi=kpi,
        month=dt.date.fromisoformat(month + "-01"),
        target=Decimal(str(value)),
    )


def event(referral, code: str, day: str, detail: str = "") -> None:
    f.JourneyEventFactory(referral=referral, code=code, event_date=dt.date.fromisoformat(day), detail=detail)


def make_world() -> KpiWorld:
    prime = f.OrganisationFactory(ref="PRIME", name="Prime Ltd")
    sub = f.SubcontractorFactory(ref="SUB", name="Sub Ltd", parent=prime)
    contract = f.ContractFactory(ref="K-1", prime=prime, name="KPI contract")
    contract.delivery_organisations.set([prime, sub])
    site = f.SiteFactory(ref="S1", name="Leeds", organisation=prime)
    sub_site = f.SiteFactory(ref="S2", name="Bradford", organisation=sub)
    anna = f.StaffFactory(
        ref="KW-A", name="Anna Key", organisation=prime, user__username="anna", user__email="anna@example.org"
    )
    ben = f.StaffFactory(
        ref="KW-B", name="Ben Key", organisation=prime, user__username="ben", user__email="ben@example.org"
    )
    anna.sites.set([site])
    ben.sites.set([site])
    manager = f.StaffFactory(
        ref="TL",
        name="Tess Lead",
        organisation=prime,
        role=models.Role.PERFORMANCE_MANAGER,
        user__username="tess",
    )
    manager.sites.set([site])
    contract_manager = f.StaffFactory(
        ref="CM",
        name="Cara Manager",
        organisation=prime,
        role=models.Role.CONTRACT_MANAGER,
        user__username="cara",
    )
    partnerships = f.StaffFactory(
        ref="PM",
        name="Pat Partner",
        organisation=prime,
        role=models.Role.PARTNERSHIPS_MANAGER,
        user__username="pat",
    )
    partnerships.managed_organisations.set([sub])
    sub_worker = f.StaffFactory(ref="KW-S", name="Sam Sub", organisation=sub, user__username="sam")
    sub_worker.sites.set([sub_site])

    referrals = []
    for n in range(3):
        referral = f.ReferralFactory(
            contract=contract,
            ref=f"R{n}",
            organisation=prime,
            site=site,
            key_worker=anna,
            referral_date=dt.date(2025, 4, 1),
        )
        models.ReferralAssignment.objects.create(
            referral=referral, organisation=prime, site=site, key_worker=anna, since=at(dt.date(2025, 4, 1))
        )
        referrals.append(referral)
    # R0 moves from Anna to Ben on 15 May (mid-quarter): its later events are Ben's.
    r0 = referrals[0]
    r0.assignments.update(until=at(dt.date(2025, 5, 15)))
    models.ReferralAssignment.objects.create(
        referral=r0, organisation=prime, site=site, key_worker=ben, since=at(dt.date(2025, 5, 15))
    )
    models.Referral.objects.filter(pk=r0.pk).update(key_worker=ben)
    sub_referral = f.ReferralFactory(
        contract=contract,
        ref="RS",
        organisation=sub,
        site=sub_site,
        key_worker=sub_worker,
        referral_date=dt.date(2025, 4, 1),
    )
    referrals.append(sub_referral)

    event(r0, "STARTED", "2025-04-02")
    event(r0, "JOB_START", "2025-05-01")  # Anna's
    event(r0, "JOB_START", "2025-06-01")  # Ben's
    event(referrals[1], "STARTED", "2025-04-03")
    event(referrals[1], "JOB_START", "2025-04-20")  # Anna's
    event(referrals[1], "PSG_CHANGED", "2025-04-05", "CONTEMPLATION")
    event(referrals[1], "PSG_CHANGED", "2025-04-25", "PREPARATION")  # a move up: Anna's
    event(referrals[1], "PSG_CHANGED", "2025-05-25", "CONTEMPLATION")  # down: not counted
    event(sub_referral, "STARTED", "2025-04-04")
    return KpiWorld(
        contract, prime, sub, site, anna, ben, manager, contract_manager, partnerships, sub_worker, referrals
    )


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def held(world) -> dict[tuple[str, str, str, str], Decimal]:
    return {
        (t.level, t.ref, t.kpi, f"{t.month:%Y-%m}"): t.target
        for t in models.KpiTarget.objects.filter(contract=world.contract)
    }
