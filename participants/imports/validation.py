"""Validating an import bundle (DATA.md "Import bundle"; DOMAIN.md 4 and 15.17).

Pure: frames in, typed frames out, no database. `validate_bundle` checks the WHOLE bundle (as read by
`reading.read_bundle`) against what the database already holds (given as a `KnownState`) and returns typed
frames, or raises `checks.BundleRejected` listing every bad row as `file:line: field: reason`. Every check
is vectorised over the frames (the column checks are in `checks`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..journey import ALL, DEFAULT_YEAR_START_MONTH, NATIONS, RESOLUTION_CODES
from ..models import EventCode
from . import checks
from .reading import RawBundle
from .specs import EVENT_CODES, JOB_OUTCOME_DETAILS, KPI_CODES, KPI_LEVELS, PSG_VALUES, SPECS
from .uploader import Uploader, check_uploader

KPI_TARGETS = "kpi_targets.csv"
ERROR_COLUMNS = ["line", "field", "reason", "value"]  # a bad row as data (CheckedTargets.errors)


@dataclass
class KnownState:
    """What the database holds that the bundle may refer to (loaded by the service).

    programmes: code -> its groups. contracts: contract_ref, programme. organisations: org_ref,
    kind. referrals: contract_ref, referral_ref, referral_date (datetime64[s]) of the bundle's contracts.
    resolutions: contract_ref, referral_ref, code, event_date of those referrals' resolution events.
    """

    programmes: dict[str, list[str]]
    contracts: pd.DataFrame
    organisations: pd.DataFrame
    referrals: pd.DataFrame
    resolutions: pd.DataFrame

    @classmethod
    def empty(cls, programmes: dict[str, list[str]]) -> KnownState:
        return cls(
            programmes=programmes,
            contracts=pd.DataFrame({c: pd.Series(dtype=str) for c in ("contract_ref", "programme")}),
            organisations=pd.DataFrame({"org_ref": pd.Series(dtype=str), "kind": pd.Series(dtype=str)}),
            referrals=pd.DataFrame(
                {
                    "contract_ref": pd.Series(dtype=str),
                    "referral_ref": pd.Series(dtype=str),
                    "referral_date": pd.Series(dtype="datetime64[s]"),
                }
            ),
            resolutions=pd.DataFrame(
                {
                    "contract_ref": pd.Series(dtype=str),
                    "referral_ref": pd.Series(dtype=str),
                    "code": pd.Series(dtype=str),
                    "event_date": pd.Series(dtype="datetime64[s]"),
                }
            ),
        )


@dataclass
class ValidBundle:
    """Validated frames keyed by file name: `frames` as the file's (stripped) strings with their `line`,
    `typed` with dates and numbers parsed. `present` lists the optional columns each file had."""

    frames: dict[str, pd.DataFrame]
    typed: dict[str, pd.DataFrame]
    present: dict[str, tuple[str, ...]]
    checksums: dict[str, str]
    contract_refs: list[str]


def is_reference(column: str) -> bool:
    """A column naming a contract, organisation, referral, participant, site or member of staff: every
    `..._ref` (and a KPI target's `ref`) and `key_worker`, a staff reference."""
    return column.endswith("_ref") or column in ("ref", "key_worker")


def validate_bundle(raw: RawBundle, known: KnownState, uploader: Uploader | None = None) -> ValidBundle:
    """Check the whole bundle (DATA.md import rules) and, given an uploader, that it names only their
    prime's contracts and organisations (imports.uploader); return typed frames or raise BundleRejected."""
    errors = checks.Errors()
    for name, line, column, reason in raw.read_errors:
        errors.add_one(name, line, column, reason)
    frames: dict[str, pd.DataFrame] = {}
    present: dict[str, tuple[str, ...]] = {}
    for name, frame in raw.frames.items():
        checked = _check_columns(errors, name, frame)
        if checked is not None:
            present[name] = tuple(c for c in SPECS[name].optional if c in frame.columns)
            frames[name] = checked
    typed = _check_rows(errors, frames, known)
    if uploader is not None:
        check_uploader(errors, frames, uploader)
    errors.raise_if_any()
    return ValidBundle(
        frames=frames,
        typed=typed,
        present=present,
        checksums=raw.checksums,
        contract_refs=raw.contract_refs(),
    )


def _check_columns(errors: checks.Errors, name: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """A file's columns (its spec's, the optional ones added empty when absent), their lengths and the
    control characters of its references; None when a required column is missing."""
    spec = SPECS[name]
    missing = [c for c in spec.required if c not in frame.columns]
    for column in missing:
        errors.add_one(name, 1, column, "missing required column")
    if missing:
        return None
    frame = frame.copy()
    for column in spec.optional:
        if column not in frame.columns:
            frame[column] = ""
    for column, limit in spec.max_lengths.items():
        errors.add(name, frame, frame[column].str.len() > limit, column, f"longer than {limit} characters")
    for column in spec.columns:
        if is_reference(column):
            checks.control_characters(errors, name, frame, column)
    return frame[[*spec.columns, "line"]]


def _check_rows(
    errors: checks.Errors, frames: dict[str, pd.DataFrame], known: KnownState
) -> dict[str, pd.DataFrame]:
    typed: dict[str, pd.DataFrame] = {}

    # organisations.csv: kind and parent (DOMAIN.md 2: a subcontractor has a parent prime).
    org_kinds = dict(zip(known.organisations["org_ref"], known.organisations["kind"], strict=True))
    if (orgs := frames.get("organisations.csv")) is not None:
        name = "organisations.csv"
        checks.required(errors, name, orgs, ["org_ref", "name", "kind"])
        checks.choice(errors, name, orgs, "kind", ("PRIME", "SUBCONTRACTOR"), "organisation kind")
        checks.duplicates(errors, name, orgs, ["org_ref"])
        org_kinds.update(zip(orgs["org_ref"], orgs["kind"], strict=True))
        has_parent = orgs["parent_ref"] != ""
        errors.add(
            name,
            orgs,
            has_parent & ~orgs["parent_ref"].isin(list(org_kinds)),
            "parent_ref",
            "unknown organisation",
            show_value=True,
        )
        errors.add(
            name,
            orgs,
            has_parent & (orgs["parent_ref"] == orgs["org_ref"]),
            "parent_ref",
            "an organisation cannot be its own parent",
        )
        errors.add(
            name,
            orgs,
            ~has_parent & (orgs["kind"] == "SUBCONTRACTOR"),
            "parent_ref",
            "required for a subcontractor",
        )
        typed[name] = orgs

    # contracts.csv: programme, nation, dates, contract year start month (DOMAIN.md 2, 15.7).
    programmes = dict(zip(known.contracts["contract_ref"], known.contracts["programme"], strict=True))
    if (contracts := frames.get("contracts.csv")) is not None:
        name = "contracts.csv"
        checks.required(errors, name, contracts, ["contract_ref", "programme", "name", "prime_ref", "cpa"])
        checks.choice(errors, name, contracts, "programme", known.programmes, "programme")
        checks.choice(errors, name, contracts, "nation", NATIONS, "nation")
        errors.add(name, contracts, contracts["nation"] == "", "nation", "required value missing")
        start = checks.dates(errors, name, contracts, "start_date")
        end = checks.dates(errors, name, contracts, "end_date")
        errors.add(name, contracts, end < start, "end_date", "before start_date")
        month = checks.numbers(
            errors, name, contracts, "year_start_month", low=1, high=12, integer=True, required=False
        )
        checks.duplicates(errors, name, contracts, ["contract_ref"])
        held = contracts["contract_ref"].map(programmes)
        errors.add(
            name,
            contracts,
            held.notna() & (held != contracts["programme"]),
            "programme",
            "differs from the existing contract's programme "
            + held.astype(object).where(held.notna(), "").astype(str),
        )
        prime_kind = contracts["prime_ref"].map(org_kinds)
        errors.add(
            name,
            contracts,
            prime_kind == "SUBCONTRACTOR",
            "prime_ref",
            "names a subcontractor, not a prime",
            show_value=True,
        )
        errors.add(
            name,
            contracts,
            prime_kind.isna() & (contracts["prime_name"] == ""),
            "prime_name",
            "required for a prime not held yet",
        )
        org_kinds.update((ref, "PRIME") for ref in contracts["prime_ref"] if ref not in org_kinds)
        programmes.update(zip(contracts["contract_ref"], contracts["programme"], strict=True))
        typed[name] = contracts.assign(
            start_date=start,
            end_date=end,
            year_start_month=month.fillna(DEFAULT_YEAR_START_MONTH).astype("int64"),
        )

    check_contract_and_group = _contract_check(errors, programmes, known.programmes)

    # referrals.csv (DATA.md): contract, group, dates, delivery organisation.
    referrals = frames.get("referrals.csv")
    if referrals is not None:
        name = "referrals.csv"
        check_contract_and_group(name, referrals)
        checks.required(errors, name, referrals, ["referral_ref", "participant_ref"])
        referral_date = checks.dates(errors, name, referrals, "referral_date")
        birth = checks.dates(errors, name, referrals, "date_of_birth", required=False, calendar=False)
        with_org = referrals["delivery_org_ref"] != ""
        errors.add(
            name,
            referrals,
            with_org & ~referrals["delivery_org_ref"].isin(list(org_kinds)),
            "delivery_org_ref",
            "unknown organisation",
            show_value=True,
        )
        checks.duplicates(errors, name, referrals, ["contract_ref", "referral_ref"])
        frames[name] = referrals = referrals.assign(nino=checks.person(errors, name, referrals))
        typed[name] = referrals.assign(referral_date=referral_date, date_of_birth=birth)

    # events.csv (DOMAIN.md 4, 15.17): referral known, code, date not before the referral's, one resolution.
    if (events := frames.get("events.csv")) is not None:
        typed["events.csv"] = _check_events(
            errors, events, typed.get("referrals.csv"), known, check_contract_and_group
        )

    if (profiles := frames.get("mpl_profiles.csv")) is not None:
        name = "mpl_profiles.csv"
        check_contract_and_group(name, profiles)
        month = checks.numbers(errors, name, profiles, "month", low=1, high=600, integer=True)
        pct = checks.numbers(errors, name, profiles, "cumulative_pct", low=0, high=100)
        checks.duplicates(errors, name, profiles, ["contract_ref", "group", "month"], valid=month.notna())
        typed[name] = profiles.assign(month=month, cumulative_pct=pct)

    if (rounds := frames.get("validation_rounds.csv")) is not None:
        name = "validation_rounds.csv"
        check_contract_and_group(name, rounds)
        number = checks.numbers(errors, name, rounds, "round", low=1, high=1_000_000, integer=True)
        start = checks.dates(errors, name, rounds, "period_start")
        end = checks.dates(errors, name, rounds, "period_end")
        errors.add(name, rounds, end < start, "period_end", "before period_start")
        pct = checks.numbers(errors, name, rounds, "invalid_pct", low=0, high=100)
        checks.choice(errors, name, rounds, "status", ("PROVISIONAL", "FINAL"), "status")
        checks.required(errors, name, rounds, ["status"])
        checks.duplicates(errors, name, rounds, ["contract_ref", "round"], valid=number.notna())
        typed[name] = rounds.assign(round=number, period_start=start, period_end=end, invalid_pct=pct)

    if (targets := frames.get("mpl_targets.csv")) is not None:
        name = "mpl_targets.csv"
        # DOMAIN.md 15.10/15.15: ALL is every group; a notified target may be given for it.
        check_contract_and_group(name, targets, extra_groups=(ALL,))
        start = checks.dates(errors, name, targets, "period_start")
        end = checks.dates(errors, name, targets, "period_end")
        errors.add(name, targets, end < start, "period_end", "before period_start")
        required = checks.numbers(errors, name, targets, "required_outcomes", low=0, high=9_999_999_999)
        checks.duplicates(
            errors,
            name,
            targets,
            ["contract_ref", "group", "period_start", "period_end"],
            valid=start.notna() & end.notna(),
        )
        typed[name] = targets.assign(period_start=start, period_end=end, required_outcomes=required)

    if (kpi_targets := frames.get(KPI_TARGETS)) is not None:
        typed[KPI_TARGETS] = _check_kpi_targets(errors, kpi_targets, check_contract_and_group)
    return typed


def _contract_check(errors: checks.Errors, programmes: dict[str, str], groups_of: dict[str, list[str]]):
    """The check of a row's contract (one of `programmes`, contract_ref -> programme code) and, in a file
    with a `group` column, of its group (one of that programme's, `groups_of`). The check returns which
    rows name a known contract."""
    groups = pd.DataFrame(
        [(ref, group) for ref, code in programmes.items() for group in groups_of.get(code, [])],
        columns=["contract_ref", "group"],
    )
    valid_groups = pd.Index(checks.join_keys(groups, ["contract_ref", "group"]) if len(groups) else [])
    contract_programmes = pd.Series(programmes, dtype=object)

    def check_contract_and_group(
        name: str, frame: pd.DataFrame, extra_groups: tuple[str, ...] = ()
    ) -> pd.Series:
        known_contract = frame["contract_ref"].isin(list(programmes))
        errors.add(
            name,
            frame,
            ~known_contract & (frame["contract_ref"] != ""),
            "contract_ref",
            "unknown contract",
            show_value=True,
        )
        checks.required(errors, name, frame, ["contract_ref"])
        if "group" in frame:
            checks.required(errors, name, frame, ["group"])
            in_programme = valid_groups.get_indexer(checks.join_keys(frame, ["contract_ref", "group"])) >= 0
            allowed = in_programme | frame["group"].isin(list(extra_groups))
            errors.add(
                name,
                frame,
                known_contract & ~allowed & (frame["group"] != ""),
                "group",
                lambda rows: "not a group of programme " + rows["contract_ref"].map(contract_programmes),
            )
        return known_contract

    return check_contract_and_group


@dataclass
class CheckedTargets:
    """kpi_targets.csv rows checked on their own: `typed` (month as datetime64, target as float; None when
    a required column is missing) and every bad row as data (`errors`: line, field, reason, value, by
    line), for a page to name its own rows or cells rather than print `file:line` messages."""

    typed: pd.DataFrame | None
    errors: pd.DataFrame


def check_kpi_targets(frame: pd.DataFrame, *, contract_refs: list[str]) -> CheckedTargets:
    """The bundle's checks of kpi_targets.csv (its columns, then `_check_kpi_targets`) on a frame of that
    file's string columns and a `line` each, the contracts held being `contract_refs`: the KPI targets
    page's grid and spreadsheet upload (performance.kpis.targets) are checked by the bundle's one rule."""
    errors = checks.Errors()
    typed = None
    checked = _check_columns(errors, KPI_TARGETS, frame)
    if checked is not None:
        check = _contract_check(errors, dict.fromkeys(contract_refs, ""), {})
        typed = _check_kpi_targets(errors, checked, check)
    table = (
        pd.concat(errors.parts, ignore_index=True).sort_values("line", kind="stable")
        if errors.parts
        else pd.DataFrame(columns=ERROR_COLUMNS)
    )
    return CheckedTargets(typed=typed, errors=table[ERROR_COLUMNS].reset_index(drop=True))


def _check_kpi_targets(
    errors: checks.Errors, targets: pd.DataFrame, check_contract_and_group
) -> pd.DataFrame:
    """kpi_targets.csv (DATA.md; DOMAIN.md 17.13): level and KPI known, a month, a target >= 0, a unit
    reference for every level but CONTRACT (whose `ref` is empty). Targets may name staff, sites and
    organisations not held yet: they are kept for when those arrive (docs/decisions.md)."""
    name = KPI_TARGETS
    check_contract_and_group(name, targets)
    checks.required(errors, name, targets, ["level", "kpi", "month"])
    checks.choice(errors, name, targets, "level", KPI_LEVELS, "level")
    checks.choice(errors, name, targets, "kpi", KPI_CODES, "KPI")
    contract_level = targets["level"] == "CONTRACT"
    errors.add(
        name,
        targets,
        ~contract_level & targets["level"].isin(list(KPI_LEVELS)) & (targets["ref"] == ""),
        "ref",
        "required for a STAFF, SITE or ORGANISATION target",
    )
    errors.add(
        name, targets, contract_level & (targets["ref"] != ""), "ref", "must be empty for a CONTRACT target"
    )
    given = targets["month"] != ""
    month = pd.to_datetime(
        targets["month"].where(targets["month"].str.fullmatch(r"\d{4}-\d{2}"), ""),
        format="%Y-%m",
        errors="coerce",
    )
    errors.add(
        name, targets, given & month.isna(), "month", "not a month (expected YYYY-MM)", show_value=True
    )
    target = checks.numbers(errors, name, targets, "target", low=0, high=9_999_999_999)
    checks.duplicates(
        errors, name, targets, ["contract_ref", "level", "ref", "kpi", "month"], field_name="month"
    )
    return targets.assign(month=month, target=target)


def _positions(table: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """The row of `table` holding each frame row's (contract_ref, referral_ref), -1 when none: one hash
    lookup of referral refs per contract (contracts are few), no string joins over a million rows."""
    result = np.full(len(frame), -1, dtype=np.int64)
    codes, contracts = pd.factorize(frame["contract_ref"])
    held_contracts = table["contract_ref"].to_numpy()
    for number, contract in enumerate(contracts):
        rows = np.flatnonzero(held_contracts == contract)
        if not len(rows):
            continue
        in_frame = codes == number
        found = pd.Index(table["referral_ref"].to_numpy()[rows]).get_indexer(
            frame["referral_ref"].to_numpy()[in_frame]
        )
        result[in_frame] = np.where(found >= 0, rows[np.maximum(found, 0)], -1)
    return result


def _check_events(
    errors: checks.Errors,
    events: pd.DataFrame,
    referrals: pd.DataFrame | None,
    known: KnownState,
    check_contract_and_group,
) -> pd.DataFrame:
    name = "events.csv"
    known_contract = check_contract_and_group(name, events)
    checks.required(errors, name, events, ["referral_ref", "event"])
    event_date = checks.dates(errors, name, events, "event_date")
    errors.add(
        name,
        events,
        events["event"] == EventCode.REFERRED,
        "event",
        "REFERRED is not an event row (the referral row is the referral)",
    )
    checks.choice(errors, name, events, "event", EVENT_CODES | {EventCode.REFERRED}, "event code")
    amount = checks.numbers(
        errors, name, events, "amount", low=-9_999_999_999, high=9_999_999_999, required=False
    )
    psg = events["event"] == EventCode.PSG_CHANGED
    errors.add(
        name,
        events,
        psg & ~events["detail"].isin(list(PSG_VALUES)),
        "detail",
        f"a PSG_CHANGED detail is the new group (one of {', '.join(sorted(PSG_VALUES))})",
        show_value=True,
    )
    outcome = events["event"] == EventCode.JOB_OUTCOME
    errors.add(
        name,
        events,
        outcome & ~events["detail"].isin(list(JOB_OUTCOME_DETAILS)),
        "detail",
        "a JOB_OUTCOME detail is empty or self_employed",
        show_value=True,
    )

    # The referrals an event may name: the file's (which win) and the database's for these contracts.
    table = known.referrals[["contract_ref", "referral_ref", "referral_date"]]
    if referrals is not None:
        table = pd.concat(
            [referrals[["contract_ref", "referral_ref", "referral_date"]], table], ignore_index=True
        )
    table = table.drop_duplicates(["contract_ref", "referral_ref"], keep="first").reset_index(drop=True)
    position = _positions(table, events)
    found = position >= 0
    errors.add(
        name,
        events,
        known_contract & ~found & (events["referral_ref"] != ""),
        "referral_ref",
        "unknown referral",
        show_value=True,
    )
    # A trailing NaT keeps the lookup vectorised when no referral is known at all (position -1 picks it).
    held_dates = np.append(table["referral_date"].to_numpy(dtype="datetime64[s]"), np.datetime64("NaT", "s"))
    referral_date = pd.Series(
        held_dates[position],
        index=events.index,
        dtype="datetime64[s]",
    )
    errors.add(
        name,
        events,
        event_date < referral_date,
        "event_date",
        lambda rows: "before the referral date " + referral_date[rows.index].dt.strftime("%Y-%m-%d"),
    )

    # Duplicate keys (DOMAIN.md 15.17), on compact integer keys: a million rows in well under a second.
    code_ids = pd.Series(pd.factorize(events["event"])[0], index=events.index)
    keyed = pd.DataFrame(
        {
            "ref": position,
            "code": code_ids,
            "date": event_date.to_numpy(dtype="int64"),
            "line": events["line"].to_numpy(),
        },
        index=events.index,
    )
    usable = found & event_date.notna().to_numpy()
    duplicate = checks.duplicates(
        errors, name, keyed, ["ref", "code", "date"], valid=usable, field_name="event_date"
    )
    _second_resolutions(errors, events, keyed, usable & ~duplicate, table, known)
    return events.assign(event_date=event_date, amount=amount)


def _second_resolutions(
    errors: checks.Errors,
    events: pd.DataFrame,
    keyed: pd.DataFrame,
    usable: np.ndarray,
    table: pd.DataFrame,
    known: KnownState,
) -> None:
    """DOMAIN.md 4: at most one of STARTED / DID_NOT_START / FAILED_TO_ATTEND per referral, counting the
    database's (a held event with the same key is the same event re-imported, not a second one)."""
    name = "events.csv"
    in_file = usable & events["event"].isin(RESOLUTION_CODES).to_numpy()
    rows = pd.DataFrame(
        {
            "ref": keyed["ref"].to_numpy()[in_file],
            "code": events["event"].to_numpy()[in_file],
            "date": keyed["date"].to_numpy()[in_file],
            "line": keyed["line"].to_numpy()[in_file],
        }
    )
    held = known.resolutions
    if len(held):
        held = pd.DataFrame(
            {
                "ref": _positions(table, held),
                "code": held["code"].astype(str).to_numpy(),
                "date": held["event_date"].to_numpy(dtype="datetime64[s]").astype("int64"),
                "line": 0,
            }
        )
        held = held.loc[held["ref"] >= 0]
        same_key = pd.MultiIndex.from_frame(held[["ref", "code", "date"]]).isin(
            pd.MultiIndex.from_frame(rows[["ref", "code", "date"]])
        )
        rows = pd.concat([held.loc[~same_key], rows], ignore_index=True)
    if rows.empty:
        return
    rows = rows.sort_values(["ref", "line"], kind="stable")
    rank = rows.groupby("ref").cumcount()
    first = rows.loc[rank == 0].set_index("ref")
    second = rows.loc[(rank > 0).to_numpy()]
    if second.empty:
        return
    lines = events["line"].isin(second["line"])
    first_for_line = pd.Series(second["ref"].map(first["code"]).to_numpy(), index=second["line"].to_numpy())
    first_date = pd.Series(second["ref"].map(first["date"]).to_numpy(), index=second["line"].to_numpy())
    held_code = events.loc[lines, "line"].map(first_for_line)
    held_date = pd.to_datetime(events.loc[lines, "line"].map(first_date).astype("int64"), unit="s")
    reason = (
        "a second resolution event (the referral already has "
        + held_code.astype(str)
        + " on "
        + held_date.dt.strftime("%Y-%m-%d")
        + ")"
    )
    errors.add(name, events, lines, "event", reason.reindex(events.index))
