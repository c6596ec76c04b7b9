"""Write path for demo data: import a generated bundle (demo.generator) and create a login per role.

`seed_demo` is what `manage.py seed_demo` (and `make run`) calls. It is idempotent: the bundle is
deterministic for a given size, seed and "today", and re-running reuses the previous run's size and
"today" (recorded in its JobRun), so the import changes nothing and the people are updated in place.
The key workers' workspace of the open referrals (demo.workspace) is seeded last, once: only
referrals with no appointment and no action plan get any, so a re-run adds nothing and nothing a user
entered is touched.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef
from django.utils import timezone

from participants.errors import FlightpathError
from participants.imports.services import import_bundle
from participants.jobs import job_run
from participants.models import (
    ActionPlan,
    ActionPlanReview,
    ActionPlanVersion,
    Appointment,
    Contract,
    EventCode,
    FollowUpTask,
    JobRun,
    JourneyEvent,
    Note,
    Organisation,
    Referral,
    Role,
    Site,
    SmartGoal,
    Staff,
    SupportRecord,
)
from participants.roles import group_for
from participants.workspace import rules as rules
from participants.workspace.selectors import workspace_configs

from .generator import generate_bundle, key_worker_ref, write_bundle
from .kpis import seed_demo_kpis
from .regimes import seed_demo_regimes
from .reviews import seed_demo_reviews
from .specs import (
    BRADFORD,
    CONTRACTS,
    DEFAULT_REFERRALS,
    DEFAULT_SEED,
    GLASGOW,
    LEEDS,
    PRIME_REF,
    SUB1,
    SUB2,
)
from .workspace import OFFICES, DemoWorkspace, generate_workspace

SEED_DEMO_JOB = "participants.seed_demo"
WORKSPACE_MAX_REFERRALS = 100_000  # the largest demo whose open referrals get a seeded workspace
DEMO_PASSWORD = "flightpath-demo"  # demo data only; printed at the end of seed_demo
SUPERUSER = "admin"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    role: Role
    organisation_ref: str | None  # None: a DWP contact
    site_refs: tuple[str, ...] = ()
    key_worker_ref: str | None = None  # the imported key worker this login is (their caseload)
    manages: tuple[str, ...] = ()  # a partnerships manager's assigned subcontractors


# At least one login per role of DOMAIN.md section 1; the last two are staff of one subcontractor.
DEMO_PEOPLE = (
    DemoPerson("kw.leeds", "Amira Hussain", Role.KEY_WORKER, PRIME_REF, (LEEDS,), key_worker_ref(LEEDS, 1)),
    DemoPerson(
        "kw.glasgow", "Callum Fraser", Role.KEY_WORKER, PRIME_REF, (GLASGOW,), key_worker_ref(GLASGOW, 1)
    ),
    DemoPerson("pm.prime", "Priya Patel", Role.PERFORMANCE_MANAGER, PRIME_REF, (LEEDS, GLASGOW)),
    # Assigned two of the three subcontractors: a partnerships manager sees those, not SUB3's referrals.
    DemoPerson("partnerships", "Gareth Evans", Role.PARTNERSHIPS_MANAGER, PRIME_REF, manages=(SUB1, SUB2)),
    DemoPerson("contracts", "Helen Walsh", Role.CONTRACT_MANAGER, PRIME_REF),
    DemoPerson("claims", "Tom Okafor", Role.CLAIMS_OFFICER, PRIME_REF),
    DemoPerson("dwp", "Sarah Mitchell", Role.DWP_CONTACT, None),
    DemoPerson("sub1.manager", "Dave Holroyd", Role.PERFORMANCE_MANAGER, SUB1, (BRADFORD,)),
    DemoPerson("sub1.kw", "Nadia Khan", Role.KEY_WORKER, SUB1, (BRADFORD,), key_worker_ref(BRADFORD, 1)),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str
    password: str


@dataclass
class DemoResult:
    today: date
    referrals: int
    seed: int
    import_counts: dict[str, dict[str, int]]
    logins: list[DemoLogin] = field(default_factory=list)
    workspace: dict[str, int] = field(default_factory=dict)  # rows seeded per kind (0 on a re-run)


def previous_demo() -> dict | None:
    """The parameters (today, referrals, seed) of the last successful seed_demo run, if any."""
    runs = JobRun.objects.filter(kind=SEED_DEMO_JOB, status=JobRun.Status.SUCCEEDED)
    run = runs.order_by("-started_at").first()
    return run.params if run else None


def seed_demo(
    *,
    referrals: int | None = None,
    today: date | None = None,
    seed: int | None = None,
    password: str = DEMO_PASSWORD,
) -> DemoResult:
    """Import the demo bundle and create the demo people. Unset arguments take the previous run's values
    (so a re-run imports the same bundle: nothing changes), else the defaults and today's date.

    Not one transaction: the import commits on its own (and records a failed ImportRun outside its
    rollback), then the people are written atomically; a re-run completes whatever a failed run left."""
    previous = previous_demo() or {}
    today = today or (date.fromisoformat(previous["today"]) if "today" in previous else timezone.localdate())
    referrals = referrals or previous.get("referrals", DEFAULT_REFERRALS)
    seed = seed if seed is not None else previous.get("seed", DEFAULT_SEED)
    if not password:
        raise FlightpathError("a demo password is required", field="password")
    params = {"today": today.isoformat(), "referrals": referrals, "seed": seed}
    if previous and previous != params:
        # Another size, date or seed would be another bundle over the same referral refs: refused rather
        # than mixed with what is held.
        loaded = ", ".join(f"{key}={value}" for key, value in previous.items())
        raise FlightpathError(
            f"demo data ({loaded}) is loaded already; load other demo data into a fresh database",
            field="referrals",
        )
    # Another seed_demo at the same time stops with "seed_demo is already running" (JobClaimed).
    with job_run(SEED_DEMO_JOB, params=params) as run:
        try:
            bundle = generate_bundle(referrals=referrals, today=today, seed=seed)
        except ValueError as exc:
            raise FlightpathError(str(exc), field="referrals") from exc
        run.report(20, "bundle generated")
        with tempfile.TemporaryDirectory(prefix="flightpath-demo-") as folder:
            write_bundle(bundle, folder)
            imported = import_bundle(path=folder, source=f"seed_demo {params}")
        run.report(80, "bundle imported")
        name_demo_sites()
        logins = create_demo_people(password=password)
        run.report(90, "people created")
        # Benchmark-sized demos skip it: written through the ORM with history, it would take minutes.
        workspace = {}
        if referrals <= WORKSPACE_MAX_REFERRALS:
            workspace = seed_demo_workspace(today=today, seed=seed)
            workspace.update(
                seed_demo_kpis(
                    today=today,
                    contract_refs=[spec.ref for spec in CONTRACTS],
                    partnerships_username="partnerships",
                    manager_username="pm.prime",
                )
            )
        seed_demo_regimes(today=today)
        workspace.update(seed_demo_reviews(today=today))
    return DemoResult(
        today=today,
        referrals=referrals,
        seed=seed,
        import_counts=imported.counts,
        logins=logins,
        workspace=workspace,
    )


@transaction.atomic
def name_demo_sites() -> None:
    """The demo sites' names (the bundle carries site references only): "Site: Leeds Central" on pages."""
    for spec in CONTRACTS:
        for site in spec.sites:
            if site.name:
                Site.objects.filter(ref=site.ref).update(name=site.name)


