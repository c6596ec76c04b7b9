"""KPI actuals and quarterly KPI ratings (DOMAIN.md 17.12-15). Pure: frames in, frames out, no Django.

- `credited_items`: every counted thing (a start, a job start, a PSG move up, a complaint ...) with the
  referral's assignment on its date (key worker, site, delivering organisation).
- `monthly_actuals`: those items counted per level, unit, KPI and calendar month.
- `judge`: each unit's KPIs per contract-year quarter against the months that have a target (17.14).
- `rate`: the quarter's rating from this quarter and the previous one (17.15).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RESOLUTION_ORDER = ("STARTED", "DID_NOT_START", "FAILED_TO_ATTEND")  # DOMAIN.md 4: the first counts
PSG_ORDER = ("PRE_CONTEMPLATION", "CONTEMPLATION", "PREPARATION", "CANDIDATE_POOL")  # 17.12
_RESOLUTION_RANK = {code: rank for rank, code in enumerate(RESOLUTION_ORDER)}
EVERY_EVENT = {"JOB_START": "JOB_STARTS", "SUSTAINMENT": "SUSTAINMENTS", "EARNINGS_START": "EARNINGS_STARTS"}
EVENT_CODES = (*RESOLUTION_ORDER, "JOB_START", "JOB_OUTCOME", "SUSTAINMENT", "EARNINGS_START", "PSG_CHANGED")
MAXIMUM_KPIS = frozenset({"COMPLAINTS"})  # 17.13: every other KPI is a minimum
LEVELS = ("STAFF", "SITE", "ORGANISATION", "CONTRACT")
UNIT_COLUMN = {"STAFF": "key_worker", "SITE": "site", "ORGANISATION": "organisation"}
GREEN, AMBER, RED = "GREEN", "AMBER", "RED"
_EARLIEST_DAY = int(np.datetime64("1900-01-01", "D").astype(np.int64))


def _first(frame: pd.DataFrame, order_column: str | None = None) -> pd.DataFrame:
    """Each referral's first row by date (then `order_column`)."""
    keys = ["referral_id", "event_date"] + ([order_column] if order_column else [])
    return frame.sort_values(keys, kind="stable").drop_duplicates("referral_id", keep="first")


def journey_items(events: pd.DataFrame) -> pd.DataFrame:
    """events (referral_id, code, event_date, detail) -> items (referral_id, kpi, date) of DOMAIN.md 17.12."""
    code = events["code"]  # strings or a Categorical of EVENT_CODES (the selector's, cheaper)
    parts = []
    resolutions = events.loc[code.isin(RESOLUTION_ORDER)].assign(
        rank=lambda f: f["code"].astype(str).map(_RESOLUTION_RANK).to_numpy()
    )
    first = _first(resolutions, "rank")
    parts.append(first.loc[first["code"] == "STARTED"].assign(kpi="STARTS"))
    parts.append(_first(events.loc[code == "JOB_OUTCOME"]).assign(kpi="JOB_OUTCOMES"))
    for event_code, kpi in EVERY_EVENT.items():
        parts.append(events.loc[code == event_code].assign(kpi=kpi))
    moves = events.loc[code == "PSG_CHANGED"].sort_values(["referral_id", "event_date"], kind="stable")
    rank = pd.Series(pd.Categorical(moves["detail"], categories=PSG_ORDER).codes, index=moves.index)
    previous = rank.groupby(moves["referral_id"].to_numpy()).shift(1)
    parts.append(moves.loc[(previous.notna() & (rank > previous)).to_numpy()].assign(kpi="PSG_PROGRESS"))
    items = pd.concat([p[["referral_id", "kpi", "event_date"]] for p in parts], ignore_index=True)
    return items.rename(columns={"event_date": "date"})


def reviews_on_time(reviews: pd.DataFrame, interval_months: int) -> pd.DataFrame:
    """reviews (referral_id, agreed_on, reviewed_on) -> items of AP_REVIEWS_ON_TIME: a review held by the
    date the plan was due one (the previous review, or the plan's agreement, + `interval_months` months,
    DOMAIN.md 4 and 17: a month on is the same day, or that month's last day). A first review of a plan
    without an agreement date has nothing it was due by and counts as on time."""
    frame = reviews.sort_values(["referral_id", "reviewed_on"], kind="stable")
    previous = frame.groupby("referral_id")["reviewed_on"].shift(1)
    base = previous.fillna(frame["agreed_on"])
    due = pd.to_datetime(base) + pd.DateOffset(months=interval_months)
    on_time = base.isna() | (pd.to_datetime(frame["reviewed_on"]) <= due)
    out = frame.loc[on_time.to_numpy(), ["referral_id", "reviewed_on"]].rename(
        columns={"reviewed_on": "date"}
    )
    return out.assign(kpi="AP_REVIEWS_ON_TIME")[["referral_id", "kpi", "date"]]


