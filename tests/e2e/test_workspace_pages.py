"""Key workers' workspace in a real browser: FTA and its follow-up, action plans and reviews, PSG moves,
evidence upload; accessibility (axe-core) at desktop and tablet widths; keyboard use."""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from participants import models
from participants.workspace import services as services
from tests import factories as f
from tests.participants.workspace_support import build_desk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GOAL = {
    "key": "",
    "goal": "Update CV",
    "measure": "CV sent to 3 employers",
    "owner": "Participant",
    "due_date": "2025-02-14",
    "status": "NOT_STARTED",
}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} at {[node['target'] for node in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_participant(page, live_server, desk):
    page.goto(f"{live_server.url}/participants/{desk.referral.participant_id}/")
    expect(page.get_by_role("heading", name=re.compile("Participant"))).to_be_visible()


def test_record_an_fta_and_follow_it_up(login, live_server):
    desk = build_desk()
    f.AppointmentFactory(
        referral=desk.referral, kind="INITIAL_ENGAGEMENT", starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    page = login("kim")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    page.get_by_role("row", name=re.compile("RW-1")).get_by_role("link").first.click()
    page.get_by_role("link", name=re.compile("Record attendance for Initial engagement")).click()
    form = page.get_by_role("form", name=re.compile("Record attendance"))
    form.get_by_label("Failed to attend").check()
    form.get_by_label("Reason for not attending").select_option("TRANSPORT")
    form.get_by_role("button", name="Record attendance").click()

    expect(page.get_by_role("alert")).to_contain_text("Attendance recorded.")
    appointments = page.get_by_role("table", name="Appointments of referral RW-1")
    expect(appointments).to_contain_text("Failed to attend")
    expect(appointments).to_contain_text("Transport problem")
    expect(page.get_by_role("list", name="Journey timeline of referral RW-1")).to_contain_text(
        "Failed to attend"
    )
    follow_ups = page.get_by_role("list", name="Open follow-ups of referral RW-1")
    expect(follow_ups).to_contain_text("Follow up failure to attend")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    page.get_by_label("Show").select_option("all")  # the FTA closed the referral: it leaves the active list
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row", name=re.compile("RW-1"))).to_contain_text("FTA follow-up")

    page.get_by_role("row", name=re.compile("RW-1")).get_by_role("link").first.click()
    page.get_by_role("list", name="Open follow-ups of referral RW-1").get_by_role(
        "link", name="Mark done"
    ).click()
    page.get_by_label("What was done").fill("Phoned: bus strike. Referral returned to JCP for re-referral.")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("alert")).to_contain_text("Follow-up marked done.")
    expect(page.get_by_role("list", name="Open follow-ups of referral RW-1")).to_have_count(0)


def test_write_revise_and_review_an_action_plan(login, live_server):
    desk = build_desk()
    page = login("kim")
    open_participant(page, live_server, desk)
    page.get_by_role("link", name="Write plan").click()
    page.get_by_label("Goal (specific) (goal 1)").fill("Update CV")
    page.get_by_label("Measure (goal 1)").fill("CV sent to 3 employers")
    page.get_by_label("Owner (goal 1)").fill("Participant")
    page.get_by_label("Due (goal 1)").fill("2025-02-14")
    page.get_by_label("Agreed and signed with the participant on").fill("2025-01-20")
    page.get_by_role("button", name="Save plan").click()

    expect(page.get_by_role("heading", name="Current plan · version 1")).to_be_visible()
    expect(page.get_by_role("table", name="Current goals")).to_contain_text("CV sent to 3 employers")
    expect(page.get_by_text("Agreed and signed 20 Jan 2025")).to_be_visible()

    page.get_by_role("link", name="Revise plan").click()
    page.get_by_label("Status (goal 1)").select_option("ACHIEVED")
    page.get_by_label("Goal (specific) (goal 2)").fill("Forklift licence")
    page.get_by_label("Measure (goal 2)").fill("Licence held")
    page.get_by_label("Owner (goal 2)").fill("Key worker")
    page.get_by_label("Due (goal 2)").fill("2025-04-30")
    page.get_by_label("What changed and why").fill("CV done; next step a licence")
    page.get_by_role("button", name="Save plan").click()

    versions = page.get_by_role("list", name="Plan versions")
    expect(page.get_by_role("heading", name="Current plan · version 2")).to_be_visible()
    expect(versions.get_by_role("listitem").filter(has_text="Version 2").first).to_contain_text(
        re.compile(r"Changed.*Update CV.*Status.*Not started.*Achieved", re.S)
    )
    expect(versions).to_contain_text("Added Forklift licence")

    page.get_by_label("Review notes").fill("CV sent out; booked forklift course")
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_role("list", name="Reviews")).to_contain_text("CV sent out; booked forklift course")
    next_due = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).strftime("%b")
    expect(page.get_by_text(re.compile(rf"Next review due .*{next_due}"))).to_be_visible()
    assert models.JourneyEvent.objects.filter(referral=desk.referral, code="ACTION_PLAN_AGREED").count() == 1


