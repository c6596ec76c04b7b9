"""The upload page in a real browser: a bundle uploaded, queued for the background job, its page following the
run (htmx polling) until it has succeeded, without a reload; accessibility (axe-core)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from config.celery import app
from participants.imports.uploads import run_upload
from participants.models import ImportRun, Referral, Role
from tests import factories as f
from tests.participants.import_support import SMALL, zip_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_worker(settings):
    """Tasks go to the broker and no worker listens: the upload stays queued until the test runs its job."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    yield
    app.conf.task_always_eager = True
    app.control.purge()


def test_an_upload_shows_its_progress_until_the_import_has_run(
    login, live_server, settings, tmp_path, no_worker
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []
    prime = f.OrganisationFactory(ref="T-PRIME")
    f.StaffFactory(user__username="pm", role=Role.PERFORMANCE_MANAGER, organisation=prime)
    page = login("pm")
    page.goto(f"{live_server.url}/imports/new/")
    expect(page.get_by_text("Up to 200 MiB in all.")).to_be_visible()
    page.get_by_label("Bundle files").set_input_files(
        files=[{"name": "bundle.zip", "mimeType": "application/zip", "buffer": zip_bytes(SMALL)}]
    )
    page.get_by_role("button", name="Import").click()

    expect(page.locator("#import-status")).to_have_text("Queued")
    expect(page.locator("progress")).to_be_visible()
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

    run_upload(import_run_id=ImportRun.objects.get().pk)  # what the worker would do
    expect(page.locator("#import-status")).to_have_text("Succeeded", timeout=10_000)  # polled, not reloaded
    expect(page.get_by_role("table")).to_contain_text("events.csv")
    expect(page.locator("progress")).to_have_count(0)
    assert Referral.objects.count() == 3
