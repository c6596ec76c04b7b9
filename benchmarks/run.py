"""Run the speed benchmarks: `python -m benchmarks.run [names...] [--referrals N]` (see benchmarks/__init__).

For each benchmarks/bench_<name>.py (all of them when no name is given):
1. (re)create the PostgreSQL database `flightpath_bench` on the server of DATABASE_URL (its user, host and
   port; the default is the local server);
2. in a child process with DJANGO_SETTINGS_MODULE=config.settings.test and DATABASE_URL pointing at that
   database (never the test database): migrate, then call the module's `run()`; the recompute tasks an
   import enqueues are switched off (FLIGHTPATH_RECOMPUTE_TASKS empty) so each benchmark times only the work
   it measures;
3. print figure / measured / target / pass, and rewrite the benchmark's section of docs/benchmarks.md with
   the machine it ran on.
Exits 1 when a figure misses its target (or a benchmark fails), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
DOC = ROOT / "docs" / "benchmarks.md"
# FLIGHTPATH_BENCH_DATABASE lets two checkouts on one server benchmark without dropping each other's data.
BENCH_DATABASE = os.environ.get("FLIGHTPATH_BENCH_DATABASE", "flightpath_bench")
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DOC_HEADER = """# Benchmarks

Speed figures of Flightpath, written by `make bench` (`python -m benchmarks.run [names...] [--referrals N]`).
Each benchmark runs in its own process on a fresh, migrated PostgreSQL database (`flightpath_bench`), with
Django's test settings; a figure passes when it is at most its target. Each section below is rewritten by
the runner when its benchmark runs, with the machine it ran on: figures from a busy or smaller machine are
not comparable.
"""


@dataclass
class Row:
    figure: str
    measured: object
    limit: float | None = None
    unit: str = ""

    @property
    def passed(self) -> bool | None:
        if self.limit is None:
            return None
        return (
            isinstance(self.measured, int | float)
            and not isinstance(self.measured, bool)
            and self.measured <= self.limit
        )


@dataclass
class Outcome:
    name: str
    rows: list[Row] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    arguments: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.error and all(row.passed is not False for row in self.rows)


# ------------------------------------------------------------------------------------------ discovery


def discover() -> list[str]:
    return sorted(path.stem.removeprefix("bench_") for path in BENCH_DIR.glob("bench_*.py"))


def resolve(names: list[str]) -> tuple[list[str], list[str]]:
    """(benchmarks to run, unknown names); "import", "bench_import" and "bench_import.py" all name one."""
    available = discover()
    wanted = [Path(name).stem.removeprefix("bench_") for name in names] or available
    return [name for name in wanted if name in available], [name for name in wanted if name not in available]


# ----------------------------------------------------------------------------------------- databases


def bench_database_url(database_url: str | None) -> str:
    """DATABASE_URL's server and user with the benchmark database's name."""
    parts = urlsplit(database_url or DEFAULT_SERVER)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"benchmarks.run: DATABASE_URL must be a PostgreSQL URL, got {parts.scheme!r}")
    return urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_DATABASE}", parts.query, ""))


def recreate_database(url: str) -> str:
    """Drop and create the benchmark database; returns the server's version."""
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        return connection.execute("SHOW server_version").fetchone()[0]


# ------------------------------------------------------------------------------------------ figures


def flatten(figures: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def evaluate(figures: dict, targets: dict) -> list[Row]:
    """Target rows first (in TARGETS order; a target whose figure is missing fails), then the rest."""
    flat = flatten(figures)
    rows = [
        Row(name, flat.get(name, "not measured"), float(limit), unit)
        for name, (limit, unit) in targets.items()
    ]
    rows += [Row(name, value) for name, value in flat.items() if name not in targets]
    return rows


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table(rows: list[Row]) -> list[tuple[str, str, str, str]]:
    lines = []
    for row in rows:
        target = f"<= {_fmt(row.limit)} {row.unit}".rstrip() if row.limit is not None else ""
        unit = f" {row.unit}" if row.limit is not None and row.unit else ""
        verdict = {True: "yes", False: "NO", None: ""}[row.passed]
        lines.append((row.figure, _fmt(row.measured) + unit, target, verdict))
    return lines


def print_outcome(outcome: Outcome) -> None:
    print(f"\n== {outcome.name} ({outcome.seconds:.1f} s) {'passed' if outcome.passed else 'FAILED'}")
    if outcome.error:
        print(f"   error: {outcome.error}")
    lines = [("figure", "measured", "target", "pass"), *table(outcome.rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    for number, line in enumerate(lines):
        print("   " + "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            print("   " + "  ".join("-" * width for width in widths))


# ------------------------------------------------------------------------------------------ the doc


def machine(server_version: str) -> str:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"model name\s*:\s*(.+)", cpuinfo).group(1).strip()
        kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kib / 1024**2:.1f} GiB memory"
    except (OSError, AttributeError):
        pass
    load = ", load average {:.2f} {:.2f} {:.2f} at start".format(*os.getloadavg())
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}){memory}{load}; "
        f"Python {platform.python_version()}, PostgreSQL {server_version}"
    )