def credit(items: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Attach to each item the referral's assignment on its date (17.12): the latest one that began on or
    before it; before a referral's first recorded assignment (data imported once) its first one.
    assignments: referral_id, since, key_worker, site, organisation (references, "" when none).
    One sort and one binary search over (referral, day) keys: no per-referral work."""
    item_days = pd.to_datetime(items["date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    held_days = pd.to_datetime(assignments["since"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    held_ids = assignments["referral_id"].to_numpy(np.int64)
    order = np.lexsort((held_days, held_ids))
    held_ids, held_days = held_ids[order], held_days[order]
    first = np.r_[True, held_ids[1:] != held_ids[:-1]] if len(held_ids) else np.zeros(0, bool)
    held_days = np.where(first, _EARLIEST_DAY, held_days)
    item_ids = items["referral_id"].to_numpy(np.int64)
    held_key = (held_ids << 32) + (held_days - _EARLIEST_DAY)
    item_key = (item_ids << 32) + np.maximum(item_days - _EARLIEST_DAY, 0)
    at = np.searchsorted(held_key, item_key, side="right") - 1
    found = at >= 0
    found[found] = held_ids[at[found]] == item_ids[found]
    rows = order[at[found]]
    dates = pd.to_datetime(items["date"]).to_numpy()[found].astype("datetime64[s]")
    credited = pd.DataFrame(
        {
            "referral_id": item_ids[found],
            "kpi": items["kpi"].to_numpy()[found],
            "date": dates,
            "month": dates.astype("datetime64[M]").astype(np.int64),
        }
    )
    for column in ("key_worker", "site", "organisation"):
        credited[column] = assignments[column].to_numpy()[rows]
    return credited


def monthly_actuals(credited: pd.DataFrame, contract_ref: str) -> pd.DataFrame:
    """Items per level, unit (ref), KPI and month (int months since 1970-01): columns level, ref, kpi,
    month, actual. Counted on integer codes (factorized references), not strings."""
    columns = ["level", "ref", "kpi", "month", "actual"]
    kpi_codes, kpi_names = pd.factorize(credited["kpi"])
    months = credited["month"].to_numpy(np.int64)
    parts = []
    for level in LEVELS:
        if level == "CONTRACT":
            unit_codes, unit_names = np.zeros(len(credited), np.int64), np.array([contract_ref], dtype=object)
        else:
            unit_codes, unit_names = pd.factorize(credited[UNIT_COLUMN[level]].fillna("").astype(str))
            unit_names = np.asarray(unit_names, dtype=object)
        keep = unit_codes >= 0
        if (unit_names == "").any():
            keep &= unit_codes != int(np.flatnonzero(unit_names == "")[0])
        counted = (
            pd.DataFrame({"u": unit_codes[keep], "k": kpi_codes[keep], "month": months[keep]})
            .groupby(["u", "k", "month"], sort=False)
            .size()
            .rename("actual")
            .reset_index()
        )
        parts.append(
            pd.DataFrame(
                {
                    "level": level,
                    "ref": unit_names[counted["u"].to_numpy()],
                    "kpi": np.asarray(kpi_names, dtype=object)[counted["k"].to_numpy()],
                    "month": counted["month"].to_numpy(),
                    "actual": counted["actual"].to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def quarter_end_of(months: np.ndarray, year_start_month: int) -> np.ndarray:
    """The last month (int) of the contract-year quarter holding each month (DOMAIN.md 15.7)."""
    months = np.asarray(months, dtype=np.int64)
    position = (months % 12 - (year_start_month - 1)) % 12
    return months + (2 - position % 3)


def is_quarter_end(month: int, year_start_month: int) -> bool:
    return int(quarter_end_of(np.array([month]), year_start_month)[0]) == int(month)


def judge(
    actuals: pd.DataFrame,
    targets: pd.DataFrame,
    year_start_month: int,
    maximum_kpis: frozenset[str] = MAXIMUM_KPIS,
    judged_kpis: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Each unit's judged KPIs per quarter (17.14): target = the sum of the targets of the quarter's months
    that have one; actual = the sum of the same months' actuals; met when actual >= target (a maximum: <=).
    targets: level, ref, kpi, month (int), target. `judged_kpis`: the KPIs judged (the prime's active
    definitions), any other KPI's targets ignored; None: every KPI with a target.
    Returns level, ref, quarter_end, kpi, target, actual, met."""
    columns = ["level", "ref", "kpi", "month"]
    if judged_kpis is not None:
        targets = targets.loc[targets["kpi"].isin(list(judged_kpis))]
    joined = targets[[*columns, "target"]].merge(actuals[[*columns, "actual"]], on=columns, how="left")
    joined["actual"] = joined["actual"].fillna(0).astype(np.int64)
    joined["target"] = joined["target"].astype(float)
    joined["quarter_end"] = quarter_end_of(joined["month"].to_numpy(), year_start_month)
    judged = joined.groupby(["level", "ref", "quarter_end", "kpi"], as_index=False, sort=True)[
        ["target", "actual"]
    ].sum()
    maximum = judged["kpi"].isin(list(maximum_kpis)).to_numpy()
    judged["met"] = np.where(
        maximum, judged["actual"] <= judged["target"], judged["actual"] >= judged["target"]
    )
    return judged


def rate(judged: pd.DataFrame) -> pd.DataFrame:
    """The rating of each unit and judged quarter (17.15): GREEN when no judged KPI was missed; AMBER when
    missed and the previous quarter was not missed or not judged; RED when missed in this and the previous
    quarter. A quarter with nothing judged has no rating (no row). Columns level, ref, quarter_end, rag."""
    met = judged.groupby(["level", "ref", "quarter_end"], sort=True)["met"].all()
    quarters = (~met).rename("missed").reset_index()
    previous = quarters.assign(quarter_end=quarters["quarter_end"] + 3).rename(
        columns={"missed": "was_missed"}
    )
    quarters = quarters.merge(previous, on=["level", "ref", "quarter_end"], how="left")
    was_missed = quarters["was_missed"].fillna(False).astype(bool)
    quarters["rag"] = np.where(~quarters["missed"], GREEN, np.where(was_missed, RED, AMBER))
    return quarters[["level", "ref", "quarter_end", "rag"]]


def kpi_tables(judged: pd.DataFrame) -> dict[tuple[str, str, int], list[dict]]:
    """The KPI table behind each rating: (level, ref, quarter_end) -> [{kpi, target, actual, met}] by KPI."""
    tables: dict[tuple[str, str, int], list[dict]] = {}
    for level, ref, quarter_end, kpi, target, actual, met in judged[
        ["level", "ref", "quarter_end", "kpi", "target", "actual", "met"]
    ].itertuples(index=False, name=None):
        tables.setdefault((level, ref, int(quarter_end)), []).append(
            {"kpi": kpi, "target": float(target), "actual": int(actual), "met": bool(met)}
        )
    return tables


def trend(ratings: pd.DataFrame, quarter_end: int, quarters: int = 4) -> pd.DataFrame:
    """The last `quarters` ratings of each unit up to `quarter_end`, as columns q0 (oldest) .. q3 (this one);
    None where a quarter has no rating."""
    ends = [quarter_end - 3 * k for k in range(quarters - 1, -1, -1)]
    window = ratings.loc[ratings["quarter_end"].isin(ends)]
    table = window.pivot_table(index=["level", "ref"], columns="quarter_end", values="rag", aggfunc="first")
    return table.reindex(columns=ends)


def league_table(
    credited: pd.DataFrame,
    targets: pd.DataFrame,
    month: int,
    maximum_kpis: frozenset[str] = MAXIMUM_KPIS,
    judged_kpis: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Scores on the doors (DOMAIN.md 14): each key worker's month-to-date actuals at each site, with their
    STAFF targets of the month. A key worker's score is the mean, over their KPIs with a target, of the
    share of the target reached (capped at 100; a maximum scores 100 when kept to, else target / actual);
    ranked within the site by score, then by everything they achieved. `maximum_kpis` and `judged_kpis` as
    in `judge`: a KPI not judged is left out of the table. Columns site, ref, kpi, actual, target (NaN:
    none), score (NaN: no target), rank."""
    items = credited.loc[
        (credited["month"] == month) & (credited["site"] != "") & (credited["key_worker"] != "")
    ]
    if judged_kpis is not None:
        items = items.loc[items["kpi"].isin(list(judged_kpis))]
        targets = targets.loc[targets["kpi"].isin(list(judged_kpis))]
    counts = (
        items.groupby(["site", "key_worker", "kpi"], as_index=False)
        .size()
        .rename(columns={"key_worker": "ref", "size": "actual"})
    )
    staff_targets = targets.loc[
        (targets["level"] == "STAFF") & (targets["month"] == month), ["ref", "kpi", "target"]
    ]
    # Every key worker with a target at a site they have items at shows each targeted KPI, even at zero.
    people = counts[["site", "ref"]].drop_duplicates()
    wanted = people.merge(staff_targets, on="ref")[["site", "ref", "kpi"]]
    rows = pd.concat([counts[["site", "ref", "kpi"]], wanted], ignore_index=True).drop_duplicates()
    rows = rows.merge(counts, on=["site", "ref", "kpi"], how="left").merge(
        staff_targets, on=["ref", "kpi"], how="left"
    )
    rows["actual"] = rows["actual"].fillna(0).astype(np.int64)
    maximum = rows["kpi"].isin(list(maximum_kpis)).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        reached = np.where(
            maximum,
            np.where(rows["actual"] <= rows["target"], 1.0, rows["target"] / rows["actual"]),
            np.minimum(rows["actual"] / rows["target"], 1.0),
        )
    reached = np.where(rows["target"].isna(), np.nan, np.where(rows["target"] == 0, 1.0, reached))
    rows["share"] = reached
    per_person = rows.groupby(["site", "ref"], as_index=False).agg(
        score=("share", "mean"), total=("actual", "sum")
    )
    per_person["score"] = per_person["score"] * 100
    per_person = per_person.sort_values(
        ["site", "score", "total", "ref"], ascending=[True, False, False, True], na_position="last"
    )
    per_person["rank"] = per_person.groupby("site").cumcount() + 1
    return rows.drop(columns="share").merge(per_person[["site", "ref", "score", "rank"]], on=["site", "ref"])
