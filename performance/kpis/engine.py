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
EVERY_EVENT = {"JOB_START": "JOB_STARTS", "SUSTAINMENT": "SUSTAINMENTS", "EARNINGS_START": "EARNINGS_STARTS"}
EVENT_CODES = (*RESOLUTION_ORDER, "JOB_START", "JOB_OUTCOME", "SUSTAINMENT", "EARNINGS_START", "PSG_CHANGED")
# What an item counts towards (an item's kpi is a Categorical of these): the journey's KPIs, then the
# workspace's records (17.12).
ITEM_KPIS = (
    "STARTS",
    "JOB_OUTCOMES",
    *EVERY_EVENT.values(),
    "PSG_PROGRESS",
    "AP_REVIEWS_ON_TIME",
    "COMPLAINTS",
    "ELIGIBILITY_CHECKS",
    "PLACEMENTS_SOURCED",
)
MAXIMUM_KPIS = frozenset({"COMPLAINTS"})  # 17.13: every other KPI is a minimum
LEVELS = ("STAFF", "SITE", "ORGANISATION", "CONTRACT")
UNIT_COLUMN = {"STAFF": "key_worker", "SITE": "site", "ORGANISATION": "organisation"}
GREEN, AMBER, RED = "GREEN", "AMBER", "RED"
# Each event code's rank in RESOLUTION_ORDER (-1: not a resolution), by position in EVENT_CODES; the last
# entry for code -1 (any other code).
_RESOLUTION_RANK = np.array(
    [RESOLUTION_ORDER.index(code) if code in RESOLUTION_ORDER else -1 for code in EVENT_CODES] + [-1]
)
_EARLIEST_DAY = int(np.datetime64("1900-01-01", "D").astype(np.int64))


def _category_codes(column: pd.Series, categories: tuple[str, ...]) -> np.ndarray:
    """Each value's position in `categories`, -1 for any other: a Categorical of them as it is (no work)."""
    if isinstance(column.dtype, pd.CategoricalDtype) and tuple(column.cat.categories) == categories:
        return column.cat.codes.to_numpy(np.int64)
    return pd.Index(categories).get_indexer(column).astype(np.int64)


