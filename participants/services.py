"""Write paths of the participants app: importing a bundle (DATA.md "Import bundle"; DOMAIN.md 4, 15.17).

`import_bundle` reads and validates the whole bundle (participants.bundle), then writes it in one
transaction: on PostgreSQL by COPY into temporary staging tables and set-based
INSERT ... ON CONFLICT DO UPDATE ... WHERE (changed), elsewhere (SQLite, `make run`) by the ORM's bulk
methods. Either way the run is recorded in ImportRun, also when it fails, and the affected contracts are
recomputed after commit (participants.tasks.enqueue_recompute).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .bundle import SPECS, BundleRejected, KnownState, ValidBundle, read_bundle, validate_bundle
from .errors import FlightpathError
from .models import (
    RESOLUTION_CODES,
    Contract,
    ImportRun,
    JourneyEvent,
    MplProfile,
    MplTarget,
    Organisation,
    Participant,
    Programme,
    Referral,
    ReferralAssignment,
    Role,
    Site,
    Staff,
    ValidationRound,
)
from .tasks import enqueue_recompute

logger = logging.getLogger(__name__)

# Serialises imports: validation reads what is held (resolution events, referral dates) and must still be
# true when the write commits.
IMPORT_LOCK_KEY = 7_311_001
ALL_MONTHS = None  # recompute everything: a first import, or a change that is not dated (profiles, targets)
EMPTY = "''"  # SQL literal of the empty string: text columns hold "" rather than NULL
BULK_ROWS = 100_000  # referral + event rows from which a first load checks foreign keys once, not per row


@dataclass
class ImportResult:
    run: ImportRun
    counts: dict[str, dict[str, int]]
    months: dict[int, list[str] | None] = field(default_factory=dict)


class _Changes:
    """Per file: rows added / updated; per contract: the months touched (None: everything)."""

    def __init__(self, valid: ValidBundle):
        self.totals = {name: len(valid.frames[name]) for name in SPECS if name in valid.frames}
        self.added: dict[str, int] = defaultdict(int)
        self.updated: dict[str, int] = defaultdict(int)
        self.months: dict[int, set[str] | None] = {}

    def record(self, name: str, rows) -> None:
        """rows: (contract_id, month or None, added, updated) as returned by the upserts."""
        for contract_id, month, added, updated in rows:
            self.added[name] += added
            self.updated[name] += updated
            if contract_id is None:
                continue
            if month is None:
                self.months[contract_id] = ALL_MONTHS
            elif (held := self.months.setdefault(contract_id, set())) is not None:
                held.add(month)

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            name: {
                "added": self.added[name],
                "updated": self.updated[name],
                "unchanged": total - self.added[name] - self.updated[name],
            }
            for name, total in self.totals.items()
        }


def import_bundle(*, path: str | Path, user=None, source: str | None = None) -> ImportResult:
    """Import a bundle folder or .zip all-or-nothing. Raises BundleRejected (every bad row) or
    FlightpathError; the ImportRun is recorded either way, outside the rolled-back write."""
    run = ImportRun.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None, source=(source or str(path))[:500]
    )
    try:
        raw = read_bundle(path, max_bytes=settings.FLIGHTPATH_IMPORT_MAX_BYTES)
        run.checksums = raw.checksums
        run.contract_refs = raw.contract_refs()
        counts, months = _validate_and_write(raw=raw, user=run.user)
    except BundleRejected as exc:
        _finish(run, ImportRun.Status.FAILED, errors=exc.errors, error_count=exc.error_count)
        raise
    except Exception as exc:
        message = exc.message if isinstance(exc, FlightpathError) else f"{type(exc).__name__}: {exc}"
        _finish(run, ImportRun.Status.FAILED, errors=[message], error_count=1)
        raise
    _finish(run, ImportRun.Status.SUCCEEDED, counts=counts)
    logger.info("import %s of %s succeeded: %s", run.pk, run.source, counts)
    return ImportResult(run=run, counts=counts, months=months)


def _finish(
    run: ImportRun,
    status: str,
    *,
    errors: list[str] | None = None,
    error_count: int = 0,
    counts: dict | None = None,
) -> None:
    run.status, run.finished_at = status, timezone.now()
    run.errors, run.error_count, run.counts = errors or [], error_count, counts or {}
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "errors",
            "error_count",
            "counts",
            "checksums",
            "contract_refs",
        ]
    )


@transaction.atomic
def _validate_and_write(*, raw, user) -> tuple[dict, dict[int, list[str] | None]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
    known = known_state(raw.contract_refs())
    valid = validate_bundle(raw, known)
    changes = _Changes(valid)
    if _use_copy():
        _write_postgresql(valid, changes, user, bulk=_is_bulk_load(valid, known))
    else:
        _write_orm(valid, changes, user)
    held_before = set(known.referrals["contract_ref"].unique())
    first_import = set(
        Contract.objects.filter(ref__in=valid.contract_refs)
        .exclude(ref__in=held_before)
        .values_list("pk", flat=True)
    )
    months = {
        contract_id: (ALL_MONTHS if touched is ALL_MONTHS or contract_id in first_import else sorted(touched))
        for contract_id, touched in changes.months.items()
    }
    transaction.on_commit(lambda: enqueue_recompute(months))
    return changes.counts(), months


def _use_copy() -> bool:
    """COPY and set-based upserts on PostgreSQL; the ORM's bulk methods elsewhere (SQLite for `make run`)."""
    return connection.vendor == "postgresql"


