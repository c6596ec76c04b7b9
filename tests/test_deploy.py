"""The deployment: the compose file's web health check answers through the production settings (plain HTTP
exempt from the redirect to https, a Host that ALLOWED_HOSTS accepts), the file points at no server it does
not define, and production refuses a mail backend that delivers nothing."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.conf import settings
from django.db import connection

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def production_env(**overrides: str) -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "DJANGO_SETTINGS_MODULE"}}
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-test-key-of-more-than-thirty-two-characters",
        "ALLOWED_HOSTS": "flightpath.example.org,.example.org",
        "DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": "smtp://127.0.0.1:1",
        **overrides,
    }


def start_django(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, host: str) -> tuple[int, str]:
    """Status and Location of one plain GET, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(
            urllib.request.Request(url, headers={"Host": host}), timeout=10
        )
        return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


@pytest.fixture
def gunicorn(db):
    """The web service's server with the production settings, on a free port of 127.0.0.1."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=settings.BASE_DIR,
        env=production_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90
    while True:  # until its worker has loaded the application and answers
        try:
            get(f"http://127.0.0.1:{port}/health/", "flightpath.example.org")
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=30)


def test_the_compose_health_check_passes_against_the_production_settings(gunicorn):
    check = compose()["services"]["web"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]
    script = check[3].replace("127.0.0.1:8000", f"127.0.0.1:{gunicorn}")
    env = {**os.environ, "ALLOWED_HOSTS": production_env()["ALLOWED_HOSTS"]}
    ran = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    base = f"http://127.0.0.1:{gunicorn}"
    assert get(f"{base}/health/", "127.0.0.1")[0] == 400  # why the check sends a Host: not an allowed one
    assert get(f"{base}/health/", "flightpath.example.org") == (200, "")  # no redirect to https
    assert get(f"{base}/", "flightpath.example.org") == (301, "https://flightpath.example.org/")


def test_the_compose_file_points_at_no_server_it_does_not_define():
    spec = compose()
    services = set(spec["services"])
    defaults = {
        name: match.group(1)
        for name, value in spec["x-app"]["environment"].items()
        if (match := re.fullmatch(r"\$\{\w+:-(.*)\}", str(value)))
    }
    hosts = {name: urlparse(url).hostname for name, url in defaults.items() if "://" in url}
    assert hosts == {"DATABASE_URL": "postgres", "REDIS_URL": "redis"} and set(hosts.values()) <= services
    assert defaults["EMAIL_URL"] == ""  # no default: production refuses to start without one


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is installed by .ci/run")
def test_the_compose_file_is_valid():
    ran = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr


@pytest.mark.parametrize(
    ("email_url", "message"),
    [
        (None, "EMAIL_URL is not set: the console backend prints every email and sends none"),
        ("", "EMAIL_URL is not set: the console backend prints every email and sends none"),
        (
            "consolemail://",
            "EMAIL_URL gives django.core.mail.backends.console.EmailBackend, which prints every email",
        ),
    ],
)
def test_production_refuses_to_start_with_a_mail_backend_that_delivers_nothing(email_url, message):
    env = production_env()
    env.pop("EMAIL_URL")
    if email_url is not None:
        env["EMAIL_URL"] = email_url
    started = start_django(env)
    assert started.returncode != 0
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in started.stderr


def test_production_starts_with_an_smtp_server():
    started = start_django(production_env(EMAIL_URL="smtp+tls://user:secret@smtp.example.org:587"))
    assert started.returncode == 0, started.stderr