def test_two_people_revising_one_plan_the_second_sees_a_conflict_and_loses_nothing(
    login, live_server, browser
):
    desk = build_desk()
    services.save_action_plan(
        referral=desk.referral, goals=[GOAL], agreed_on=dt.date(2025, 1, 20), expected_version=0, user=None
    )
    kim = login("kim")
    kim.goto(f"{live_server.url}/referrals/{desk.referral.pk}/action-plan/edit/")
    # Lee, the team leader, opens the same plan in another browser and saves first.
    lee_context = browser.new_context(base_url=live_server.url)
    lee = lee_context.new_page()
    lee.goto("/accounts/login/")
    lee.get_by_label("Username").fill("lee")
    lee.get_by_label("Password").fill("pass")
    lee.get_by_role("button", name="Log in").click()
    lee.goto(f"/referrals/{desk.referral.pk}/action-plan/edit/")
    lee.get_by_label("Measure (goal 1)").fill("CV sent to 5 employers")
    lee.get_by_label("What changed and why").fill("Raised the bar")
    lee.get_by_role("button", name="Save plan").click()
    expect(lee.get_by_role("heading", name="Current plan · version 2")).to_be_visible()
    lee_context.close()

    # Kim saves her own change to the version she opened.
    kim.get_by_label("Goal (specific) (goal 2)").fill("Forklift licence")
    kim.get_by_label("Measure (goal 2)").fill("Licence held")
    kim.get_by_label("Owner (goal 2)").fill("Key worker")
    kim.get_by_label("Due (goal 2)").fill("2025-04-30")
    kim.get_by_role("button", name="Save plan").click()
    expect(kim.get_by_role("alert")).to_contain_text("saved this plan (version 2)")
    expect(kim.get_by_role("alert")).to_contain_text("Nothing you typed is lost")
    saved = kim.get_by_role("region", name=re.compile("The plan as saved now"))
    expect(saved).to_contain_text("CV sent to 5 employers")
    expect(kim.get_by_label("Goal (specific) (goal 2)")).to_have_value("Forklift licence")
    assert models.ActionPlan.objects.get(referral=desk.referral).version == 2  # nothing overwritten

    # Saving again keeps hers, on top of Lee's version.
    kim.get_by_role("button", name="Save plan").click()
    expect(kim.get_by_role("heading", name="Current plan · version 3")).to_be_visible()
    expect(kim.get_by_role("table", name="Current goals")).to_contain_text("Forklift licence")


def test_move_psg_with_a_note(login, live_server):
    desk = build_desk()
    page = login("kim")
    open_participant(page, live_server, desk)
    page.get_by_role("link", name="Move PSG").click()
    form = page.get_by_role("form", name="Move peer support group")
    form.get_by_label("Move to peer support group").select_option("PREPARATION")
    form.get_by_label("Why").fill("Ready to look for work")
    form.get_by_role("button", name="Move").click()
    expect(page.get_by_text("PSG: Preparation")).to_be_visible()
    expect(page.get_by_role("list", name="Journey timeline of referral RW-1")).to_contain_text(
        "Peer support group changed · Preparation"
    )
    expect(page.get_by_role("list", name="Notes")).to_contain_text(
        "Moved to Preparation: Ready to look for work"
    )


def test_upload_evidence_and_it_is_listed(login, live_server, tmp_path):
    desk = build_desk()
    payslip = tmp_path / "payslip-june.pdf"
    payslip.write_bytes(PDF)
    page = login("kim")
    open_participant(page, live_server, desk)
    page.get_by_role("link", name="Upload evidence").click()
    form = page.get_by_role("form", name="Upload evidence")
    form.get_by_label(re.compile("Document")).first.set_input_files(str(payslip))
    form.get_by_label("Document type").select_option("PAYSLIP")
    form.get_by_label("Supports claim").select_option("JOB_OUTCOME")
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("Evidence uploaded.")
    documents = page.get_by_role("list", name="Evidence documents")
    expect(documents).to_contain_text("payslip-june.pdf")
    expect(documents).to_contain_text("Job outcome")
    with page.expect_download() as download:
        documents.get_by_role("link", name="payslip-june.pdf").click()
    assert download.value.suggested_filename == "payslip-june.pdf"


def test_upload_of_a_disguised_file_is_refused_inline(login, live_server, tmp_path):
    desk = build_desk()
    fake = tmp_path / "payslip.pdf"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    page = login("kim")
    open_participant(page, live_server, desk)
    page.get_by_role("link", name="Upload evidence").click()
    form = page.get_by_role("form", name="Upload evidence")
    form.get_by_label(re.compile("Document")).first.set_input_files(str(fake))
    form.get_by_label("Document type").select_option("EMPLOYER_LETTER")
    form.get_by_role("button", name="Upload").click()
    form = page.get_by_role("form", name="Upload evidence")
    expect(form).to_contain_text("content is PNG but its name ends '.pdf'")
    expect(form.get_by_label("Document type")).to_have_value("EMPLOYER_LETTER")  # what was chosen is kept


@pytest.mark.parametrize("width", [1280, 768])
def test_caseload_participant_and_plan_pages_have_no_serious_accessibility_violations(
    login, live_server, width
):
    desk = build_desk()
    f.JourneyEventFactory(referral=desk.referral, code="STARTED", event_date=dt.date(2025, 1, 8))
    services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=dt.date(2025, 1, 20), user=None
    )
    f.AppointmentFactory(referral=desk.referral, starts_at=timezone.now() + dt.timedelta(days=2))
    page = login("kim")
    page.set_viewport_size({"width": width, "height": 900})
    for path in (
        "/caseload/",
        f"/participants/{desk.referral.participant_id}/",
        f"/referrals/{desk.referral.pk}/action-plan/",
        f"/referrals/{desk.referral.pk}/action-plan/edit/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert serious_violations(page) == [], path
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at {width}px"


def test_the_workspace_works_from_the_keyboard(login, live_server):
    desk = build_desk()
    page = login("kim")
    open_participant(page, live_server, desk)
    page.get_by_role("link", name="Add note").focus()
    page.keyboard.press("Enter")
    note = page.get_by_role("form", name="Add a note").get_by_label("Note")
    expect(note).to_be_visible()
    note.focus()
    page.keyboard.type("Phoned about travel costs")
    page.keyboard.press("Tab")  # to the submit button
    page.keyboard.press("Enter")
    expect(page.get_by_role("list", name="Notes")).to_contain_text("Phoned about travel costs")