def create_demo_people(*, password: str) -> list[DemoLogin]:
    """The superuser and DEMO_PEOPLE, each with a Staff profile and their role's group; updated in place
    when they exist. Key workers are the imported key worker records, so they come with a caseload."""
    users = get_user_model().objects
    # One hash for every demo login: the password hasher is slow by design (about 1.5 s a hash).
    hashed = make_password(password)
    admin, _ = users.get_or_create(username=SUPERUSER)
    admin.is_staff = admin.is_superuser = True
    admin.email, admin.password = f"{SUPERUSER}@example.org", hashed
    admin.save()
    logins = [DemoLogin(SUPERUSER, "Superuser", "-", password)]
    organisations = {org.ref: org for org in Organisation.objects.all()}
    sites = {site.ref: site for site in Site.objects.all()}
    demo_contracts = list(Contract.objects.filter(ref__in=[spec.ref for spec in CONTRACTS]))
    for person in DEMO_PEOPLE:
        first, _, last = person.name.partition(" ")
        user, _ = users.get_or_create(username=person.username)
        user.first_name, user.last_name, user.email = first, last, f"{person.username}@example.org"
        user.is_staff = user.is_superuser = False
        user.password = hashed
        user.save()
        user.groups.set([group_for(person.role)])
        organisation = organisations.get(person.organisation_ref) if person.organisation_ref else None
        staff, _ = Staff.objects.update_or_create(
            ref=person.key_worker_ref or f"demo:{person.username}",
            defaults={"user": user, "name": person.name, "role": person.role, "organisation": organisation},
        )
        staff.sites.set([sites[ref] for ref in person.site_refs if ref in sites])
        staff.managed_organisations.set([organisations[r] for r in person.manages if r in organisations])
        if person.role == Role.DWP_CONTACT:
            for contract in demo_contracts:
                contract.dwp_contacts.add(user)
        where = organisation.name if organisation else "DWP"
        logins.append(DemoLogin(person.username, person.role.label, where, password))
    name_demo_key_workers()
    return logins


