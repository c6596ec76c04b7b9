"""Write path for demo data: import a generated bundle (participants.demo) and create a login per role.

`seed_demo` is what `manage.py seed_demo` (and `make run`) calls. It is idempotent: the bundle is
deterministic for a given size, seed and "today", and re-running reuses the previous run's size and
"today" (recorded in its JobRun), so the import changes nothing and the people are updated in place.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .demo import (
    BRADFORD,
    CONTRACTS,
    DEFAULT_REFERRALS,
    DEFAULT_SEED,
    GLASGOW,
    LEEDS,
    PRIME_REF,
    SUB1,
    generate_bundle,
    key_worker_ref,
    write_bundle,
)
from .errors import FlightpathError
from .jobs import job_run
from .models import Contract, JobRun, Organisation, Role, Site, Staff
from .roles import group_for
from .services import import_bundle

SEED_DEMO_JOB = "participants.seed_demo"
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


# At least one login per role of DOMAIN.md section 1; the last two are staff of one subcontractor.
DEMO_PEOPLE = (
    DemoPerson("kw.leeds", "Amira Hussain", Role.KEY_WORKER, PRIME_REF, (LEEDS,), key_worker_ref(LEEDS, 1)),
    DemoPerson("kw.glasgow", "Callum Fraser", Role.KEY_WORKER, PRIME_REF, (GLASGOW,),
               key_worker_ref(GLASGOW, 1)),
    DemoPerson("pm.prime", "Priya Patel", Role.PERFORMANCE_MANAGER, PRIME_REF, (LEEDS, GLASGOW)),
    DemoPerson("partnerships", "Gareth Evans", Role.PARTNERSHIPS_MANAGER, PRIME_REF),
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


def previous_demo() -> dict | None:
    """The parameters (today, referrals, seed) of the last successful seed_demo run, if any."""
    runs = JobRun.objects.filter(kind=SEED_DEMO_JOB, status=JobRun.Status.SUCCEEDED)
    run = runs.order_by("-started_at").first()
    return run.params if run else None


def seed_demo(*, referrals: int | None = None, today: date | None = None, seed: int | None = None,
              password: str = DEMO_PASSWORD) -> DemoResult:
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
        raise FlightpathError(f"demo data ({loaded}) is loaded already; load other demo data into a fresh "
                              "database", field="referrals")
    with job_run(SEED_DEMO_JOB, params=params) as run:
        if run is None:
            raise FlightpathError("seed_demo is already running", field="seed_demo")
        try:
            bundle = generate_bundle(referrals=referrals, today=today, seed=seed)
        except ValueError as exc:
            raise FlightpathError(str(exc), field="referrals") from exc
        run.report(20, "bundle generated")
        with tempfile.TemporaryDirectory(prefix="flightpath-demo-") as folder:
            write_bundle(bundle, folder)
            imported = import_bundle(path=folder, source=f"seed_demo {params}")
        run.report(80, "bundle imported")
        logins = create_demo_people(password=password)
    return DemoResult(today=today, referrals=referrals, seed=seed, import_counts=imported.counts,
                      logins=logins)


@transaction.atomic
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
        if person.role == Role.DWP_CONTACT:
            for contract in demo_contracts:
                contract.dwp_contacts.add(user)
        where = organisation.name if organisation else "DWP"
        logins.append(DemoLogin(person.username, person.role.label, where, password))
    return logins
