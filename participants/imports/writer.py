"""The import's one write path (DATA.md "Import bundle"; DOMAIN.md 4, 15.17): each validated file is COPYed
into a temporary staging table, then upserted set-based (INSERT ... ON CONFLICT DO UPDATE ... WHERE changed),
all inside the import's transaction. `write_bundle` records what each file added and updated per contract
and month, so the recompute after commit touches only what changed, and writes a history row (who, when,
which import) beside every row it adds or changes, in the same statement (`_recorded`)."""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from django.db import connection

from ..journey import DEFAULT_YEAR_START_MONTH
from ..models import (
    Contract,
    ImportRun,
    JourneyEvent,
    KpiTarget,
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
from .specs import PERSON_COLUMNS, SPECS
from .validation import KnownState, ValidBundle

ALL_MONTHS = None  # recompute everything: a first import, or a change that is not dated (profiles, targets)
EMPTY = "''"  # SQL literal of the empty string: text columns hold "" rather than NULL
BULK_ROWS = 100_000  # referral + event rows from which a first load checks foreign keys once, not per row


class Changes:
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


@dataclass(frozen=True)
class Audit:
    """Who imported, and which ImportRun: what every history row the import writes names."""

    user_id: int | None
    run_id: int

    @classmethod
    def of(cls, run: ImportRun) -> Audit:
        return cls(user_id=run.user_id, run_id=run.pk)


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
        **dict.fromkeys(PERSON_COLUMNS, "text"),
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
    "kpi_targets.csv": {
        "contract_ref": "text",
        "level": "text",
        "ref": "text",
        "kpi": "text",
        "month": "text",
        "target": "numeric(12,2)",
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
    model,
    incoming: str,
    key: list[str],
    columns: list[str],
    compare: list[str],
    audit: Audit,
    extra: dict[str, str] | None = None,
    contract: str = "contract_id",
    month: str = "NULL",
) -> list[tuple]:
    """Insert new keys and update rows whose `compare` columns differ; unchanged rows are not touched, and
    each row written gets its history row. Returns (contract_id, month, added, updated) groups for
    Changes.record."""
    table = _t(model)
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
            RETURNING (xmax = 0) AS added, {contract} AS contract_id, {month} AS month{_returned(model)}
        ){_recorded(model, audit)}
        SELECT contract_id, month, count(*) FILTER (WHERE added), count(*) FILTER (WHERE NOT added)
        FROM written GROUP BY contract_id, month
    """
    cursor.execute(sql)
    return cursor.fetchall()


# History (django-simple-history's tables) of the rows an import writes. The import bypasses the ORM, so it
# writes the history rows itself: each data-modifying statement RETURNs the written rows' columns (prefixed,
# beside its own output) and a second data-modifying CTE copies them into the model's history table in the
# same statement, dated at the transaction's start and naming the uploader and "import N" as the reason.


def _audited(model) -> list[str]:
    """The columns a model's history table copies from the model (not the history_* bookkeeping)."""
    return [f.column for f in model.history.model._meta.concrete_fields if not f.name.startswith("history_")]


def _returned(model) -> str:
    """The RETURNING entries that carry a written row's audited columns as h_<column> (none for a model
    without history)."""
    if not hasattr(model, "history"):
        return ""
    table = _t(model)
    return "".join(f', {table}."{column}" AS "h_{column}"' for column in _audited(model))


def _recorded(model, audit: Audit) -> str:
    """A data-modifying CTE writing one history row per row of the CTE `written` ("+" when `added`, "~"
    otherwise); nothing for a model without history."""
    if not hasattr(model, "history"):
        return ""
    columns = _audited(model)
    copied = ", ".join(f'"h_{column}"' for column in columns)
    user = "NULL" if audit.user_id is None else f"{audit.user_id:d}"
    return f""",
        recorded AS (
            INSERT INTO {_t(model.history.model)}
                ({_q(columns)}, history_date, history_type, history_user_id, history_change_reason)
            SELECT {copied}, now(), CASE WHEN added THEN '+' ELSE '~' END, {user}, 'import {audit.run_id:d}'
            FROM written
        )"""


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


def is_bulk_load(valid: ValidBundle, known: KnownState) -> bool:
    """A large load of mostly new referrals (a contract's first extract, the benchmark). A re-import of held
    referrals is not one: re-checking every foreign key would cost more than the few triggers it fires."""
    staged = sum(len(valid.frames.get(name, ())) for name in ("referrals.csv", "events.csv"))
    new_referrals = len(valid.frames.get("referrals.csv", ())) - len(known.referrals)
    return staged >= BULK_ROWS and new_referrals * 2 > len(valid.frames.get("referrals.csv", ()))


