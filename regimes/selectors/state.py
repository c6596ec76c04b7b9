"""A contract's regime state, derived from its recorded decisions (DOMAIN.md 17.1), and the figures the
decisions need (17.4's JO target, from performance's MPL code)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse

from participants.models import Contract
from performance import engine
from performance.selectors.figures import performance_figures

from ..models import Decision, Epr, Level, Pican, Pin
from .timeline import Entry


@dataclass
class RegimeState:
    contract: Contract
    regime: str  # PMR or EPR (WP); PMR elsewhere
    levels: list[int]  # active WHP levels, 1 always
    epr: Epr | None
    pins: list[Pin] = field(default_factory=list)  # every PIN, open first
    picans: list[Pican] = field(default_factory=list)
    level_rows: list[Level] = field(default_factory=list)

    @property
    def open_pins(self) -> list[Pin]:
        return [p for p in self.pins if p.status == Pin.Status.OPEN]


def regime_state(contract: Contract) -> RegimeState:
    """Four small queries: the open EPR, the PINs, the level rows, the PICANs."""
    epr = Epr.objects.filter(contract=contract, status=Epr.Status.OPEN).first()
    pins = sorted(Pin.objects.filter(contract=contract), key=lambda p: (p.status != Pin.Status.OPEN, -p.pk))
    level_rows = list(Level.objects.filter(contract=contract))
    active = sorted({row.level for row in level_rows if row.active_to is None})
    programme = contract.programme
    return RegimeState(
        contract=contract,
        regime="EPR" if (epr is not None and programme.has_quarterly_review) else "PMR",
        levels=[1, *active] if programme.code == "WHP" else [1],
        epr=epr,
        pins=pins,
        picans=list(Pican.objects.filter(contract=contract)),
        level_rows=level_rows,
    )


def jo_target_for(contract: Contract, *, group: str, remedy_end: dt.date) -> float:
    """17.4: MPL required for the twelve months ending `remedy_end` (DOMAIN.md 7 and 15.10: a DWP-notified
    target for exactly that group and period wins), from performance's snapshot or its engine on demand."""
    row = performance_figures(contract, month=engine.month_of(remedy_end), period="rolling_12", group=group)
    return float(row["mpl_required"])


def decision_history(contract: Contract) -> list[Decision]:
    return list(
        Decision.objects.filter(contract=contract)
        .select_related("recorded_by")
        .order_by("-decided_on", "-pk")
    )


def timeline_entries(contract: Contract):
    """Every decision of the contract, for the timeline (regimes.selectors.timeline)."""
    url = reverse("regimes:regime", args=[contract.ref])
    for d in Decision.objects.filter(contract=contract).select_related("recorded_by"):
        recorded = f" (recorded for DWP by {d.recorded_by})" if d.recorded_for_dwp and d.recorded_by else ""
        title = f"{d.get_kind_display()}{': ' + d.subject if d.subject else ''}"
        yield Entry(
            on=d.decided_on,
            kind="DECISION",
            title=title,
            url=url,
            detail=d.reason,
            actor=d.decided_by + recorded,
        )