# Names for the demo's other key workers (the bundle names them by reference only), in reference order.
KEY_WORKER_NAMES = (
    "Ben Walsh",
    "Chloe Evans",
    "Daniel Okafor",
    "Emma Jones",
    "Farah Ali",
    "George Murray",
    "Hannah Price",
    "Imran Shah",
    "Jade Robertson",
    "Kwame Mensah",
    "Laura Hughes",
    "Marek Nowak",
    "Niamh Kelly",
    "Owen Davies",
    "Priti Desai",
    "Ross Campbell",
    "Sian Morgan",
    "Tom Fletcher",
    "Usha Patel",
    "Victoria Reid",
    "Wes Thomas",
    "Yasmin Begum",
    "Zac Wilson",
)


def name_demo_key_workers() -> None:
    """Give the demo's imported key workers without a login a person's name instead of their reference."""
    unnamed = Staff.objects.filter(ref__startswith="DEMO-", user__isnull=True, name="")
    for number, staff in enumerate(unnamed.order_by("ref")):
        first, last = KEY_WORKER_NAMES[number % len(KEY_WORKER_NAMES)].split(" ")
        staff.name = f"{first} {last}" if number < len(KEY_WORKER_NAMES) else f"{first} {last} {number}"
        staff.save(update_fields=["name"])


# The key workers' workspace ------------------------------------------------------------------------------

BATCH = 2_000


@transaction.atomic
def seed_demo_workspace(*, today: date, seed: int, referrals=None) -> dict[str, int]:
    """Appointments, follow-ups, action plans (goals, version 1, reviews) and notes for the open referrals
    (started, not exited, with a key worker) of `referrals` (default: the demo contracts') that have no
    appointment and no action plan yet, generated by demo.workspace. Booked / recorded by the
    key worker's login where there is one. Writes no journey event. Returns the rows added per kind."""
    if referrals is None:
        referrals = Referral.objects.filter(contract__ref__in=[spec.ref for spec in CONTRACTS])
    frame = unseeded_open_referrals(referrals, today=today)
    if frame.empty:
        return dict.fromkeys(DemoWorkspace.__dataclass_fields__, 0)
    generated = generate_workspace(
        frame, today=today, seed=seed, time_zone=settings.TIME_ZONE, next_review_due=rules.next_review_due
    )
    write_demo_workspace(generated)
    return generated.counts()