def write_bundle(valid: ValidBundle, changes: Changes, run: ImportRun, *, bulk: bool) -> None:
    """Write the validated bundle as import `run` (its user and id go into every history row)."""
    frames, present = valid.frames, valid.present
    audit = Audit.of(run)
    org, contract, referral = _t(Organisation), _t(Contract), _t(Referral)
    loaded = [Participant, Referral, JourneyEvent]  # and their history tables: the bulk of a first load
    bulk_tables = [*loaded, ReferralAssignment, *(model.history.model for model in loaded)]
    with connection.cursor() as cursor, _bulk_load_mode(cursor, bulk_tables, bulk):
        cursor.execute("SET LOCAL work_mem = '256MB'")
        if "organisations.csv" in frames:
            stage = _stage(cursor, "organisations.csv", frames["organisations.csv"])
            changes.record(
                "organisations.csv",
                _upsert(
                    cursor,
                    model=Organisation,
                    audit=audit,
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
                    model=Contract,
                    audit=audit,
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
                    extra={"devolution_deal_areas": "'[]'::jsonb"},
                    contract="id",
                    incoming=f"SELECT s.contract_ref AS ref, p.id AS programme_id, s.name, o.id AS prime_id, "
                    "s.cpa, s.nation, s.start_date, s.end_date, "
                    f"COALESCE(s.year_start_month, {DEFAULT_YEAR_START_MONTH:d}) AS year_start_month "
                    f"FROM {stage} s "
                    f"JOIN {_t(Programme)} p ON p.code = s.programme JOIN {org} o ON o.ref = s.prime_ref",
                ),
            )
        if "referrals.csv" in frames:
            _write_referrals_postgresql(
                cursor, frames["referrals.csv"], present["referrals.csv"], changes, audit
            )
        if "events.csv" in frames:
            stage = _stage(cursor, "events.csv", frames["events.csv"])
            compare = [c for c in ("amount", "detail") if c in present["events.csv"]]
            changes.record(
                "events.csv",
                _upsert(
                    cursor,
                    model=JourneyEvent,
                    audit=audit,
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
                    model=model,
                    audit=audit,
                    key=["contract_id", *key],
                    columns=["contract_id", *key, *values],
                    compare=values,
                    incoming=f"SELECT c.id AS contract_id, {_q(key + values, 's.')} "
                    f"FROM {stage} s JOIN {contract} c ON c.ref = s.contract_ref",
                ),
            )
        if "kpi_targets.csv" in frames:
            # DOMAIN.md 17.13: the months touched are recomputed (the KPI ratings of their quarters).
            stage = _stage(cursor, "kpi_targets.csv", frames["kpi_targets.csv"])
            changes.record(
                "kpi_targets.csv",
                _upsert(
                    cursor,
                    model=KpiTarget,
                    audit=audit,
                    key=["contract_id", "level", "ref", "kpi", "month"],
                    columns=["contract_id", "level", "ref", "kpi", "month", "target"],
                    compare=["target"],
                    month="to_char(month, 'YYYY-MM')",
                    incoming="SELECT c.id AS contract_id, s.level, COALESCE(s.ref, '') AS ref, s.kpi, "
                    "to_date(s.month, 'YYYY-MM') AS month, s.target "
                    f"FROM {stage} s JOIN {contract} c ON c.ref = s.contract_ref",
                ),
            )


def _write_referrals_postgresql(
    cursor, frame: pd.DataFrame, present: tuple[str, ...], changes: Changes, audit: Audit
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
        f"WITH written AS (INSERT INTO {staff} (ref, name, role, organisation_id) "
        f"SELECT DISTINCT ON (s.key_worker) s.key_worker, '', %(role)s, {delivery} {joins} "
        "WHERE s.key_worker IS NOT NULL ORDER BY s.key_worker, s.line ON CONFLICT (ref) DO NOTHING "
        f"RETURNING true AS added{_returned(Staff)}){_recorded(Staff, audit)} SELECT count(*) FROM written",
        {"role": Role.KEY_WORKER.value},
    )
    cursor.execute(
        f"INSERT INTO {_t(Contract.delivery_organisations.through)} (contract_id, organisation_id) "
        f"SELECT DISTINCT c.id, {delivery} {joins} ON CONFLICT DO NOTHING"
    )
    demographics = [
        "date_of_birth",
        "gender",
        "disability",
        "ethnicity",
        "postcode_district",
        *PERSON_COLUMNS,
    ]
    text = [c for c in demographics if c != "date_of_birth"]
    _upsert(
        cursor,
        model=Participant,
        audit=audit,
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
            model=Referral,
            audit=audit,
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
        {"user": audit.user_id},
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