def known_state(contract_refs: list[str]) -> KnownState:
    """What the bundle may refer to: programmes, contracts, organisations, and the referrals and resolution
    events already held for the bundle's contracts."""
    state = KnownState.empty(dict(Programme.objects.values_list("code", "groups")))
    contracts = list(Contract.objects.filter(ref__in=contract_refs).values_list("ref", "programme__code"))
    if contracts:
        state.contracts = pd.DataFrame(contracts, columns=["contract_ref", "programme"], dtype=str)
    organisations = list(Organisation.objects.values_list("ref", "kind"))
    if organisations:
        state.organisations = pd.DataFrame(organisations, columns=["org_ref", "kind"], dtype=str)
    referrals = list(
        Referral.objects.filter(contract__ref__in=contract_refs).values_list(
            "contract__ref", "ref", "referral_date"
        )
    )
    if referrals:
        frame = pd.DataFrame(referrals, columns=["contract_ref", "referral_ref", "referral_date"])
        state.referrals = frame.astype({"referral_date": "datetime64[s]"})
    resolutions = list(
        JourneyEvent.objects.filter(contract__ref__in=contract_refs, code__in=RESOLUTION_CODES).values_list(
            "contract__ref", "referral__ref", "code", "event_date"
        )
    )
    if resolutions:
        frame = pd.DataFrame(resolutions, columns=["contract_ref", "referral_ref", "code", "event_date"])
        state.resolutions = frame.astype({"event_date": "datetime64[s]"})
    return state


# --------------------------------------------------------------------------------- PostgreSQL: COPY + upsert


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _q(names, alias: str = "") -> str:
    """Quoted column names ("group" is a keyword), optionally qualified by a table alias."""
    return ", ".join(f'{alias}"{name}"' for name in names)


# Staging table columns per file: name -> SQL type (the typed frame's columns, as written by COPY).
STAGE_TYPES = {
    "contracts.csv": {
        "line": "integer",
        "contract_ref": "text",
        "programme": "text",
        "name": "text",
        "prime_ref": "text",
        "prime_name": "text",
        "cpa": "text",
        "nation": "text",
        "start_date": "date",
        "end_date": "date",
        "year_start_month": "integer",
    },
    "organisations.csv": {
        "line": "integer",
        "org_ref": "text",
        "name": "text",
        "kind": "text",
        "parent_ref": "text",
    },
    "referrals.csv": {
        "line": "integer",
        "contract_ref": "text",
        "referral_ref": "text",
        "participant_ref": "text",
        "referral_date": "date",
        "group": "text",
        "delivery_org_ref": "text",
        "site_ref": "text",
        "key_worker": "text",
        "date_of_birth": "date",
        "gender": "text",
        "disability": "text",
        "ethnicity": "text",
        "postcode_district": "text",
        "dda": "text",
    },
    "events.csv": {
        "contract_ref": "text",
        "referral_ref": "text",
        "event": "text",
        "event_date": "date",
        "amount": "numeric(12,2)",
        "detail": "text",
    },
    "mpl_profiles.csv": {
        "contract_ref": "text",
        "group": "text",
        "month": "integer",
        "cumulative_pct": "numeric(6,2)",
    },
    "validation_rounds.csv": {
        "contract_ref": "text",
        "round": "integer",
        "period_start": "date",
        "period_end": "date",
        "invalid_pct": "numeric(6,2)",
        "status": "text",
    },
    "mpl_targets.csv": {
        "contract_ref": "text",
        "group": "text",
        "period_start": "date",
        "period_end": "date",
        "required_outcomes": "numeric(12,2)",
    },
}


