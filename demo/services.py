"""Write path for demo data: import a generated bundle (demo.generator) and create a login per role.

`seed_demo` is what `manage.py seed_demo` (and `make run`) calls. It is idempotent: the bundle is
deterministic for a given size, seed and "today", and re-running reuses the previous run's size and
"today" (recorded in its JobRun), so the import changes nothing and the people (demo.people) are updated in
place. The key workers' workspace of the open referrals (demo.workspace_writer) is seeded last, once: only
referrals with no appointment and no action plan get any, so a re-run adds nothing and nothing a user
entered is touched.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from participants.errors import FlightpathError
from participants.imports.services import import_bundle
from participants.jobs import job_run
from participants.models import JobRun

from .csv_files import write_bundle
from .generator import generate_bundle
from .kpis import seed_demo_kpis
from .people import DEMO_PASSWORD, DemoLogin, create_demo_people, name_demo_sites
from .regimes import seed_demo_regimes
from .reviews import seed_demo_reviews
from .specs import CONTRACTS, DEFAULT_REFERRALS, DEFAULT_SEED
from .workspace_writer import seed_demo_workspace

SEED_DEMO_JOB = "participants.seed_demo"
WORKSPACE_MAX_REFERRALS = 100_000  # the largest demo whose open referrals get a seeded workspace


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
