"""A contract's own (tender) standards, added, changed and deleted in the browser (DOMAIN.md 9): validation
naming the field with what was typed kept, permissions and scope, figures dropped and recomputed."""

from __future__ import annotations

import pytest

from compliance.models import Standard, StandardSnapshot
from tests.compliance.pages_support import build_pages_world

NEW = "/compliance/contracts/{ref}/standards/tender/new/"
PAGE = "/compliance/contracts/{ref}/standards/"

TS1 = {
    "code": "TS1",
    "name": "Acknowledge the next working day",
    "measure": "deadline",
    "start_event": "REFERRED",
    "end_events": ["ACKNOWLEDGED"],
    "limit_working_days": "1",
    "target": "90",
    "position": "50",
}


@pytest.fixture
def world(db):
    return build_pages_world()


def _as(client, staff):
    client.force_login(staff.user)
    return client


def _rows(client, ref="CP-1") -> dict:
    response = client.get(PAGE.format(ref=ref))
    assert response.status_code == 200
    return {row.figures.code: row for row in response.context["rows"]}


def test_a_contract_manager_adds_a_tender_standard_and_its_figure_is_stored(
    world, client, django_capture_on_commit_callbacks
):
    _as(client, world.manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(NEW.format(ref="CP-1"), TS1)
    assert response.status_code == 302 and response.url == PAGE.format(ref="CP-1")
    assert len(callbacks) == 1  # the recompute job, after commit
    standard = Standard.objects.get(contract=world.contract, code="TS1")
    assert standard.programme_id is None and standard.end_events == ["ACKNOWLEDGED"]
    assert StandardSnapshot.objects.filter(contract=world.contract, standard=standard).exists()
    # Five referrals of 6 Jan 2025, due 7 Jan: only R-ALICE-2 was acknowledged by then (20%, below 90%).
    row = _rows(client)["TS1"]
    assert row.own_pk == standard.pk and row.value == pytest.approx(20.0) and row.rag_class == "rag-red"
    html = client.get(PAGE.format(ref="CP-1")).content.decode()
    assert "Add a tender standard" in html and f"/standards/tender/{standard.pk}/" in html


def test_a_tender_standard_replaces_the_programme_standard_of_its_code(
    world, client, django_capture_on_commit_callbacks
):
    _as(client, world.manager)
    before = _rows(client)["CSS2"]
    assert before.own_pk is None and before.figures.limit_working_days == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW.format(ref="CP-1"), {**TS1, "code": "CSS2", "limit_working_days": "10"})
    after = _rows(client)["CSS2"]
    own = Standard.objects.get(contract=world.contract, code="CSS2")
    assert after.own_pk == own.pk and after.figures.limit_working_days == 10
    shipped = Standard.objects.get(programme=world.contract.programme, code="CSS2")
    assert not StandardSnapshot.objects.filter(contract=world.contract, standard=shipped).exists()
    # Other contracts keep the programme's standard.
    assert Standard.objects.for_contract(world.other_contract)[0].contract_id is None


def test_bad_input_names_each_field_and_keeps_what_was_typed(world, client):
    _as(client, world.manager)
    typed = {**TS1, "code": "1-bad", "target": "150", "end_events": [], "name": "Typed name stays"}
    response = client.post(NEW.format(ref="CP-1"), typed)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"code", "target", "end_events"}
    assert "at most 100" in errors["target"][0]
    html = response.content.decode()
    assert 'value="Typed name stays"' in html and 'value="1-bad"' in html and "Code: use letters" in html
    assert not Standard.objects.filter(contract=world.contract).exists()


def test_a_code_the_contract_already_has_is_refused_on_the_code_field(world, client):
    _as(client, world.manager)
    Standard.objects.create(contract=world.contract, **{**TS1, "end_events": ["ACKNOWLEDGED"]})
    response = client.post(NEW.format(ref="CP-1"), TS1)
    assert response.status_code == 400
    assert "already has its own standard TS1" in response.context["form"].errors["code"][0]


def test_a_backlog_maximum_target_is_a_whole_number(world, client):
    _as(client, world.manager)
    response = client.post(NEW.format(ref="CP-1"), {**TS1, "measure": "backlog_max", "target": "2.5"})
    assert response.status_code == 400 and "whole number" in response.context["form"].errors["target"][0]


def test_changing_a_standard_drops_its_stale_figures_until_the_job_stores_new_ones(
    world, client, django_capture_on_commit_callbacks
):
    _as(client, world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW.format(ref="CP-1"), TS1)
    standard = Standard.objects.get(contract=world.contract, code="TS1")
    edit = f"/compliance/contracts/CP-1/standards/tender/{standard.pk}/"
    assert client.get(edit).context["form"].initial["limit_working_days"] == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(edit, {**TS1, "limit_working_days": "7"})
    assert response.status_code == 302 and len(callbacks) == 1
    assert not StandardSnapshot.objects.filter(standard=standard).exists()
    # Computed on demand meanwhile, with the new limit.
    row = _rows(client)["TS1"]
    assert row.figures.limit_working_days == 7 and row.value is not None


def test_deleting_a_tender_standard_brings_the_programme_one_back(
    world, client, django_capture_on_commit_callbacks
):
    _as(client, world.mona)  # performance managers may manage tender standards too
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW.format(ref="CP-1"), {**TS1, "code": "CSS2"})
    own = Standard.objects.get(contract=world.contract, code="CSS2")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/compliance/contracts/CP-1/standards/tender/{own.pk}/delete/")
    assert response.status_code == 302
    assert not Standard.objects.filter(pk=own.pk).exists()
    assert _rows(client)["CSS2"].own_pk is None


def test_key_workers_may_not_add_standards_and_other_contracts_are_404(world, client):
    assert _as(client, world.alice).get(NEW.format(ref="CP-1")).status_code == 403
    assert "Add a tender standard" not in client.get(PAGE.format(ref="CP-1")).content.decode()
    assert _as(client, world.manager).get(NEW.format(ref="CP-2")).status_code == 404
    assert client.get("/compliance/contracts/CP-1/standards/tender/999999/").status_code == 404


def test_a_new_standard_can_start_from_a_shipped_one(world, client):
    form = _as(client, world.manager).get(NEW.format(ref="CP-1"), {"copy": "CSS1a"}).context["form"]
    assert form.initial["code"] == "CSS1a" and form.initial["limit_working_days"] == 10