def _firsts(ids: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """Positions of each referral's first row by `keys` (the first deciding; on a tie, the earlier row)."""
    order = np.lexsort((*keys[::-1], ids))
    held = ids[order]
    return order[np.r_[True, held[1:] != held[:-1]]] if len(order) else order


def journey_items(events: pd.DataFrame) -> pd.DataFrame:
    """events (referral_id, code, event_date, detail) -> items (referral_id, kpi, date) of DOMAIN.md 17.12;
    code and detail strings, or Categoricals of EVENT_CODES and PSG_ORDER (the selector's, cheaper); kpi a
    Categorical of ITEM_KPIS. On integer codes and one sort per rule: no per-referral work."""
    ids = events["referral_id"].to_numpy(np.int64)
    when = pd.to_datetime(events["event_date"]).to_numpy().astype("datetime64[s]").astype(np.int64)
    code = _category_codes(events["code"], EVENT_CODES)
    rank = _RESOLUTION_RANK[code]
    resolutions = np.flatnonzero(rank >= 0)
    first = resolutions[_firsts(ids[resolutions], when[resolutions], rank[resolutions])]
    outcomes = np.flatnonzero(code == EVENT_CODES.index("JOB_OUTCOME"))
    moves = np.flatnonzero(code == EVENT_CODES.index("PSG_CHANGED"))
    moves = moves[np.lexsort((when[moves], ids[moves]))]
    group = _category_codes(events["detail"], PSG_ORDER)[moves]
    forward = (ids[moves][1:] == ids[moves][:-1]) & (group[1:] > group[:-1])  # a referral's first is no move
    rows = {
        "STARTS": first[code[first] == EVENT_CODES.index("STARTED")],
        "JOB_OUTCOMES": outcomes[_firsts(ids[outcomes], when[outcomes])],
        **{kpi: np.flatnonzero(code == EVENT_CODES.index(event)) for event, kpi in EVERY_EVENT.items()},
        "PSG_PROGRESS": moves[1:][forward],
    }
    kpis = np.repeat([ITEM_KPIS.index(kpi) for kpi in rows], [len(part) for part in rows.values()])
    taken = np.concatenate(list(rows.values()))
    return pd.DataFrame(
        {
            "referral_id": ids[taken],
            "kpi": pd.Categorical.from_codes(kpis, categories=ITEM_KPIS),
            "date": events["event_date"].array.take(taken),
        },
        copy=False,
    )


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
    before it (of two begun the same day, the later); before a referral's first recorded assignment (data
    imported once) its first one.
    assignments: referral_id, since, key_worker, site, organisation (references, "" when none; strings or
    Categoricals, kept as they are).
    One sort and one binary search over (referral, day) keys: no per-referral work."""
    item_days = pd.to_datetime(items["date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    since = pd.to_datetime(assignments["since"]).to_numpy()
    held_ids = assignments["referral_id"].to_numpy(np.int64)
    order = np.lexsort((since.astype("datetime64[us]").astype(np.int64), held_ids))
    held_ids, held_days = held_ids[order], since[order].astype("datetime64[D]").astype(np.int64)
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
            "kpi": items["kpi"].array.take(np.flatnonzero(found)),
            "date": dates,
            "month": dates.astype("datetime64[M]").astype(np.int64),
        },
        copy=False,
    )
    for column in ("key_worker", "site", "organisation"):
        credited[column] = assignments[column].array.take(rows)
    return credited


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column as integer codes and the values they stand for: a Categorical's own (no work), else
    factorized (missing values as "")."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(np.int64), np.asarray(column.cat.categories, dtype=object)
    codes, names = pd.factorize(column.fillna("").astype(str))
    return codes.astype(np.int64), np.asarray(names, dtype=object)


def monthly_actuals(credited: pd.DataFrame, contract_ref: str) -> pd.DataFrame:
    """Items per level, unit (ref), KPI and month (int months since 1970-01): columns level, ref, kpi,
    month, actual. Counted on one integer key per item (unit, KPI and month codes), not on strings; a unit
    "" (none) is not counted."""
    columns = ["level", "ref", "kpi", "month", "actual"]
    kpi_codes, kpi_names = _codes(credited["kpi"])
    months = credited["month"].to_numpy(np.int64)
    earliest = int(months.min()) if len(months) else 0
    span_months, span_kpis = int(months.max()) - earliest + 1 if len(months) else 1, max(len(kpi_names), 1)
    parts = []
    for level in LEVELS:
        if level == "CONTRACT":
            unit_codes, unit_names = np.zeros(len(credited), np.int64), np.array([contract_ref], dtype=object)
        else:
            unit_codes, unit_names = _codes(credited[UNIT_COLUMN[level]])
        keep = (unit_codes >= 0) & ~np.isin(unit_codes, np.flatnonzero(unit_names == ""))
        key = (unit_codes[keep] * span_kpis + kpi_codes[keep]) * span_months + (months[keep] - earliest)
        counted = pd.Series(key).value_counts(sort=False)
        key, actual = counted.index.to_numpy(np.int64), counted.to_numpy(np.int64)
        parts.append(
            pd.DataFrame(
                {
                    "level": level,
                    "ref": unit_names[key // (span_kpis * span_months)],
                    "kpi": kpi_names[key // span_months % span_kpis],
                    "month": key % span_months + earliest,
                    "actual": actual,
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
    # Only the months with a target are judged: the others' actuals are left out before the merge.
    actuals = actuals.loc[actuals["month"].isin(targets["month"].unique()), [*columns, "actual"]]
    joined = targets[[*columns, "target"]].merge(actuals, on=columns, how="left")
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
    """The KPI table behind each rating: (level, ref, quarter_end) -> [{kpi, target, actual, met}] in the
    order of `judged` (judge's: by KPI). Columns read once as Python values, not row by row."""
    tables: dict[tuple[str, str, int], list[dict]] = {}
    keys = zip(*(judged[column].tolist() for column in ("level", "ref", "quarter_end")), strict=True)
    values = zip(
        judged["kpi"].tolist(),
        judged["target"].astype(float).tolist(),
        judged["actual"].astype(np.int64).tolist(),
        judged["met"].astype(bool).tolist(),
        strict=True,
    )
    for key, (kpi, target, actual, met) in zip(keys, values, strict=True):
        tables.setdefault(key, []).append({"kpi": kpi, "target": target, "actual": actual, "met": met})
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
    ].astype({"site": str, "key_worker": str, "kpi": str})  # plain strings, also from Categoricals
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