def _stage(cursor, name: str, frame: pd.DataFrame) -> str:
    """COPY a validated frame into a temporary table (dropped at commit) and return the table's name."""
    table = "stage_" + name.removesuffix(".csv")
    types = STAGE_TYPES[name]
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    columns = ", ".join(f'"{column}" {kind}' for column, kind in types.items())
    cursor.execute(f"CREATE TEMP TABLE {table} ({columns}) ON COMMIT DROP")
    with cursor.cursor.copy(f"COPY {table} ({_q(types)}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(_csv_text(frame[list(types)]))
    cursor.execute(f"ANALYZE {table}")
    return table


def _csv_text(frame: pd.DataFrame) -> str:
    """The frame's validated strings as COPY CSV, empty meaning NULL. Built column-wise (DataFrame.to_csv
    is five times slower on a million rows); only values with a delimiter, quote, newline or backslash are
    quoted."""
    columns = []
    for name in frame.columns:
        values = frame[name].astype(str)
        codes, uniques = pd.factorize(values, sort=False)
        special = (
            pd.Series(uniques, dtype=object).str.contains(r'[",\n\r\\]', regex=True).to_numpy(dtype=bool)
        )
        if special.any():
            quoted = pd.Series(uniques, dtype=object)
            quoted[special] = '"' + quoted[special].str.replace('"', '""') + '"'
            values = pd.Series(quoted.to_numpy()[codes], index=values.index)
        columns.append(values.to_numpy(dtype=object))
    return "".join(",".join(row) + "\n" for row in zip(*columns, strict=True))


def _upsert(
    cursor,
    *,
    table: str,
    incoming: str,
    key: list[str],
    columns: list[str],
    compare: list[str],
    extra: dict[str, str] | None = None,
    contract: str = "contract_id",
    month: str = "NULL",
) -> list[tuple]:
    """Insert new keys and update rows whose `compare` columns differ; unchanged rows are not touched.
    Returns (contract_id, month, added, updated) groups for _Changes.record."""
    extra = extra or {}
    on = " AND ".join(f'h."{k}" = i."{k}"' for k in key)
    differs = f"OR ({_q(compare, 'h.')}) IS DISTINCT FROM ({_q(compare, 'i.')})" if compare else ""
    updates = ", ".join(f'"{column}" = EXCLUDED."{column}"' for column in compare)
    action = f"DO UPDATE SET {updates}" if compare else "DO NOTHING"
    sql = f"""
        WITH incoming AS ({incoming}),
        changed AS (
            SELECT i.* FROM incoming i LEFT JOIN {table} h ON {on} WHERE h.id IS NULL {differs}
        ),
        written AS (
            INSERT INTO {table} ({_q([*columns, *extra])})
            SELECT {_q(columns)}{"".join(", " + v for v in extra.values())} FROM changed
            ON CONFLICT ({_q(key)}) {action}
            RETURNING (xmax = 0) AS added, {contract} AS contract_id, {month} AS month
        )
        SELECT contract_id, month, count(*) FILTER (WHERE added), count(*) FILTER (WHERE NOT added)
        FROM written GROUP BY contract_id, month
    """
    cursor.execute(sql)
    return cursor.fetchall()


@contextmanager
def _bulk_load_mode(cursor, models: list, enabled: bool):
    """PostgreSQL's advice for populating a database: for a large load, drop the tables' foreign keys and
    secondary indexes and add them back afterwards. Each foreign key is then checked in one join instead of
    a trigger per row (3 million trigger calls for a million events), and each index is built once instead
    of updated per row. Unique indexes stay (ON CONFLICT needs them). Inside the import's transaction, so a
    failure restores everything; the tables are locked against readers until commit."""
    if not enabled:
        yield
        return
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events may block ALTER TABLE
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    dropped_keys, dropped_indexes = [], []
    for model in models:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [model._meta.db_table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {_t(model)} DROP CONSTRAINT "{name}"')
            dropped_keys.append((model, name, definition))
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary ORDER BY c.relname",
            [model._meta.db_table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            dropped_indexes.append(definition)
    yield
    for definition in dropped_indexes:
        cursor.execute(definition)
    for model, name, definition in dropped_keys:
        cursor.execute(f'ALTER TABLE {_t(model)} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _is_bulk_load(valid: ValidBundle, known: KnownState) -> bool:
    """A large load of mostly new referrals (a contract's first extract, the benchmark). A re-import of held
    referrals is not one: re-checking every foreign key would cost more than the few triggers it fires."""
    staged = sum(len(valid.frames.get(name, ())) for name in ("referrals.csv", "events.csv"))
    new_referrals = len(valid.frames.get("referrals.csv", ())) - len(known.referrals)
    return staged >= BULK_ROWS and new_referrals * 2 > len(valid.frames.get("referrals.csv", ()))


def _write_postgresql(valid: ValidBundle, changes: _Changes, user, *, bulk: bool) -> None:
    frames, present = valid.frames, valid.present
    org, contract, referral, event = _t(Organisation), _t(Contract), _t(Referral), _t(JourneyEvent)
    with (
        connection.cursor() as cursor,
        _bulk_load_mode(cursor, [Participant, Referral, ReferralAssignment, JourneyEvent], bulk),
    ):
        cursor.execute("SET LOCAL work_mem = '256MB'")
        if "organisations.csv" in frames:
            stage = _stage(cursor, "organisations.csv", frames["organisations.csv"])
            changes.record(
                "organisations.csv",
                _upsert(
                    cursor,
                    table=org,
                    key=["ref"],
                    columns=["ref", "name", "kind", "parent_id"],
                    compare=["name", "kind", "parent_id"],
                    contract="NULL::bigint",
                    incoming=f"SELECT s.org_ref AS ref, s.name, s.kind, p.id AS parent_id FROM {stage} s "
                    f"LEFT JOIN {org} p ON p.ref = s.parent_ref",
                ),
            )
            # A parent new in this file did not exist when its children were written.
            cursor.execute(
                f"UPDATE {org} o SET parent_id = p.id FROM {stage} s JOIN {org} p ON p.ref = s.parent_ref "
                "WHERE o.ref = s.org_ref AND o.parent_id IS DISTINCT FROM p.id"
            )
        if "contracts.csv" in frames:
            stage = _stage(cursor, "contracts.csv", frames["contracts.csv"])
            cursor.execute(
                f"INSERT INTO {org} (ref, name, kind) SELECT DISTINCT ON (prime_ref) prime_ref, prime_name, "
                f"'PRIME' FROM {stage} ORDER BY prime_ref, line ON CONFLICT (ref) DO NOTHING"
            )
            changes.record(
                "contracts.csv",
                _upsert(
                    cursor,
                    table=contract,
                    key=["ref"],
                    columns=[
                        "ref",
                        "programme_id",
                        "name",
                        "prime_id",
                        "cpa",
                        "nation",
                        "start_date",
                        "end_date",
                        "year_start_month",
                    ],
                    compare=[
                        "name",
                        "prime_id",
                        "cpa",
                        "nation",
                        "start_date",
                        "end_date",
                        "year_start_month",
                    ],
                    extra={"regime": "'PMR'", "devolution_deal_areas": "'[]'::jsonb"},
                    contract="id",
                    incoming=f"SELECT s.contract_ref AS ref, p.id AS programme_id, s.name, o.id AS prime_id, "
                    "s.cpa, s.nation, s.start_date, s.end_date, "
                    f"COALESCE(s.year_start_month, 4) AS year_start_month FROM {stage} s "
                    f"JOIN {_t(Programme)} p ON p.code = s.programme JOIN {org} o ON o.ref = s.prime_ref",
                ),
            )
        if "referrals.csv" in frames:
            _write_referrals_postgresql(
                cursor, frames["referrals.csv"], present["referrals.csv"], changes, user
            )
        if "events.csv" in frames:
            stage = _stage(cursor, "events.csv", frames["events.csv"])
            compare = [c for c in ("amount", "detail") if c in present["events.csv"]]
            changes.record(
                "events.csv",
                _upsert(
                    cursor,
                    table=event,
                    key=["referral_id", "code", "event_date"],
                    columns=["contract_id", "referral_id", "code", "event_date", "amount", "detail"],
                    compare=compare,
                    extra={"source": f"'{JourneyEvent.Source.IMPORT}'"},
                    month="to_char(event_date, 'YYYY-MM')",
                    incoming="SELECT r.contract_id, r.id AS referral_id, s.event AS code, s.event_date, "
                    f"s.amount, COALESCE(s.detail, '') AS detail FROM {stage} s "
                    f"JOIN {contract} c ON c.ref = s.contract_ref "
                    f"JOIN {referral} r ON r.contract_id = c.id AND r.ref = s.referral_ref",
                ),
            )
        for name, model, key, values in (
            ("mpl_profiles.csv", MplProfile, ["group", "month"], ["cumulative_pct"]),
            (
                "validation_rounds.csv",
                ValidationRound,
                ["round"],
                ["period_start", "period_end", "invalid_pct", "status"],
            ),
            ("mpl_targets.csv", MplTarget, ["group", "period_start", "period_end"], ["required_outcomes"]),
        ):
            if name not in frames:
                continue
            stage = _stage(cursor, name, frames[name])
            changes.record(
                name,
                _upsert(
                    cursor,
                    table=_t(model),
                    key=["contract_id", *key],
                    columns=["contract_id", *key, *values],
                    compare=values,
                    incoming=f"SELECT c.id AS contract_id, {_q(key + values, 's.')} "
                    f"FROM {stage} s JOIN {contract} c ON c.ref = s.contract_ref",
                ),
            )


def _write_referrals_postgresql(
    cursor, frame: pd.DataFrame, present: tuple[str, ...], changes: _Changes, user
) -> None:
    """Referrals with their participants, sites, key workers, delivery organisations, DDAs and assignment
    history (DATA.md referrals.csv), set-based from one staging table."""
    org, contract, site, staff = _t(Organisation), _t(Contract), _t(Site), _t(Staff)
    participant, referral, assignment = _t(Participant), _t(Referral), _t(ReferralAssignment)
    stage = _stage(cursor, "referrals.csv", frame)
    delivery = "COALESCE(o.id, c.prime_id)"
    joins = (
        f"FROM {stage} s JOIN {contract} c ON c.ref = s.contract_ref "
        f"LEFT JOIN {org} o ON o.ref = s.delivery_org_ref"
    )
    # Unknown sites and key workers are created, belonging to the delivery organisation (Staff: no user).
    cursor.execute(
        f"INSERT INTO {site} (ref, name, organisation_id) SELECT DISTINCT ON (s.site_ref) s.site_ref, "
        f"s.site_ref, {delivery} {joins} WHERE s.site_ref IS NOT NULL ORDER BY s.site_ref, s.line "
        "ON CONFLICT (ref) DO NOTHING"
    )
    cursor.execute(
        f"INSERT INTO {staff} (ref, name, role, organisation_id) SELECT DISTINCT ON (s.key_worker) "
        f"s.key_worker, '', %(role)s, {delivery} {joins} WHERE s.key_worker IS NOT NULL "
        "ORDER BY s.key_worker, s.line ON CONFLICT (ref) DO NOTHING",
        {"role": Role.KEY_WORKER.value},
    )
    cursor.execute(
        f"INSERT INTO {_t(Contract.delivery_organisations.through)} (contract_id, organisation_id) "
        f"SELECT DISTINCT c.id, {delivery} {joins} ON CONFLICT DO NOTHING"
    )
    demographics = ["date_of_birth", "gender", "disability", "ethnicity", "postcode_district"]
    text = [c for c in demographics if c != "date_of_birth"]
    _upsert(
        cursor,
        table=participant,
        key=["prime_id", "ref"],
        columns=["prime_id", "ref", *demographics],
        compare=[c for c in demographics if c in present],
        contract="NULL::bigint",
        incoming=f"SELECT DISTINCT ON (c.prime_id, s.participant_ref) c.prime_id, s.participant_ref AS ref, "
        f"s.date_of_birth, {', '.join(f'COALESCE(s.{c}, {EMPTY}) AS {c}' for c in text)} "
        f"FROM {stage} s JOIN {contract} c ON c.ref = s.contract_ref "
        "ORDER BY c.prime_id, s.participant_ref, s.line DESC",
    )
    # Fresh statistics after a large write, or the planner joins the next statement as if it were empty.
    cursor.execute(f"ANALYZE {participant}")
    optional = {
        "delivery_org_ref": "organisation_id",
        "site_ref": "site_id",
        "key_worker": "key_worker_id",
        "dda": "dda",
    }
    changes.record(
        "referrals.csv",
        _upsert(
            cursor,
            table=referral,
            key=["contract_id", "ref"],
            columns=[
                "contract_id",
                "ref",
                "participant_id",
                "referral_date",
                "group",
                "organisation_id",
                "site_id",
                "key_worker_id",
                "dda",
            ],
            compare=[
                "participant_id",
                "referral_date",
                "group",
                *(v for k, v in optional.items() if k in present),
            ],
            month="to_char(referral_date, 'YYYY-MM')",
            incoming="SELECT c.id AS contract_id, s.referral_ref AS ref, p.id AS participant_id, "
            f's.referral_date, s."group", {delivery} AS organisation_id, si.id AS site_id, '
            "st.id AS key_worker_id, "
            f"COALESCE(s.dda, '') AS dda {joins} "
            f"JOIN {participant} p ON p.prime_id = c.prime_id AND p.ref = s.participant_ref "
            f"LEFT JOIN {site} si ON si.ref = s.site_ref LEFT JOIN {staff} st ON st.ref = s.key_worker",
        ),
    )
    cursor.execute(f"ANALYZE {referral}")
    # Assignment history: close the open row of a referral whose organisation, site or key worker changed,
    # then open a row for every referral without one (a new referral's first row starts at its referral
    # date).
    in_file = (
        f"{referral} r JOIN {contract} c ON c.id = r.contract_id "
        f"JOIN {stage} s ON s.contract_ref = c.ref AND s.referral_ref = r.ref"
    )
    cursor.execute(
        f"UPDATE {assignment} a SET until = now() FROM {in_file} WHERE a.referral_id = r.id "
        "AND a.until IS NULL AND (a.organisation_id, a.site_id, a.key_worker_id) IS DISTINCT FROM "
        "(r.organisation_id, r.site_id, r.key_worker_id)"
    )
    cursor.execute(
        f"INSERT INTO {assignment} "
        "(referral_id, organisation_id, site_id, key_worker_id, since, changed_by_id) "
        f"SELECT r.id, r.organisation_id, r.site_id, r.key_worker_id, "
        f"CASE WHEN EXISTS (SELECT 1 FROM {assignment} b WHERE b.referral_id = r.id) THEN now() "
        f"ELSE r.referral_date::timestamptz END, %(user)s FROM {in_file} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {assignment} b WHERE b.referral_id = r.id AND b.until IS NULL)",
        {"user": getattr(user, "pk", None)},
    )
    # Devolution Deal Areas seen on the contract's referrals (DOMAIN.md 2), merged into the contract's list.
    cursor.execute(
        f"SELECT c.id, array_agg(DISTINCT s.dda) FROM {stage} s JOIN {contract} c ON c.ref = s.contract_ref "
        "WHERE s.dda IS NOT NULL GROUP BY c.id"
    )
    _merge_ddas(dict(cursor.fetchall()))


def _merge_ddas(seen: dict[int, list[str]]) -> None:
    for held in Contract.objects.filter(pk__in=seen).only("pk", "devolution_deal_areas"):
        merged = sorted(set(held.devolution_deal_areas) | set(seen[held.pk]))
        if merged != held.devolution_deal_areas:
            Contract.objects.filter(pk=held.pk).update(devolution_deal_areas=merged)


# ------------------------------------------------------------------------------------ ORM bulk path (SQLite)


def _obj(series: pd.Series, kind: str = "") -> pd.Series:
    """Plain Python values as the ORM returns them (date, Decimal, int, str; None for missing)."""
    if kind == "date":
        series = series.dt.date
    elif kind == "decimal":
        series = series.map(lambda value: None if pd.isna(value) else Decimal(f"{value:.2f}"))
    elif kind == "int":
        series = series.astype("Int64")
    series = series.astype(object)
    return series.where(series.notna(), None)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain values (numpy integers to int, missing to None) for model constructors."""
    plain = frame.astype(object).where(frame.notna(), None)
    return [
        {
            k: int(v)
            if isinstance(v, np.integer | float) and k.endswith(("_id", "pk")) and v is not None
            else v
            for k, v in row.items()
        }
        for row in plain.to_dict("records")
    ]


def _orm_upsert(
    model,
    frame: pd.DataFrame,
    *,
    key: list[str],
    compare: list[str],
    existing,
    contract: str | None = "contract_id",
    month: str | None = None,
) -> list[tuple]:
    """The ORM twin of `_upsert`: bulk_create new keys, bulk_update rows whose `compare` values differ."""
    held = pd.DataFrame.from_records(
        list(existing.values("pk", *key, *compare)), columns=["pk", *key, *compare]
    )
    held = held.astype({column: frame[column].dtype for column in key})
    merged = frame.merge(held, on=key, how="left", suffixes=("", "__held"))
    new = merged["pk"].isna().to_numpy()
    differs = np.zeros(len(merged), dtype=bool)
    for column in compare:
        differs |= _obj(merged[column]).to_numpy() != _obj(merged[f"{column}__held"]).to_numpy()
    added, updated = merged.loc[new], merged.loc[~new & differs]
    model.objects.bulk_create([model(**row) for row in _records(added[list(frame.columns)])], batch_size=2000)
    model.objects.bulk_update(
        [model(**row) for row in _records(updated[["pk", *compare]])], compare, batch_size=2000
    )
    if not (len(added) or len(updated)):
        return []
    ids = merged["pk"].where(~pd.Series(new, index=merged.index)) if contract == "pk" else None
    summary = pd.DataFrame(
        {
            "contract": (ids if contract == "pk" else merged[contract]) if contract else None,
            "month": merged[month].map(lambda day: day.strftime("%Y-%m")) if month else None,
            "added": new,
            "updated": ~new & differs,
        }
    ).loc[new | differs]
    if contract == "pk":  # a new contract's id: look it up by its key
        created = dict(model.objects.filter(ref__in=list(added["ref"])).values_list("ref", "pk"))
        summary.loc[new[new | differs], "contract"] = added["ref"].map(created).to_numpy()
    grouped = summary.groupby(["contract", "month"], dropna=False)[["added", "updated"]].sum()
    return [
        (None if pd.isna(c) else int(c), None if pd.isna(m) else m, int(a), int(u))
        for (c, m), (a, u) in zip(grouped.index, grouped.to_numpy(), strict=True)
    ]


def _write_orm(valid: ValidBundle, changes: _Changes, user) -> None:
    """The same writes as `_write_postgresql` through the ORM's bulk methods, for SQLite trials."""
    typed, present = valid.typed, valid.present
    if (orgs := typed.get("organisations.csv")) is not None:
        ids = dict(Organisation.objects.values_list("ref", "pk"))
        frame = pd.DataFrame(
            {
                "ref": orgs["org_ref"],
                "name": orgs["name"],
                "kind": orgs["kind"],
                "parent_id": _obj(orgs["parent_ref"].map(ids)),
            }
        )
        changes.record(
            "organisations.csv",
            _orm_upsert(
                Organisation,
                frame,
                key=["ref"],
                compare=["name", "kind", "parent_id"],
                existing=Organisation.objects.filter(ref__in=list(frame["ref"])),
                contract=None,
            ),
        )
        ids = dict(Organisation.objects.values_list("ref", "pk"))
        orphans = frame.loc[frame["parent_id"].isna() & (orgs["parent_ref"] != "")]
        Organisation.objects.bulk_update(
            [
                Organisation(pk=ids[ref], parent_id=ids[parent])
                for ref, parent in zip(orphans["ref"], orgs.loc[orphans.index, "parent_ref"], strict=True)
            ],
            ["parent_id"],
        )
    if (contracts := typed.get("contracts.csv")) is not None:
        held = set(Organisation.objects.values_list("ref", flat=True))
        primes = contracts.loc[~contracts["prime_ref"].isin(held)].drop_duplicates("prime_ref")
        Organisation.objects.bulk_create(
            [
                Organisation(ref=ref, name=name, kind=Organisation.Kind.PRIME)
                for ref, name in zip(primes["prime_ref"], primes["prime_name"], strict=True)
            ]
        )
        orgs_ids = dict(Organisation.objects.values_list("ref", "pk"))
        programme_ids = dict(Programme.objects.values_list("code", "pk"))
        frame = pd.DataFrame(
            {
                "ref": contracts["contract_ref"],
                "programme_id": contracts["programme"].map(programme_ids),
                "name": contracts["name"],
                "prime_id": contracts["prime_ref"].map(orgs_ids),
                "cpa": contracts["cpa"],
                "nation": contracts["nation"],
                "start_date": _obj(contracts["start_date"], "date"),
                "end_date": _obj(contracts["end_date"], "date"),
                "year_start_month": contracts["year_start_month"],
            }
        )
        changes.record(
            "contracts.csv",
            _orm_upsert(
                Contract,
                frame,
                key=["ref"],
                existing=Contract.objects.filter(ref__in=list(frame["ref"])),
                compare=["name", "prime_id", "cpa", "nation", "start_date", "end_date", "year_start_month"],
                contract="pk",
            ),
        )
    contracts = pd.DataFrame.from_records(
        list(Contract.objects.filter(ref__in=valid.contract_refs).values("ref", "pk", "prime_id")),
        columns=["ref", "pk", "prime_id"],
    ).set_index("ref")
    if (referrals := typed.get("referrals.csv")) is not None:
        _write_referrals_orm(referrals, present["referrals.csv"], contracts, changes, user)
    if (events := typed.get("events.csv")) is not None:
        held = pd.DataFrame.from_records(
            list(
                Referral.objects.filter(contract_id__in=list(contracts["pk"])).values(
                    "contract_id", "ref", "pk"
                )
            ),
            columns=["contract_id", "ref", "pk"],
        )
        keys = pd.Index(held["contract_id"].astype(str) + "\x1f" + held["ref"])
        contract_ids = events["contract_ref"].map(contracts["pk"])
        position = keys.get_indexer(contract_ids.astype(str) + "\x1f" + events["referral_ref"])
        frame = pd.DataFrame(
            {
                "contract_id": contract_ids,
                "referral_id": held["pk"].to_numpy()[position],
                "code": events["event"],
                "event_date": _obj(events["event_date"], "date"),
                "amount": _obj(events["amount"], "decimal"),
                "detail": events["detail"],
            }
        )
        changes.record(
            "events.csv",
            _orm_upsert(
                JourneyEvent,
                frame,
                key=["referral_id", "code", "event_date"],
                compare=[c for c in ("amount", "detail") if c in present["events.csv"]],
                existing=JourneyEvent.objects.filter(contract_id__in=list(contracts["pk"])),
                month="event_date",
            ),
        )
    for name, model, key, values in (
        ("mpl_profiles.csv", MplProfile, {"group": "", "month": "int"}, {"cumulative_pct": "decimal"}),
        (
            "validation_rounds.csv",
            ValidationRound,
            {"round": "int"},
            {"period_start": "date", "period_end": "date", "invalid_pct": "decimal", "status": ""},
        ),
        (
            "mpl_targets.csv",
            MplTarget,
            {"group": "", "period_start": "date", "period_end": "date"},
            {"required_outcomes": "decimal"},
        ),
    ):
        if (rows := typed.get(name)) is not None:
            frame = pd.DataFrame(
                {
                    "contract_id": rows["contract_ref"].map(contracts["pk"]),
                    **{c: _obj(rows[c], kind) for c, kind in {**key, **values}.items()},
                }
            )
            changes.record(
                name,
                _orm_upsert(
                    model,
                    frame,
                    key=["contract_id", *key],
                    compare=list(values),
                    existing=model.objects.filter(contract_id__in=list(contracts["pk"])),
                ),
            )


def _write_referrals_orm(
    referrals: pd.DataFrame, present: tuple[str, ...], contracts: pd.DataFrame, changes: _Changes, user
) -> None:
    org_ids = dict(Organisation.objects.values_list("ref", "pk"))
    contract_ids = referrals["contract_ref"].map(contracts["pk"])
    delivery = (
        referrals["delivery_org_ref"]
        .map(org_ids)
        .fillna(referrals["contract_ref"].map(contracts["prime_id"]))
    )
    for model, column, extra in ((Site, "site_ref", {}), (Staff, "key_worker", {"role": Role.KEY_WORKER})):
        held = set(model.objects.values_list("ref", flat=True))
        wanted = referrals.assign(org=delivery)
        wanted = wanted.loc[(wanted[column] != "") & ~wanted[column].isin(held)].drop_duplicates(column)
        model.objects.bulk_create(
            [
                model(ref=ref, name=ref if model is Site else "", organisation_id=int(org), **extra)
                for ref, org in zip(wanted[column], wanted["org"], strict=True)
            ]
        )
    through = Contract.delivery_organisations.through
    pairs = pd.DataFrame({"contract_id": contract_ids, "organisation_id": delivery}).drop_duplicates()
    through.objects.bulk_create(
        [through(contract_id=int(c), organisation_id=int(o)) for c, o in pairs.itertuples(index=False)],
        ignore_conflicts=True,
    )
    demographics = {
        "date_of_birth": "date",
        "gender": "",
        "disability": "",
        "ethnicity": "",
        "postcode_district": "",
    }
    people = pd.DataFrame(
        {
            "prime_id": referrals["contract_ref"].map(contracts["prime_id"]),
            "ref": referrals["participant_ref"],
            **{c: _obj(referrals[c], kind) for c, kind in demographics.items()},
        }
    )
    people = people.drop_duplicates(["prime_id", "ref"], keep="last")
    _orm_upsert(
        Participant,
        people,
        key=["prime_id", "ref"],
        compare=[c for c in demographics if c in present],
        existing=Participant.objects.filter(prime_id__in=list(people["prime_id"].unique())),
        contract=None,
    )
    participant_ids = pd.DataFrame.from_records(
        list(
            Participant.objects.filter(prime_id__in=list(people["prime_id"].unique())).values(
                "prime_id", "ref", "pk"
            )
        ),
        columns=["prime_id", "ref", "pk"],
    )
    keys = pd.Index(participant_ids["prime_id"].astype(str) + "\x1f" + participant_ids["ref"])
    primes = referrals["contract_ref"].map(contracts["prime_id"]).astype(str)
    site_ids = dict(Site.objects.values_list("ref", "pk"))
    staff_ids = dict(Staff.objects.values_list("ref", "pk"))
    frame = pd.DataFrame(
        {
            "contract_id": contract_ids,
            "ref": referrals["referral_ref"],
            "participant_id": participant_ids["pk"].to_numpy()[
                keys.get_indexer(primes + "\x1f" + referrals["participant_ref"])
            ],
            "referral_date": _obj(referrals["referral_date"], "date"),
            "group": referrals["group"],
            "organisation_id": delivery.astype("int64"),
            "site_id": _obj(referrals["site_ref"].map(site_ids), "int"),
            "key_worker_id": _obj(referrals["key_worker"].map(staff_ids), "int"),
            "dda": referrals["dda"],
        }
    )
    optional = {
        "delivery_org_ref": "organisation_id",
        "site_ref": "site_id",
        "key_worker": "key_worker_id",
        "dda": "dda",
    }
    changes.record(
        "referrals.csv",
        _orm_upsert(
            Referral,
            frame,
            key=["contract_id", "ref"],
            month="referral_date",
            compare=[
                "participant_id",
                "referral_date",
                "group",
                *(v for k, v in optional.items() if k in present),
            ],
            existing=Referral.objects.filter(contract_id__in=list(contracts["pk"])),
        ),
    )
    # Assignment history, as in the PostgreSQL path.
    current = pd.DataFrame.from_records(
        list(
            Referral.objects.filter(contract_id__in=list(contracts["pk"]), ref__in=list(frame["ref"])).values(
                "pk", "contract_id", "ref", "referral_date", "organisation_id", "site_id", "key_worker_id"
            )
        ),
        columns=["pk", "contract_id", "ref", "referral_date", "organisation_id", "site_id", "key_worker_id"],
    )
    current = current.merge(frame[["contract_id", "ref"]], on=["contract_id", "ref"])
    open_rows = pd.DataFrame.from_records(
        list(
            ReferralAssignment.objects.filter(referral_id__in=list(current["pk"]), until__isnull=True).values(
                "pk", "referral_id", "organisation_id", "site_id", "key_worker_id"
            )
        ),
        columns=["pk", "referral_id", "organisation_id", "site_id", "key_worker_id"],
    )
    with_history = set(
        ReferralAssignment.objects.filter(referral_id__in=list(current["pk"])).values_list(
            "referral_id", flat=True
        )
    )
    joined = current.merge(
        open_rows, left_on="pk", right_on="referral_id", how="left", suffixes=("", "_open")
    )
    moved = np.zeros(len(joined), dtype=bool)
    for column in ("organisation_id", "site_id", "key_worker_id"):
        moved |= _obj(joined[column]).to_numpy() != _obj(joined[f"{column}_open"]).to_numpy()
    has_open = joined["pk_open"].notna().to_numpy()
    now = timezone.now()
    ReferralAssignment.objects.filter(
        pk__in=[int(pk) for pk in joined.loc[has_open & moved, "pk_open"]]
    ).update(until=now)
    opening = joined.loc[~has_open | moved]
    ReferralAssignment.objects.bulk_create(
        [
            ReferralAssignment(
                referral_id=row["pk"],
                organisation_id=row["organisation_id"],
                site_id=row["site_id"],
                key_worker_id=row["key_worker_id"],
                changed_by=user,
                since=now
                if row["pk"] in with_history
                else timezone.make_aware(datetime.combine(row["referral_date"], time.min), UTC),
            )
            for row in _records(
                opening[["pk", "referral_date", "organisation_id", "site_id", "key_worker_id"]]
            )
        ]
    )
    ddas = referrals.loc[referrals["dda"] != ""].groupby(contract_ids)["dda"].unique()
    _merge_ddas({int(contract): list(values) for contract, values in ddas.items()})
