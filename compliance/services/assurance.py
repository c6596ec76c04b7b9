"""Write paths of the assurance records (DOMAIN.md 13): CMO samples and their checks, PAT ratings and the
validation rounds (participants.models.ValidationRound, edited from the compliance pages)."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from participants.errors import FlightpathError
from participants.jobs import enqueue_recompute
from participants.models import Contract, Staff, ValidationRound

from ..models import CheckResult, CmoSample, CmoSampleRecord, PatRating
from ..selectors.pages import sample_population

# A validation round's invalid share enters the WP quarterly review (DOMAIN.md 15.14): the performance
# recompute stores the assessments again. By name: compliance never imports performance.
PERFORMANCE_RECOMPUTE_TASK = "performance.tasks.recompute_contract"


def draw_indexes(*, seed: int, population: int, size: int) -> np.ndarray:
    """Positions of a seeded random draw without replacement: the same seed gives the same sample."""
    return np.random.default_rng(seed).choice(population, size=size, replace=False)


@transaction.atomic
def draw_cmo_sample(
    *,
    contract: Contract,
    size: int,
    period_start: date,
    period_end: date,
    check_date: date,
    population_filter: dict | None = None,
    seed: int | None = None,
) -> CmoSample:
    """Draw `size` referrals at random from the population (contract, referral dates in period, filter)."""
    if period_end < period_start:
        raise FlightpathError("period_end is before period_start.", field="period_end")
    population_filter = population_filter or {}
    ids = list(
        sample_population(contract, period_start=period_start, period_end=period_end, **population_filter)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if size < 1:
        raise FlightpathError("size must be at least 1.", field="size")
    if size > len(ids):
        raise FlightpathError(
            f"size {size} is larger than the population ({len(ids)} referrals).", field="size"
        )
    seed = secrets.randbits(32) if seed is None else seed
    sample = CmoSample.objects.create(
        contract=contract,
        seed=seed,
        size=size,
        period_start=period_start,
        period_end=period_end,
        population_filter=population_filter,
        population_size=len(ids),
        check_date=check_date,
    )
    chosen = np.asarray(ids)[draw_indexes(seed=seed, population=len(ids), size=size)]
    bulk_create_with_history(
        [CmoSampleRecord(sample=sample, referral_id=int(pk), position=i + 1) for i, pk in enumerate(chosen)],
        CmoSampleRecord,
    )
    return sample


@transaction.atomic
def record_check(
    *,
    record: CmoSampleRecord,
    answers: dict[str, bool],
    self_check: str = "",
    cmo_result: str = "",
    notes: str = "",
) -> CmoSampleRecord:
    """Save one record's checklist answers, the provider's self-check and the CMO's result."""
    unknown = sorted(set(answers) - set(record.sample.checklist))
    if unknown:
        raise FlightpathError(f"answers: unknown checklist items: {', '.join(unknown)}.", field="answers")
    for field, value in (("self_check", self_check), ("cmo_result", cmo_result)):
        if value and value not in CheckResult.values:
            raise FlightpathError(f"{field}: {value!r} is not one of PASS, FAIL.", field=field)
    record.answers = answers
    record.self_check = self_check
    record.cmo_result = cmo_result
    record.notes = notes
    record.save(update_fields=["answers", "self_check", "cmo_result", "notes"])
    return record


@transaction.atomic
def save_pat_rating(
    *,
    contract: Contract,
    date: date,
    rating: str,
    reasons: list[str],
    findings: str = "",
    action_plan: str = "",
    owner: Staff | None = None,
    due_date: date | None = None,
    action_plan_done_on: date | None = None,
    instance: PatRating | None = None,
) -> PatRating:
    if rating not in PatRating.Rating.values:
        raise FlightpathError(
            f"rating: {rating!r} is not one of {', '.join(PatRating.Rating.values)}.", field="rating"
        )
    pat = instance or PatRating(contract=contract)
    pat.date, pat.rating, pat.findings, pat.action_plan = date, rating, findings, action_plan
    pat.reasons = sorted({r.strip().upper() for r in reasons if r.strip()})
    pat.owner, pat.due_date, pat.action_plan_done_on = owner, due_date, action_plan_done_on
    pat.full_clean()
    pat.save()
    return pat


@transaction.atomic
def save_validation_round(
    *,
    contract: Contract,
    round: int,
    period_start: date,
    period_end: date,
    invalid_pct: Decimal,
    status: str,
    instance: ValidationRound | None = None,
) -> ValidationRound:
    """Create or edit a validation round (DATA.md validation_rounds.csv fields and ranges); the contract's
    performance figures are recomputed once it commits."""
    if not Decimal(0) <= invalid_pct <= Decimal(100):
        raise FlightpathError("invalid_pct must be between 0 and 100.", field="invalid_pct")
    if period_end < period_start:
        raise FlightpathError("period_end is before period_start.", field="period_end")
    clash = ValidationRound.objects.filter(contract=contract, round=round)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise FlightpathError(f"round {round} already exists for {contract.ref}.", field="round")
    vr = instance or ValidationRound(contract=contract)
    vr.round, vr.period_start, vr.period_end = round, period_start, period_end
    vr.invalid_pct, vr.status = invalid_pct, status
    vr.save()
    enqueue_recompute({contract.pk: None}, tasks=[PERFORMANCE_RECOMPUTE_TASK])
    return vr
