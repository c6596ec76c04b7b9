"""Carry today's values over (issue 11): each contract's `Contract.regime` becomes recorded decisions (EPR ->
an ALLOCATE_EPR decision and its EPR period, dated today: the field kept no date), and performance's
recommendations move here with their statuses. Runs before participants drops the field and performance drops
its table (their migrations depend on this one)."""

import calendar
import datetime as dt

from django.db import migrations

REASON = "Carried over from the contract's regime field when regimes began recording decisions (issue 11)."


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def forward(apps, schema_editor):
    Contract = apps.get_model("participants", "Contract")
    Epr = apps.get_model("regimes", "Epr")
    Decision = apps.get_model("regimes", "Decision")
    today = dt.date.today()
    # "PIN" named no group: the contract was under escalation, carried over as an open EPR with a note.
    for contract in Contract.objects.exclude(regime="PMR"):
        day = max(today, contract.start_date)
        epr = Epr.objects.create(
            contract=contract, started_on=day, review_due=_add_months(day, 3), ends_on=_add_months(day, 6)
        )
        note = "" if contract.regime == "EPR" else " The field said PIN without a group: record the PIN itself."
        Decision.objects.create(
            contract=contract,
            kind="ALLOCATE_EPR",
            decided_on=day,
            reason=REASON + note,
            decided_by="(carried over)",
            epr=epr,
            evidence={"regime": contract.regime},
        )
    Old = apps.get_model("performance", "Recommendation")
    New = apps.get_model("regimes", "Recommendation")
    New.objects.bulk_create(
        New(
            contract_id=r.contract_id,
            key=f"{r.kind}:{r.group}:{r.quarter_end:%Y-%m}",
            kind=r.kind,
            group=r.group,
            quarter_end=r.quarter_end,
            pct_of_mpl=r.projected_pct,
            message=r.message,
            evidence={"low_pct": r.low_pct, "high_pct": r.high_pct},
            status=r.status,
        )
        for r in Old.objects.all()
    )


def backward(apps, schema_editor):
    Contract = apps.get_model("participants", "Contract")
    Epr = apps.get_model("regimes", "Epr")
    Contract.objects.filter(pk__in=Epr.objects.filter(status="OPEN").values("contract_id")).update(regime="EPR")
    Old = apps.get_model("performance", "Recommendation")
    New = apps.get_model("regimes", "Recommendation")
    Old.objects.bulk_create(
        Old(
            contract_id=r.contract_id,
            group=r.group,
            quarter_end=r.quarter_end,
            kind=r.kind,
            message=r.message,
            projected_pct=r.pct_of_mpl,
            status=r.status if r.status != "WITHDRAWN" else "DISMISSED",
        )
        for r in New.objects.filter(kind__in=["PIN_RISK", "MPL_RISK"])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("regimes", "0002_decisions_and_recommendations"),
        ("performance", "0003_projection_snapshots"),
    ]
    operations = [migrations.RunPython(forward, backward)]
