"""The import's recompute request survives the broker being down: written in the import's transaction, the
import succeeds with the broker unreachable (never an error after the commit) and the every-minute relay
sends the request once the broker answers again."""

from __future__ import annotations

import pytest

from config.celery import app
from participants import tasks
from participants.imports.services import import_bundle
from participants.models import Contract, ImportRun, JobRun, RecomputeRequest
from performance.kpis.services import JOB_KIND as KPI_JOB_KIND
from tests.mailserver import free_port

from .import_support import small

pytestmark = pytest.mark.django_db


class Broker:
    """The Celery app pointed at a port nothing listens on, tasks really sent (not run in-process)."""

    def __init__(self):
        self.saved = (app.conf.broker_url, app.conf.task_always_eager)

    def down(self) -> None:
        app.conf.broker_url, app.conf.task_always_eager = f"redis://127.0.0.1:{free_port()}/0", False
        app._after_fork()  # drop the pooled broker connections, as a forked worker does

    def back(self) -> None:
        app.conf.broker_url, app.conf.task_always_eager = self.saved
        app._after_fork()


@pytest.fixture
def broker():
    broker = Broker()
    yield broker
    broker.back()


def test_an_import_commits_while_the_broker_is_down_and_its_recompute_is_relayed_later(
    tmp_path, broker, django_capture_on_commit_callbacks
):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        result = import_bundle(path=small(tmp_path))  # no error raised after the commit
    assert result.run.status == ImportRun.Status.SUCCEEDED
    assert ImportRun.objects.get().status == ImportRun.Status.SUCCEEDED
    contract = Contract.objects.get(ref="T-1")
    held = list(RecomputeRequest.objects.values_list("task", "contract_id", "months", "attempts"))
    assert held == [
        ("compliance.tasks.recompute_contract", contract.pk, None, 1),  # tried: the broker refused
        ("performance.tasks.recompute_contract", contract.pk, None, 0),  # not tried against a closed door
        ("performance.tasks.recompute_kpis", contract.pk, None, 0),
    ]
    assert RecomputeRequest.objects.first().last_error.startswith("OperationalError")
    assert not JobRun.objects.exists()

    broker.back()  # in-process here: the relay runs each recompute as it sends it
    assert tasks.relay_recompute_requests.delay().get() == 3
    assert not RecomputeRequest.objects.exists()
    runs = set(JobRun.objects.filter(contract=contract).values_list("kind", "status"))
    assert runs == {
        ("compliance.recompute", "SUCCEEDED"),
        ("performance.recompute", "SUCCEEDED"),
        (KPI_JOB_KIND, "SUCCEEDED"),
    }
