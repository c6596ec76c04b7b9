"""CPRs (DOMAIN.md 10, 17.9): holding one fulfils its obligation; its Contract Assessment Report carries
every open action point of the earlier CPRs until done; the CAR and the deep dive letter as PDFs; the
timeline's entries."""

import datetime as dt

import pytest
from django.urls import reverse

from participants.errors import FlightpathError
from regimes.models import Obligation
from regimes.selectors import reviews as selectors
from regimes.selectors.timeline import SOURCES
from regimes.services import releases
from regimes.services import reviews as services
from tests.regimes.support import build_world, pdf_text

pytestmark = pytest.mark.django_db
D = dt.date


def cpr(world, month, meeting_on):
    return services.save_cpr(
        contract=world.contract,
        by=world.dwp.user,
        month=month,
        meeting_on=meeting_on,
        agenda="Performance against MPL\nThe action plan",
        attendees="Dora (DWP), Pam",
        assessment="Improving",
    )


def test_an_open_action_point_carries_to_every_later_cpr_until_done():
    world = build_world()
    jan = cpr(world, D(2026, 1, 1), D(2026, 1, 28))
    point = services.add_action_point(
        cpr=jan, what="PG1 caseload review", owner="Pam", due_date=D(2026, 2, 13)
    )
    feb = cpr(world, D(2026, 2, 1), D(2026, 2, 25))
    mar = cpr(world, D(2026, 3, 1), D(2026, 3, 25))
    assert selectors.car_action_points(feb) == ([], [point])
    assert selectors.car_action_points(mar) == ([], [point])
    services.set_action_point_status(point=point, done=True, on=D(2026, 3, 2))
    # Done after February's CPR: March's report shows it once more, done; April's no longer.
    raised, carried = selectors.car_action_points(mar)
    assert carried == [point] and carried[0].done_on == D(2026, 3, 2)
    apr = cpr(world, D(2026, 4, 1), D(2026, 4, 22))
    assert selectors.car_action_points(apr) == ([], [])
    assert selectors.car_action_points(jan) == ([point], [])


def test_a_later_cprs_point_is_not_on_an_earlier_report():
    world = build_world()
    jan, feb = cpr(world, D(2026, 1, 1), D(2026, 1, 28)), cpr(world, D(2026, 2, 1), D(2026, 2, 25))
    services.add_action_point(cpr=feb, what="New", owner="Pam", due_date=D(2026, 3, 1))
    assert selectors.car_action_points(jan) == ([], [])


def test_holding_the_cpr_fulfils_its_obligation_once():
    world = build_world()
    releases.refresh_review_obligations(contract=world.contract, today=D(2026, 3, 25))
    march = cpr(world, D(2026, 3, 1), D(2026, 4, 8))
    services.hold_cpr(cpr=march, on=D(2026, 4, 9))
    ob = Obligation.objects.get(key=f"cpr:{world.contract.pk}:2026-03")
    assert ob.status == Obligation.Status.DONE and ob.done_on == D(2026, 4, 9)
    with pytest.raises(FlightpathError, match="held on 9 Apr 2026 already"):
        services.hold_cpr(cpr=march, on=D(2026, 4, 10))


def test_one_cpr_a_month_and_questions_answered_after_they_are_sent():
    world = build_world()
    march = cpr(world, D(2026, 3, 1), D(2026, 4, 8))
    with pytest.raises(FlightpathError, match="already recorded") as exc:
        cpr(world, D(2026, 3, 1), D(2026, 4, 9))
    assert exc.value.field == "month"
    question = services.ask_question(cpr=march, question="Why did PG1 fall?", sent_on=D(2026, 4, 1))
    with pytest.raises(FlightpathError, match="before the question was sent"):
        services.answer_question(question=question, answer="Staff turnover", on=D(2026, 3, 30))
    services.answer_question(question=question, answer="Staff turnover", on=D(2026, 4, 3))


def test_the_car_pdf_holds_the_contract_the_questions_and_the_carried_points(client, tmp_path):
    world = build_world()
    jan = cpr(world, D(2026, 1, 1), D(2026, 1, 28))
    services.add_action_point(cpr=jan, what="PG1 caseload review", owner="Pam", due_date=D(2026, 2, 13))
    feb = cpr(world, D(2026, 2, 1), D(2026, 2, 25))
    services.ask_question(cpr=feb, question="Why did PG1 fall?", sent_on=D(2026, 2, 18))
    client.force_login(world.key_worker.user)
    response = client.get(reverse("regimes:cpr-report", args=["CP-1", feb.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Contract Assessment Report" in text and "CP-1" in text and "February 2026" in text
    assert "PG1 caseload review" in text and "(carried)" in text and "Why did PG1 fall?" in text


def test_who_keeps_cprs_and_deep_dives(client):
    world = build_world()
    url = reverse("regimes:cpr-new", args=["CP-1"])
    body = {"month": "2026-03", "meeting_on": "2026-04-08"}
    for staff, status in ((world.key_worker, 403), (world.other_dwp, 404), (world.other_pm, 404)):
        client.force_login(staff.user)
        assert client.post(url, body).status_code == status
    client.force_login(world.dwp.user)
    assert client.post(url, body).status_code == 302
    client.force_login(world.pm.user)
    assert client.post(url, body).status_code == 400  # the month is taken: the form says so
    response = client.post(
        reverse("regimes:deep-dive-new", args=["CP-1"]), {"kind": "DEEP_DIVE", "subject": "PG6A"}
    )
    assert response.status_code == 400 and b'value="PG6A"' in response.content


def test_a_deep_dive_letter_and_its_follow_ups(client, tmp_path):
    world = build_world()
    dive = services.save_deep_dive(
        contract=world.contract,
        by=world.dwp.user,
        kind="GO_LOOK_SEE",
        subject="Edinburgh site delivery",
        visit_on=D(2026, 5, 12),
        letter="We will observe two caseload reviews.",
        outcome="Good practice seen.",
    )
    services.add_action_point(
        deep_dive=dive, what="Share the review template", owner="Pam", due_date=D(2026, 5, 29)
    )
    client.force_login(world.contract_manager.user)
    page = client.get(reverse("regimes:deep-dive", args=["CP-1", dive.pk]))
    assert b"Share the review template" in page.content
    response = client.get(reverse("regimes:deep-dive-letter", args=["CP-1", dive.pk]))
    text = pdf_text(response.content, tmp_path)
    assert "Go-look-see: Edinburgh site delivery" in text and "CP-1" in text and "12 May 2026" in text
    assert "Share the review template" in text


def test_plans_cprs_and_deep_dives_are_on_the_timeline():
    world = build_world()
    cpr(world, D(2026, 1, 1), D(2026, 1, 28))
    services.save_deep_dive(
        contract=world.contract, by=None, kind="DEEP_DIVE", subject="PG1", visit_on=D(2026, 2, 2), letter="x"
    )
    assert "regimes.selectors.plans:timeline_entries" in SOURCES
    entries = list(selectors.timeline_entries(world.contract))
    assert [(e.on, e.kind, e.title) for e in entries] == [
        (D(2026, 1, 28), "CPR", "CPR January 2026 planned"),
        (D(2026, 2, 2), "DEEP_DIVE", "Deep dive: PG1"),
    ]
