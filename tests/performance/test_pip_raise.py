"""A PIP raised by hand from the PIP list (DOMAIN.md 11: staff, team, centre, subcontractor or contract): the
units offered are those the manager sees and may act on, a team's PIP is seen by its site's team leader,
and a bad form keeps what was typed."""

import datetime as dt

import pytest

from participants.models import Team
from performance.models import Pip

from .kpi_support import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world()
    w.team = Team.objects.create(name="Employment team", site=w.site)
    return w


URL = "/performance/contracts/K-1/pips/"


def offered(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    return set() if form is None else set(form.units)


def test_each_manager_is_offered_the_units_they_look_after(client, world):
    everything = offered(client, world.contract_manager.user)
    assert {"CONTRACT:K-1", "ORGANISATION:PRIME", "ORGANISATION:SUB", "SITE:S1", "SITE:S2"} <= everything
    assert {f"TEAM:{world.team.pk}", "STAFF:KW-A", "STAFF:KW-B", "STAFF:KW-S"} <= everything
    assert "STAFF:CM" not in everything  # managers are not rated
    # The team leader of Leeds: their own site, its team and its staff; not the subcontractor's.
    leader = offered(client, world.manager.user)
    assert {"SITE:S1", f"TEAM:{world.team.pk}", "STAFF:KW-A", "CONTRACT:K-1"} <= leader
    assert not {"SITE:S2", "STAFF:KW-S", "ORGANISATION:SUB"} & leader
    # A partnerships manager raises PIPs for their subcontractors only.
    assert offered(client, world.partnerships.user) == {"ORGANISATION:SUB"}
    assert offered(client, world.anna.user) == set()  # a key worker raises none


def test_a_team_pip_is_raised_and_its_team_leader_sees_it(client, world):
    client.force_login(world.contract_manager.user)
    response = client.post(
        URL, {"unit": f"TEAM:{world.team.pk}", "reason": "Starts behind plan", "opened_on": "2025-07-02"}
    )
    pip = Pip.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/pips/{pip.pk}/")
    assert (pip.level, pip.ref, pip.name, pip.opened_on) == (
        "TEAM",
        str(world.team.pk),
        "Employment team (Leeds)",
        dt.date(2025, 7, 2),
    )
    assert (pip.opened_by, pip.rating) == (world.contract_manager.user, None)
    assert pip.reviews.get().scheduled_on == dt.date(2025, 8, 2)
    client.force_login(world.manager.user)
    assert client.get(f"{URL}{pip.pk}/").status_code == 200
    client.force_login(world.partnerships.user)
    assert client.get(f"{URL}{pip.pk}/").status_code == 404


def test_a_bad_form_keeps_what_was_typed_and_writes_nothing(client, world):
    client.force_login(world.contract_manager.user)
    response = client.post(URL, {"unit": "SITE:S1", "reason": "   ", "opened_on": "2025-07-02"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "reason" in form.errors
    assert b'value="SITE:S1" selected' in response.content
    assert Pip.objects.count() == 0
    # A unit not offered (another manager's subcontractor, made up) is refused by the form.
    client.force_login(world.partnerships.user)
    response = client.post(URL, {"unit": "SITE:S1", "reason": "Behind", "opened_on": "2025-07-02"})
    assert response.status_code == 400 and "unit" in response.context["form"].errors
    assert Pip.objects.count() == 0


def test_a_key_worker_cannot_raise_one(client, world):
    client.force_login(world.anna.user)
    response = client.post(URL, {"unit": "STAFF:KW-A", "reason": "Me", "opened_on": "2025-07-02"})
    assert response.status_code == 403
    assert Pip.objects.count() == 0
