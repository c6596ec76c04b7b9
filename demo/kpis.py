"""The demo's KPIs (issue 12): monthly targets for the last four quarters, set around what each unit
achieved so some are met and some missed, the ratings computed from them, a PIP raised from a rating and a
step of the subcontractor ladder, so the KPI pages are lived-in. Idempotent: a re-run adds nothing."""

from __future__ import annotations

import zlib
from datetime import date
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model

from participants.models import Contract, KpiTarget, Organisation
from performance.engine.months import month_first_day, month_of
from performance.kpis import engine
from performance.kpis import selectors as kpi_selectors
from performance.kpis import services as kpi_services
from performance.models import KpiRating, Pip
from regimes.models import SubcontractorMeasure
from regimes.services.measures import take_step

KPIS = ("STARTS", "JOB_STARTS", "JOB_OUTCOMES", "SUSTAINMENTS")
FACTORS = (0.8, 0.9, 1.0, 1.15, 1.3)  # target = the unit's actual x one of these, fixed by unit


def _factor(level: str, ref: str, quarter_end: int) -> float:
    return FACTORS[zlib.crc32(f"{level}:{ref}:{quarter_end}".encode()) % len(FACTORS)]


def seed_demo_kpis(
    *, today: date, contract_refs: list[str], partnerships_username: str, manager_username: str
) -> dict:
    users = get_user_model().objects
    counts = {"targets": 0, "ratings": 0, "pips": 0, "measures": 0}
    for contract in Contract.objects.filter(ref__in=contract_refs).order_by("ref"):
        inputs = kpi_selectors.kpi_inputs(contract)
        actuals = engine.monthly_actuals(inputs.credited, contract.ref)
        last = month_of(today) - 1
        ends = [q for q in range(last - 14, last + 1) if engine.is_quarter_end(q, contract.year_start_month)][
            -4:
        ]
        # The four quarters ended, and the months of this one so far (scores on the doors reads them).
        wanted = actuals.loc[
            actuals["kpi"].isin(KPIS) & actuals["month"].between(ends[0] - 2, month_of(today))
        ]
        quarter = engine.quarter_end_of(wanted["month"].to_numpy(), contract.year_start_month)
        factors = np.array(
            [_factor(lv, ref, q) for lv, ref, q in zip(wanted["level"], wanted["ref"], quarter, strict=True)]
        )
        targets = [
            KpiTarget(
                contract=contract,
                level=level,
                ref="" if level == "CONTRACT" else ref,
                kpi=kpi,
                month=month_first_day(month),
                target=Decimal(str(max(1, round(actual * factor)))),
            )
            for (level, ref, kpi, month, actual), factor in zip(
                wanted[["level", "ref", "kpi", "month", "actual"]].itertuples(index=False, name=None),
                factors,
                strict=True,
            )
        ]
        # Counted as rows added, so a re-run reports nothing new.
        held = (
            KpiTarget.objects.filter(contract=contract).count(),
            KpiRating.objects.filter(contract=contract).count(),
        )
        KpiTarget.objects.bulk_create(targets, ignore_conflicts=True, batch_size=2000)
        kpi_services.recompute_ratings(contract_id=contract.pk)
        counts["targets"] += KpiTarget.objects.filter(contract=contract).count() - held[0]
        counts["ratings"] += KpiRating.objects.filter(contract=contract).count() - held[1]
        manager = users.filter(username=manager_username).first()
        if manager and not Pip.objects.filter(contract=contract).exists():
            proposed = KpiRating.objects.filter(
                contract=contract, level="STAFF", proposal="PROPOSED", rag="RED"
            )
            rating = proposed.order_by("-quarter_end", "ref").first()
            if rating is not None:
                pip = kpi_services.accept_proposal(rating=rating, user=manager, opened_on=today)
                kpi_services.add_action(
                    pip=pip,
                    action="Weekly caseload review with the team leader",
                    measure="Every participant seen in the fortnight",
                    owner=manager,
                    due_date=month_first_day(month_of(today) + 1),
                )
                counts["pips"] += 1
        partnerships = users.filter(username=partnerships_username).first()
        subs = Organisation.objects.filter(kind="SUBCONTRACTOR", parent=contract.prime, measures__isnull=True)
        red = KpiRating.objects.filter(contract=contract, level="ORGANISATION", rag__in=["AMBER", "RED"])
        rating = red.filter(ref__in=subs.values("ref")).order_by("-quarter_end").first()
        if (
            partnerships
            and rating is not None
            and not SubcontractorMeasure.objects.filter(contract=contract).exists()
        ):
            take_step(
                contract=contract,
                organisation=Organisation.objects.get(ref=rating.ref),
                step=SubcontractorMeasure.Step.SMART_ACTIONS,
                taken_on=today,
                reason=f"KPI rating {rating.rag.lower()} for the quarter ending {rating.quarter_end:%B %Y}.",
                actions="Fortnightly pipeline call; two extra starts a month by next quarter end.",
                user=partnerships,
            )
            counts["measures"] += 1
    return counts