def unseeded_open_referrals(referrals, *, today: date) -> pd.DataFrame:
    """The frame demo.workspace.generate_workspace takes: the open referrals of the queryset
    with no workspace rows yet, with their start, first plan agreement and latest job start (two queries)."""
    events = JourneyEvent.objects.filter(referral=OuterRef("pk"), event_date__lte=today)
    candidates = (
        referrals.filter(key_worker__isnull=False)
        .filter(Exists(events.filter(code=EventCode.STARTED)))
        .exclude(Exists(events.filter(code=EventCode.EXITED)))
        .exclude(Exists(Appointment.objects.filter(referral=OuterRef("pk"))))
        .exclude(Exists(ActionPlan.objects.filter(referral=OuterRef("pk"))))
    )
    columns = ["referral_id", "contract_id", "nation", "site_ref", "site_name", "user_id"]
    rows = candidates.order_by("pk").values_list(
        "pk", "contract_id", "contract__nation", "site__ref", "site__name", "key_worker__user_id"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    if frame.empty:
        return frame
    dated = (
        JourneyEvent.objects.filter(
            referral__in=candidates,
            event_date__lte=today,
            code__in=[EventCode.STARTED, EventCode.ACTION_PLAN_AGREED, EventCode.JOB_START],
        )
        .values("referral_id", "code")
        .annotate(first=Min("event_date"), latest=Max("event_date"))
        .order_by()
    )
    events_frame = pd.DataFrame.from_records(list(dated), columns=["referral_id", "code", "first", "latest"])
    firsts = events_frame.pivot(index="referral_id", columns="code", values="first")
    latest = events_frame.pivot(index="referral_id", columns="code", values="latest")
    ids = frame["referral_id"]
    for column, source, code in (
        ("started_on", firsts, EventCode.STARTED),
        ("plan_agreed_on", firsts, EventCode.ACTION_PLAN_AGREED),
        ("job_started_on", latest, EventCode.JOB_START),
    ):
        values = source[code] if code in source else pd.Series(dtype=object)
        frame[column] = pd.to_datetime(ids.map(values))
    site_names = frame["site_name"].fillna("").astype(str)
    frame["location"] = frame["site_ref"].map(OFFICES).fillna(site_names)
    configs = workspace_configs(frame["contract_id"].unique().tolist())
    for name in ("fta_follow_up_working_days", "review_interval_months"):
        frame[name] = frame["contract_id"].map({cid: getattr(cfg, name) for cid, cfg in configs.items()})
    frame["user_id"] = frame["user_id"].astype("Int64")
    return frame


def write_demo_workspace(generated: DemoWorkspace) -> None:
    """bulk_create the generated rows, each with its 'created' history record dated when the row was made
    and by whom (so the participant page's "who changed what" reads like a real one); the auto-stamped
    columns (plan updated_at, version created_at, note created_at) are dated as generated. Model objects
    are built CHUNK rows at a time, so memory stays bounded at any demo size."""
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(pk__in=_ids(generated.appointments["booked_by_id"]))
    }
    apps = generated.appointments
    appointment_pks = _write(
        Appointment,
        apps,
        users,
        lambda rows: [
            Appointment(
                referral_id=referral,
                kind=kind,
                starts_at=starts_at,
                location=location,
                status=status,
                fta_reason=reason,
                note=note,
                booked_by_id=user,
            )
            for referral, kind, starts_at, location, status, reason, note, user in zip(
                rows["referral_id"].tolist(),
                rows["kind"],
                _datetimes(rows["starts_at"]),
                rows["location"],
                rows["status"],
                rows["fta_reason"],
                rows["note"],
                _optional(rows["booked_by_id"]),
                strict=True,
            )
        ],
        made=apps["starts_at"] - pd.Timedelta(days=7),
        by=apps["booked_by_id"],
    )  # booked a week ahead

    tasks = generated.follow_ups
    _write(
        FollowUpTask,
        tasks,
        users,
        lambda rows: [
            FollowUpTask(
                referral_id=referral,
                appointment_id=appointment,
                description=text,
                due_date=due,
                done_at=done,
                done_by_id=user,
                outcome=outcome,
            )
            for referral, appointment, text, due, done, user, outcome in zip(
                rows["referral_id"].tolist(),
                appointment_pks[rows["appointment"].to_numpy()].tolist(),
                rows["description"],
                _dates(rows["due_date"]),
                _datetimes(rows["done_at"]),
                _optional(rows["done_by_id"]),
                rows["outcome"],
                strict=True,
            )
        ],
        made=apps["starts_at"].iloc[tasks["appointment"].to_numpy()],
        by=apps["booked_by_id"].iloc[tasks["appointment"].to_numpy()],
    )

    plans = generated.plans
    plan_pks = _write(
        ActionPlan,
        plans,
        users,
        lambda rows: [
            ActionPlan(
                referral_id=referral, version=1, agreed_on=agreed, next_review_due=due, updated_by_id=user
            )
            for referral, agreed, due, user in zip(
                rows["referral_id"].tolist(),
                _dates(rows["agreed_on"]),
                _dates(rows["next_review_due"]),
                _optional(rows["updated_by_id"]),
                strict=True,
            )
        ],
        made=plans["updated_at"],
        by=plans["updated_by_id"],
        stamped="updated_at",
    )

    goals = generated.goals
    goal_plans = goals["plan"].to_numpy()
    _write(
        SmartGoal,
        goals,
        users,
        lambda rows: [
            SmartGoal(
                plan_id=plan,
                position=order,
                key=key,
                goal=goal,
                measure=measure,
                owner=owner,
                due_date=due,
                status=status,
            )
            for plan, order, key, goal, measure, owner, due, status in zip(
                plan_pks[rows["plan"].to_numpy()].tolist(),
                rows["position"].tolist(),
                rows["key"],
                rows["goal"],
                rows["measure"],
                rows["owner"],
                _dates(rows["due_date"]),
                rows["status"],
                strict=True,
            )
        ],
        made=plans["updated_at"].iloc[goal_plans],
        by=plans["updated_by_id"].iloc[goal_plans],
    )

    versions = generated.versions
    _write(
        ActionPlanVersion,
        versions,
        users,
        lambda rows: [
            ActionPlanVersion(
                plan_id=plan,
                number=number,
                goals=snapshot,
                agreed_on=agreed,
                change_note=note,
                created_by_id=user,
            )
            for plan, number, snapshot, agreed, note, user in zip(
                plan_pks[rows["plan"].to_numpy()].tolist(),
                rows["number"].tolist(),
                rows["goals"],
                _dates(rows["agreed_on"]),
                rows["change_note"],
                _optional(rows["created_by_id"]),
                strict=True,
            )
        ],
        made=versions["created_at"],
        by=versions["created_by_id"],
        stamped="created_at",
    )

    reviews = generated.reviews
    _write(
        ActionPlanReview,
        reviews,
        users,
        lambda rows: [
            ActionPlanReview(plan_id=plan, reviewed_on=day, note=note, reviewed_by_id=user)
            for plan, day, note, user in zip(
                plan_pks[rows["plan"].to_numpy()].tolist(),
                _dates(rows["reviewed_on"]),
                rows["note"],
                _optional(rows["reviewed_by_id"]),
                strict=True,
            )
        ],
        made=reviews["recorded_at"],
        by=reviews["reviewed_by_id"],
    )

    notes = generated.notes
    _write(
        Note,
        notes,
        users,
        lambda rows: [
            Note(referral_id=referral, text=text, author_id=user)
            for referral, text, user in zip(
                rows["referral_id"].tolist(), rows["text"], _optional(rows["author_id"]), strict=True
            )
        ],
        made=notes["created_at"],
        by=notes["author_id"],
        stamped="created_at",
    )

    support = generated.support
    _write(
        SupportRecord,
        support,
        users,
        lambda rows: [
            SupportRecord(
                referral_id=referral,
                kind=kind,
                on_date=day,
                hours=_decimal(hours),
                amount=_decimal(amount),
                category=category,
                note=note,
                recorded_by_id=user,
            )
            for referral, kind, day, hours, amount, category, note, user in zip(
                rows["referral_id"].tolist(),
                rows["kind"],
                _dates(rows["on_date"]),
                rows["hours"],
                rows["amount"],
                rows["category"],
                rows["note"],
                _optional(rows["recorded_by_id"]),
                strict=True,
            )
        ],
        made=support["made"],
        by=support["recorded_by_id"],
    )