def section(outcome: Outcome, description: str, when: datetime) -> str:
    arguments = ", ".join(f"{key}={value}" for key, value in outcome.arguments.items()) or "defaults"
    lines = [
        f"<!-- bench:{outcome.name}:begin -->",
        f"## {outcome.name}",
        "",
        f"Run {when:%Y-%m-%d %H:%M} UTC ({arguments}; {outcome.seconds:.1f} s in all), "
        f"{'all targets met' if outcome.passed else 'TARGETS MISSED'}.  ",
        f"Machine: {description}.",
        "",
    ]
    if outcome.error:
        lines += [f"Error: `{outcome.error}`", ""]
    lines += ["| figure | measured | target | pass |", "|---|---:|---|---|"]
    lines += [
        f"| {figure} | {measured} | {target} | {verdict} |"
        for figure, measured, target, verdict in table(outcome.rows)
    ]
    lines.append(f"<!-- bench:{outcome.name}:end -->")
    return "\n".join(lines)


def rewrite_doc(text: str, name: str, new_section: str) -> str:
    """Replace the benchmark's section (between its markers) or append it; the rest stays as it is."""
    if not text.strip():
        text = DOC_HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)}:begin -->.*?<!-- bench:{re.escape(name)}:end -->", re.DOTALL
    )
    if pattern.search(text):
        return pattern.sub(lambda _: new_section, text)
    return text.rstrip("\n") + "\n\n" + new_section + "\n"


# ---------------------------------------------------------------------------------------- running


def run_child(name: str, result_path: str, referrals: int | None) -> None:
    """In the benchmark's own process: migrate the bench database, run the benchmark, write its result."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    module = importlib.import_module(f"benchmarks.bench_{name}")
    parameters = inspect.signature(module.run).parameters
    kwargs = {"referrals": referrals} if referrals is not None and "referrals" in parameters else {}
    figures = module.run(**kwargs)
    arguments = {
        name: parameter.default
        for name, parameter in parameters.items()
        if parameter.default is not inspect.Parameter.empty
    } | kwargs
    result = {"figures": figures, "targets": getattr(module, "TARGETS", {}), "arguments": arguments}
    Path(result_path).write_text(json.dumps(result, default=_plain))


def _plain(value: object) -> object:
    """numpy scalars as Python numbers; anything else JSON cannot hold as its text."""
    return value.item() if hasattr(value, "item") else str(value)


def run_benchmark(name: str, url: str, referrals: int | None) -> Outcome:
    started = time.perf_counter()
    outcome = Outcome(name, arguments={"referrals": referrals} if referrals is not None else {})
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "FLIGHTPATH_RECOMPUTE_TASKS": "",
    }
    with tempfile.TemporaryDirectory(prefix="flightpath-bench-") as folder:
        result_path = Path(folder) / "result.json"
        command = [sys.executable, "-m", "benchmarks.run", "--child", name, "--result", str(result_path)]
        if referrals is not None:
            command += ["--referrals", str(referrals)]
        log_path = Path(folder) / "stderr.log"
        with open(log_path, "w") as log:  # logs and tracebacks; shown only when the benchmark fails
            process = subprocess.run(command, cwd=ROOT, env=env, stderr=log)
        if process.returncode != 0 or not result_path.exists():
            log_text = log_path.read_text()
            sys.stderr.write(log_text)
            last = (log_text.strip().splitlines() or [f"exit status {process.returncode}"])[-1]
            outcome.error = last[:300]
        else:
            result = json.loads(result_path.read_text())
            outcome.rows = evaluate(result["figures"], result["targets"])
            outcome.arguments = result["arguments"] or outcome.arguments
            if not result["targets"]:
                outcome.error = f"benchmarks/bench_{name}.py has no TARGETS"
    outcome.seconds = time.perf_counter() - started
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {', '.join(discover())})")
    parser.add_argument("--referrals", type=int, default=None, help="size passed to each benchmark's run()")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.referrals is not None and args.referrals <= 0:
        parser.error("--referrals: must be a positive whole number")
    sys.path.insert(0, str(ROOT))
    if args.child:
        run_child(args.child, args.result, args.referrals)
        return 0
    names, unknown = resolve(args.names)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(discover())}")
    url = bench_database_url(os.environ.get("DATABASE_URL"))
    outcomes = []
    for name in names:
        server_version = recreate_database(url)
        description = machine(server_version)
        print(f"Running {name} on {urlsplit(url).hostname}/{BENCH_DATABASE} ...", flush=True)
        outcome = run_benchmark(name, url, args.referrals)
        print_outcome(outcome)
        DOC.parent.mkdir(exist_ok=True)
        old = DOC.read_text() if DOC.exists() else ""
        DOC.write_text(rewrite_doc(old, name, section(outcome, description, datetime.now(UTC))))
        outcomes.append(outcome)
    failed = [outcome.name for outcome in outcomes if not outcome.passed]
    print(
        f"\n{len(outcomes) - len(failed)} of {len(outcomes)} benchmarks met every target"
        + (f"; missed: {', '.join(failed)}" if failed else "")
        + f". Figures in {DOC.relative_to(ROOT)}."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
