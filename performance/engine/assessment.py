"""The WP formal quarterly review (DOMAIN.md 8, 15.14): the twelve months ending a quarter end assessed with
validated and extrapolated outcomes against the rolling-twelve MPL required."""

from __future__ import annotations

import numpy as np
import pandas as pd

from participants.journey import ALL

from .facts import Facts
from .flows import Monthly, monthly, performance_table
from .months import month_last_day
from .rules import ContractTerms, ProgrammeRules


def validated_months_for(month: int, final: bool) -> int:
    """March / September: 6 validated months; June / December: 9; a final assessment: 12 (DOMAIN.md 8)."""
    if final:
        return 12
    return 6 if month % 12 + 1 in (3, 9) else 9


def validation_round_used(rounds: pd.DataFrame | None, quarter_end: int) -> dict | None:
    """The validation round whose invalid rate a quarterly assessment at `quarter_end` applies (DOMAIN.md
    15.14): the FINAL round with the latest period end on or before the quarter's last day, the higher round
    on a tie; None when there is none (rate 0). Pages show it beside the rate."""
    if rounds is None or rounds.empty:
        return None
    ends = pd.to_datetime(rounds["period_end"]).dt.date
    usable = rounds[(rounds["status"] == "FINAL") & (ends <= month_last_day(quarter_end))]
    if usable.empty:
        return None
    ordered = usable.assign(_end=ends[usable.index], _round=usable["round"].astype(int))
    row = ordered.sort_values(["_end", "_round"]).iloc[-1]
    return {
        "round": int(row["_round"]),
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "invalid_pct": float(row["invalid_pct"]),
    }


def invalid_rate(rounds: pd.DataFrame | None, quarter_end: int) -> float:
    """The invalid share (0-1) of the round `validation_round_used` chooses; none: 0 (15.14)."""
    used = validation_round_used(rounds, quarter_end)
    return 0.0 if used is None else used["invalid_pct"] / 100.0


def assessment_table(
    facts: Facts,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    rounds: pd.DataFrame | None,
    quarter_ends: list[int],
    groups: tuple[str, ...] | None = None,
    finals: tuple[bool, ...] = (False, True),
    table: Monthly | None = None,
) -> pd.DataFrame:
    """Per quarter end, measured group and final flag: the twelve months ending Q assessed with validated and
    extrapolated outcomes against the rolling-twelve MPL required (notified targets included)."""
    columns = [
        "quarter_end",
        "group",
        "final",
        "window_start",
        "validated_months",
        "validated_outcomes",
        "extrapolation_base",
        "extrapolated_outcomes",
        "adjusted_outcomes",
        "invalid_pct_used",
        "mpl_required",
        "met",
    ]
    quarter_ends = sorted(set(int(q) for q in quarter_ends))
    if not quarter_ends:
        return pd.DataFrame(columns=columns)
    groups = groups or rules.measured_groups
    table = table or monthly(facts, rules, terms, profiles, max(quarter_ends))
    required = performance_table(
        facts, rules, terms, profiles, targets, quarter_ends, ("rolling_12",), tuple(groups), table=table
    ).set_index(["group", "month"])["mpl_required"]
    rows = []
    own = {g: i for i, g in enumerate(table.groups)}
    for q in quarter_ends:  # a few dozen quarter ends x measured groups: plain data, not referrals
        rate = invalid_rate(rounds, q)
        for g in groups:
            gross = table.outcomes.sum(axis=0) if g == ALL else table.outcomes[own[g]]
            invalid = table.invalid_outcomes.sum(axis=0) if g == ALL else table.invalid_outcomes[own[g]]
            window = table.index(np.arange(q - 11, q + 1))
            inside = (window >= 0) & (window < table.months)
            g_window = np.where(inside, gross[np.clip(window, 0, table.months - 1)], 0)
            i_window = np.where(inside, invalid[np.clip(window, 0, table.months - 1)], 0)
            for final in finals:
                v = validated_months_for(q, final)
                validated = int((g_window[:v] - i_window[:v]).sum())
                base = int(g_window[v:].sum())
                applied = 0.0 if final else rate
                extrapolated = base * (1.0 - applied)
                adjusted = validated + extrapolated
                need = float(required.loc[(g, q)])
                rows.append(
                    {
                        "quarter_end": q,
                        "group": g,
                        "final": final,
                        "window_start": q - 11,
                        "validated_months": v,
                        "validated_outcomes": validated,
                        "extrapolation_base": base,
                        "extrapolated_outcomes": extrapolated,
                        "adjusted_outcomes": adjusted,
                        "invalid_pct_used": applied * 100.0,
                        "mpl_required": need,
                        "met": bool(adjusted >= need),
                    }
                )
    return pd.DataFrame(rows, columns=columns)
