"""MPL profiles (DOMAIN.md 7, 15.9) and DWP-notified required outcomes (15.10)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .months import month_indexes

# Required outcomes are held exactly, in UNITS per outcome: profiles have 2 decimals of a percent, so
# size x (P(k) - P(k-1)) is an integer number of 1/10,000ths of an outcome and sums stay exact; the output's
# half-to-even rounding then sees the true decimal (2.095 -> 2.10), not a binary approximation.
UNITS = 10_000


def profile_points(profiles: pd.DataFrame | None, group: str, length: int) -> np.ndarray:
    """P(1..length) in hundredths of a percent (int64). A missing month inside 1..K takes the last given value
    (0 before the first given month); P(k) = P(K) beyond K; a group without a profile: all 0 (15.9)."""
    curve = np.zeros(max(length, 0), np.int64)
    if profiles is None or profiles.empty or length <= 0:
        return curve
    rows = profiles[profiles["group"] == group]
    if rows.empty:
        return curve
    months = rows["month"].astype(int).to_numpy()
    points = np.round(rows["cumulative_pct"].astype(float).to_numpy() * 100).astype(np.int64)
    given = np.full(max(length, months.max()) + 1, np.nan)
    given[0] = 0.0
    given[months] = points
    return pd.Series(given).ffill().to_numpy()[1 : length + 1].astype(np.int64)


def profile_curve(profiles: pd.DataFrame | None, group: str, length: int) -> np.ndarray:
    """P(1..length) as a share (0-1)."""
    return profile_points(profiles, group, length) / UNITS


@dataclass(frozen=True)
class Targets:
    """DWP-notified required outcomes keyed by (group, first month, last month)."""

    by_key: dict[tuple[str, int, int], int] = field(default_factory=dict)  # in UNITS

    @classmethod
    def from_frame(cls, frame: pd.DataFrame | None) -> Targets:
        if frame is None or frame.empty:
            return cls()
        firsts = month_indexes(pd.to_datetime(frame["period_start"]).to_numpy())
        lasts = month_indexes(pd.to_datetime(frame["period_end"]).to_numpy())
        values = np.round(frame["required_outcomes"].astype(float).to_numpy() * UNITS).astype(np.int64)
        return cls(
            {
                (g, int(a), int(b)): int(v)
                for g, a, b, v in zip(frame["group"], firsts, lasts, values, strict=True)
            }
        )

    def lookup(self, group: str, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Per (first, last) pair: the notified figure in UNITS, -1 when none matches exactly."""
        out = np.full(len(first), -1, np.int64)
        for (g, a, b), value in self.by_key.items():
            if g == group:
                out[(first == a) & (last == b)] = value
        return out
