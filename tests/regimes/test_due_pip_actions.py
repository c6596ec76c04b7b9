"""Issue 12: the user's open PIP actions on what's due (page and daily email), overdue ones marked, and only
their own, open ones on open PIPs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from performance.kpis.services import add_action, raise_pip, set_action_status
from regimes.services.digest import send_whats_due_emails

from .helpers import world

TODAY = dt.date.today()


def _pip(w, name="North team plan"):
    return raise_pip(
        contract=w.contract,
        level="TEAM",
        ref="T-1",
        name=name,
        reason="Starts missed.",
        user=w.manager,
        opened_on=TODAY - dt.timedelta(days=30),
    )


@pytest.mark.django_db
def test_whats_due_lists_my_open_pip_actions_overdue_marked_without_a_query_per_row(
    django_assert_max_num_queries,
):
    w = world()
    pip = _pip(w)
    add_action(
        pip=pip,
        action="Call every new starter",
        measure="",
        owner=w.manager,
        due_date=TODAY - dt.timedelta(days=2),
    )
    add_action(
        pip=pip,
        action="Weekly caseload review",
        measure="10 a week",
        owner=w.manager,
        due_date=TODAY + dt.timedelta(days=5),
    )
    done = add_action(pip=pip, action="Already finished", measure="", owner=w.manager, due_date=TODAY)
    set_action_status(action=done, status="DONE")
    add_action(pip=pip, action="Someone else's", measure="", owner=w.key_worker, due_date=TODAY)
    client = Client()
    client.force_login(w.manager)
    with django_assert_max_num_queries(16):
        page = client.get("/regimes/due/")
    body = page.content.decode()
    assert page.status_code == 200 and "Your PIP actions" in body
    assert "Call every new starter" in body and "Weekly caseload review" in body and "(10 a week)" in body
    assert "Already finished" not in body and "Someone else&#x27;s" not in body
    assert body.count(">Overdue</span>") == 1 and f"/pips/{pip.pk}/" in body
    for n in range(5):
        add_action(pip=pip, action=f"More {n}", measure="", owner=w.manager, due_date=TODAY)
    with django_assert_max_num_queries(16):
        assert "More 4" in client.get("/regimes/due/").content.decode()


@pytest.mark.django_db
def test_the_daily_email_carries_pip_actions_even_for_an_owner_with_no_obligations(smtp):
    w = world()
    pip = _pip(w)
    w.key_worker.email = "kw@example.org"
    w.key_worker.save()
    add_action(
        pip=pip,
        action="Shadow a senior adviser",
        measure="",
        owner=w.key_worker,
        due_date=TODAY - dt.timedelta(days=1),
    )
    closed = _pip(w, name="Closed plan")
    add_action(pip=closed, action="On a closed PIP", measure="", owner=w.key_worker, due_date=TODAY)
    closed.status = "CLOSED"
    closed.save()
    assert send_whats_due_emails(today=TODAY) == 1
    assert send_whats_due_emails(today=TODAY) == 0
    message = smtp.by_recipient()["kw@example.org"]
    text = message.get_body().get_content()
    assert "YOUR PIP ACTIONS" in text and "Shadow a senior adviser (North team plan, RG-1)" in text
    assert "OVERDUE" in text and "On a closed PIP" not in text
    assert message["Subject"] == "Flightpath: 1 PIP action open, 1 overdue"
