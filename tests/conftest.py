import os

import pytest
from hypothesis import settings

# The `smtp` fixture (a real SMTP server) for every test that sends email.
pytest_plugins = ["tests.mailserver"]

# Playwright runs an event loop in the test thread; Django's async-safety check would refuse the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def seeded_programmes_in_transactional_tests(request):
    """A transactional test (live_server, browser) runs after others have flushed the database, seeded rows
    included: put the shipped programmes back first (the data migration's own idempotent seed)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    importlib.import_module("participants.migrations.0002_seed_programmes").seed(apps, None)


# Property tests draw the same examples on every run, so CI is repeatable; `--hypothesis-seed` explores more.
settings.register_profile("flightpath", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("flightpath")
