"""A lived-in regime history for the demo's Work Programme contract (issue 11): an EPR allocated by DWP's
contact with its action plan in, a PIN on a measured group after a failed review with its obligations open,
and the recommendations the figures raise. Recorded through the regimes services, so every rule holds; a
re-run changes nothing (a contract that has decisions is left alone)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from participants.models import Contract
from regimes import rules
from regimes.models import Decision
from regimes.services import recommendations
from regimes.services.decisions import record_decision
from regimes.services.obligations import fulfil

DEMO_CONTRACT = "DEMO-WP-ENG"
DEMO_DWP = "dwp"


def _last_quarter_end(before: dt.date) -> dt.date:
    """The first day of the last quarter-end month ending before `before`."""
    month = before.replace(day=1)
    while True:
        month = (month - dt.timedelta(days=1)).replace(day=1)
        if rules.is_quarter_end(month) and rules.month_last_day(month) < before:
            return month


def seed_demo_regimes(*, today: dt.date) -> int:
    """Returns the number of decisions recorded (0 when the history exists or the contract is absent)."""
    contract = Contract.objects.select_related("programme").filter(ref=DEMO_CONTRACT).first()
    dwp = get_user_model().objects.filter(username=DEMO_DWP).first()
    if contract is None or dwp is None or Decision.objects.filter(contract=contract).exists():
        return 0
    epr_on = today - dt.timedelta(days=75)
    epr = record_decision(
        contract=contract,
        user=dwp,
        kind=Decision.Kind.ALLOCATE_EPR,
        reason="Six-monthly review: rolling-12 job outcomes below MPL in PG1 and PG2 for two quarters.",
        decided_on=epr_on,
        evidence={"review": "six-monthly", "groups_below_mpl": ["PG1", "PG2"]},
    )
    plan = next(o for o in epr.obligations if o.kind == "ACTION_PLAN_DUE")
    fulfil(contract=contract, key=plan.key, on=plan.due_date - dt.timedelta(days=1))
    quarter = _last_quarter_end(today - dt.timedelta(days=14))
    group = contract.programme.measured_groups[0]
    record_decision(
        contract=contract,
        user=dwp,
        kind=Decision.Kind.ISSUE_PIN,
        reason=f"{group} failed the {quarter:%B %Y} formal quarterly review.",
        decided_on=min(today, rules.month_last_day(quarter) + dt.timedelta(days=10)),
        group=group,
        quarter_end=quarter,
        evidence={"quarterly_review": f"{quarter:%Y-%m}", "group": group},
    )
    recommendations.refresh(contract=contract, today=today)
    return 2