def _decimal(value) -> Decimal | None:
    return None if pd.isna(value) else Decimal(f"{value:.2f}")


CHUNK = 20_000


def _write(
    model,
    frame: pd.DataFrame,
    users: dict,
    build,
    *,
    made: pd.Series,
    by: pd.Series,
    stamped: str | None = None,
) -> np.ndarray:
    """Write the frame's rows as `build(rows)` makes them, CHUNK at a time: bulk_create (batches of BATCH);
    `stamped`, an auto_now / auto_now_add column that bulk_create sets to the clock, re-dated to `made`;
    then each row's history record, made at `made` (never after now) by the user `by`. Returns the pks."""
    now = timezone.now()
    made = _datetimes(made)
    who = _optional(by)
    pks = np.empty(len(frame), dtype=np.int64)
    for first in range(0, len(frame), CHUNK):
        last = min(first + CHUNK, len(frame))
        created = model.objects.bulk_create(build(frame.iloc[first:last]), batch_size=BATCH)
        for obj, when, user in zip(created, made[first:last], who[first:last], strict=True):
            obj._history_date, obj._history_user = min(when, now), users.get(user)
            if stamped:
                setattr(obj, stamped, when)
        if stamped:
            model.objects.bulk_update(created, [stamped], batch_size=BATCH)
        if hasattr(model, "history"):
            model.history.bulk_history_create(created, batch_size=BATCH)
        pks[first:last] = [obj.pk for obj in created]
    return pks


def _optional(values: pd.Series) -> list:
    """Nullable ids as Python ints and None."""
    return [None if pd.isna(value) else int(value) for value in values]


def _ids(values: pd.Series) -> list[int]:
    return sorted({value for value in _optional(values) if value is not None})


def _datetimes(values: pd.Series) -> list:
    """Aware datetimes (None for NaT) of a tz-aware datetime Series."""
    return [None if pd.isna(value) else value.to_pydatetime() for value in values]


def _dates(values: pd.Series) -> list:
    return np.asarray(values, dtype="datetime64[D]").astype(object).tolist()
