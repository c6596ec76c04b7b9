"""The standards engine (DOMAIN.md 3, 9, 15) without a database: the golden examples exactly, an independent
row-by-row reference on generated bundles, hand-made calendar cases and hypothesis properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.api.serializers import StandardResultSerializer
from compliance.engine import MEASURES, compute_standards
from compliance.models import Measure
from participants.calendar import calendar_for
from tests.compliance.reference import reference_standards
from tests.compliance.support import EXTRA_STANDARDS, GROUPS, frames, generate_bundle, outputs, rules, shipped
from tests.golden import BUNDLES, assert_matches, bundle_frames, expected


def test_engine_names_the_same_measures_as_the_models():
    assert tuple(Measure.values) == MEASURES


def _golden(name: str):
    bundle = bundle_frames(name)
    want = expected(name)
    programme = bundle.contract["programme"]
    result = compute_standards(
        bundle.referrals,
        bundle.events,
        calendar=calendar_for(bundle.contract["nation"]),
        standards=rules(shipped(programme)),
        as_of=date.fromisoformat(want["as_of"]),
        contract_start=date.fromisoformat(bundle.contract["start_date"]),
        groups=GROUPS[programme],
    )
    return bundle, want, result


@pytest.mark.parametrize("name", BUNDLES)
def test_engine_reproduces_every_golden_standards_response(name):
    bundle, want, result = _golden(name)
    assert set(want["standards"]) == {"ALL", *GROUPS[bundle.contract["programme"]]}
    for group, response in want["standards"].items():
        got = {
            "contract_ref": bundle.contract["contract_ref"],
            "as_of": want["as_of"],
            "results": StandardResultSerializer(result.results_for(group), many=True).data,
        }
        assert_matches(got, response, f"standards.{group}")


@pytest.mark.parametrize("name", BUNDLES)
def test_engine_reproduces_every_golden_failures_list(name):
    _, want, result = _golden(name)
    got = outputs(result)
    assert set(got) == set(want["failures"])
    for code, rows in want["failures"].items():
        assert_matches(got[code][1], rows, f"failures.{code}")


def test_wp_has_no_standards_so_results_are_empty():
    _, want, result = _golden("wp-england")
    assert result.figures == [] and result.failures.empty
    assert all(r["results"] == [] for r in want["standards"].values())


# --- against the independent reference -------------------------------------------------------------------

ALL_RULES = shipped("WHP") + shipped("CAP") + EXTRA_STANDARDS


def _compare(
    referrals,
    events,
    *,
    nation,
    as_of,
    groups=("ALL", "DISABILITY", "EARLY_ENTRY", "LTU"),
    contract_start=date(2024, 11, 1),
    window_start=None,
    window_end=None,
):
    ref_frame, ev_frame = frames(referrals, events)
    result = compute_standards(
        ref_frame,
        ev_frame,
        calendar=calendar_for(nation),
        standards=rules(ALL_RULES),
        as_of=as_of,
        contract_start=contract_start,
        groups=[g for g in groups if g != "ALL"],
        window_start=window_start,
        window_end=window_end,
    )
    for group in groups:
        want = reference_standards(
            referrals,
            events,
            nation=nation,
            standards=ALL_RULES,
            as_of=as_of,
            contract_start=contract_start,
            group=group,
            window_start=window_start,
            window_end=window_end,
        )
        got = outputs(result, group)
        for code, (figures, failures) in want.items():
            assert got[code][0] == figures, f"{nation} {as_of} {group} {code}"
            assert got[code][1] == failures, f"{nation} {as_of} {group} {code} failures"
    return result


@pytest.mark.parametrize("nation", ["ENG", "WLS", "SCT"])
@pytest.mark.parametrize(
    "as_of", [date(2025, 1, 2), date(2025, 4, 22), date(2025, 8, 26), date(2025, 12, 31)]
)
def test_engine_agrees_with_row_by_row_reference_on_generated_bundles(nation, as_of):
    referrals, events = generate_bundle(
        seed=as_of.toordinal() * 10 + ["ENG", "WLS", "SCT"].index(nation), nation=nation, as_of=as_of
    )
    result = _compare(referrals, events, nation=nation, as_of=as_of)
    # The bundle reaches the backlog limits exactly: at the limit is not over it, one day past is.
    css3 = set(result.failures_for("CSS3")["referral_ref"])
    css4 = set(result.failures_for("CSS4")["referral_ref"])
    assert {"AGE16", "AGE25", "AGE26"} <= css3 and "AGE15" not in css3
    assert "AGE26" in css4 and "AGE25" not in css4


def test_engine_agrees_with_reference_inside_a_custom_window():
    referrals, events = generate_bundle(seed=7, nation="SCT")
    _compare(
        referrals,
        events,
        nation="SCT",
        as_of=date(2025, 9, 30),
        window_start=date(2025, 1, 1),
        window_end=date(2025, 6, 30),
    )


# --- hand-made cases ------------------------------------------------------------------------------------

CSS1A = [s for s in shipped("WHP") if s["code"] == "CSS1a"]
CSS4 = [s for s in shipped("WHP") if s["code"] == "CSS4"]


def _one(standards, referral_date, events, *, nation="ENG", as_of=date(2025, 6, 30), code=None):
    referrals = [{"referral_ref": "R1", "referral_date": referral_date, "group": "LTU"}]
    rows = [{"referral_ref": "R1", "code": c, "event_date": d} for c, d in events]
    result = compute_standards(
        *frames(referrals, rows),
        calendar=calendar_for(nation),
        standards=rules(standards),
        as_of=as_of,
        contract_start=date(2024, 1, 1),
        groups=["LTU"],
    )
    return outputs(result)[code or standards[0]["code"]]


def test_referral_on_monday_meets_css1a_when_started_on_the_tenth_working_day():
    figures, failures = _one(CSS1A, date(2025, 1, 6), [("STARTED", date(2025, 1, 20))])
    assert (figures["eligible"], figures["met"], figures["status"], failures) == (1, 1, "MET", [])


def test_referral_started_one_working_day_after_the_deadline_fails_with_its_age():
    figures, failures = _one(CSS1A, date(2025, 1, 6), [("STARTED", date(2025, 1, 21))])
    assert figures["met"] == 0 and figures["compliance_pct"] == 0.0
    assert failures == [
        {
            "referral_ref": "R1",
            "start_date": "2025-01-06",
            "deadline": "2025-01-20",
            "end_date": "2025-01-21",
            "age_working_days": 11,
        }
    ]


def test_scotland_keeps_second_january_so_its_deadline_is_a_day_later_than_englands():
    eng, _ = _one(CSS1A, date(2024, 12, 30), [("STARTED", date(2025, 1, 15))], nation="ENG")
    sct, _ = _one(CSS1A, date(2024, 12, 30), [("STARTED", date(2025, 1, 15))], nation="SCT")
    assert eng["met"] == 0 and sct["met"] == 1


def test_referral_on_a_saturday_rolls_forward_to_monday_before_counting():
    figures, failures = _one(CSS1A, date(2025, 1, 4), [("STARTED", date(2025, 1, 21))])
    assert figures["met"] == 0 and failures[0]["deadline"] == "2025-01-20"


def test_item_is_not_eligible_until_its_deadline_is_on_or_before_the_as_of_date():
    before, _ = _one(CSS1A, date(2025, 1, 6), [], as_of=date(2025, 1, 17))
    on, failures = _one(CSS1A, date(2025, 1, 6), [], as_of=date(2025, 1, 20))
    assert before["eligible"] == 0 and before["compliance_pct"] is None and before["status"] is None
    assert on["eligible"] == 1 and failures[0]["end_date"] is None and failures[0]["age_working_days"] == 10


def test_backlog_at_the_limit_is_not_over_it_and_one_day_later_is():
    at_limit, _ = _one(CSS4, date(2025, 1, 6), [], as_of=date(2025, 2, 10))  # 25 working days old
    past, failures = _one(CSS4, date(2025, 1, 6), [], as_of=date(2025, 2, 11))
    assert (at_limit["over_limit"], at_limit["oldest_age_working_days"], at_limit["status"]) == (0, 25, "MET")
    assert (past["over_limit"], past["status"]) == (1, "NOT_MET")
    assert failures[0]["deadline"] == "2025-02-10" and failures[0]["age_working_days"] == 26


def test_an_event_after_the_as_of_date_does_not_exist_yet():
    figures, failures = _one(
        CSS1A, date(2025, 1, 6), [("STARTED", date(2025, 1, 10))], as_of=date(2025, 1, 9)
    )
    assert figures["eligible"] == 0
    figures, _ = _one(CSS4, date(2024, 1, 8), [("STARTED", date(2025, 1, 10))], as_of=date(2024, 12, 31))
    assert figures["over_limit"] == 1


def test_only_the_first_resolution_counts_when_given_two():
    cap3 = [s for s in shipped("CAP") if s["code"] == "CAP3"]
    figures, _ = _one(
        cap3, date(2025, 1, 6), [("DID_NOT_START", date(2025, 1, 7)), ("STARTED", date(2025, 1, 8))]
    )
    assert figures["met"] == 0


def test_every_non_compliance_is_an_item_and_two_may_share_one_end_event():
    cap4 = [s for s in shipped("CAP") if s["code"] == "CAP4"]
    figures, failures = _one(
        cap4,
        date(2025, 1, 6),
        [
            ("NON_COMPLIANCE", date(2025, 2, 3)),
            ("NON_COMPLIANCE", date(2025, 2, 10)),
            ("SANCTION_DOUBT_RAISED", date(2025, 2, 11)),
        ],
    )
    assert (figures["eligible"], figures["met"]) == (2, 1)
    assert [f["start_date"] for f in failures] == ["2025-02-03"]


def test_css5_counts_only_referrals_started_by_the_as_of_date():
    css5 = [s for s in shipped("WHP") if s["code"] == "CSS5"]
    not_yet, _ = _one(css5, date(2025, 1, 6), [("STARTED", date(2025, 3, 3))], as_of=date(2025, 2, 28))
    started, _ = _one(css5, date(2025, 1, 6), [("STARTED", date(2025, 1, 8))], as_of=date(2025, 2, 28))
    assert not_yet["eligible"] == 0 and started["eligible"] == 1 and started["met"] == 0


def test_css3_with_no_referrals_has_no_figure_and_css4_is_met():
    whp = shipped("WHP")
    result = compute_standards(
        *frames([], []),
        calendar=calendar_for("ENG"),
        standards=rules(whp),
        as_of=date(2025, 1, 31),
        contract_start=date(2024, 1, 1),
        groups=GROUPS["WHP"],
    )
    by_code = {f["code"]: f for f, _ in outputs(result).values()}
    assert by_code["CSS3"]["backlog_pct"] is None and by_code["CSS3"]["status"] is None
    assert by_code["CSS4"]["over_limit"] == 0 and by_code["CSS4"]["status"] == "MET"
    assert by_code["CSS1a"]["compliance_pct"] is None and by_code["CSS1a"]["status"] is None


def test_percentages_round_half_to_even_but_status_compares_unrounded():
    rule = [{**CSS1A[0], "target": 0.12}]
    referrals = [
        {"referral_ref": f"R{i:03d}", "referral_date": date(2025, 1, 6), "group": "LTU"} for i in range(800)
    ]
    events = [{"referral_ref": "R000", "code": "STARTED", "event_date": date(2025, 1, 7)}]
    result = compute_standards(
        *frames(referrals, events),
        calendar=calendar_for("ENG"),
        standards=rules(rule),
        as_of=date(2025, 6, 30),
        contract_start=date(2024, 1, 1),
        groups=["LTU"],
    )
    figures = result.results_for("ALL")[0]
    assert StandardResultSerializer(figures).data["compliance_pct"] == 0.12  # 0.125 rounds to even
    assert figures.status == "MET"  # 0.125 >= 0.12


# --- properties -----------------------------------------------------------------------------------------

days = st.dates(min_value=date(2024, 12, 1), max_value=date(2025, 5, 31))
event_codes = st.sampled_from(
    [
        "STARTED",
        "DID_NOT_START",
        "FAILED_TO_ATTEND",
        "ACKNOWLEDGED",
        "PRAP_RECORDED",
        "ACTION_PLAN_AGREED",
        "ESF_FORM_SIGNED",
        "ESF_FORM_SENT",
        "ENGAGED",
        "NON_COMPLIANCE",
        "SANCTION_DOUBT_RAISED",
        "EXITED",
        "EXIT_REPORT_SENT",
    ]
)


@st.composite
def bundles(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    referrals = [
        {
            "referral_ref": f"H{i:03d}",
            "referral_date": draw(days),
            "group": draw(st.sampled_from(["DISABILITY", "EARLY_ENTRY", "LTU"])),
        }
        for i in range(n)
    ]
    events, keys = [], set()
    for r in referrals:
        for _ in range(draw(st.integers(min_value=0, max_value=5))):
            code = draw(event_codes)
            day = r["referral_date"] + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
            if (r["referral_ref"], code, day) not in keys:
                keys.add((r["referral_ref"], code, day))
                events.append({"referral_ref": r["referral_ref"], "code": code, "event_date": day})
    return referrals, events


def _run(referrals, events, nation, as_of):
    return compute_standards(
        *frames(referrals, events),
        calendar=calendar_for(nation),
        standards=rules(ALL_RULES),
        as_of=as_of,
        contract_start=date(2024, 11, 1),
        groups=GROUPS["WHP"],
    )


PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(bundle=bundles(), nation=st.sampled_from(["ENG", "SCT"]), as_of=days)
def test_figures_are_consistent_counts_and_percentages_in_range(bundle, nation, as_of):
    result = _run(*bundle, nation, as_of)
    for f in result.figures:
        failing = len(result.failures_for(f.code, f.group))
        if f.measure == "deadline":
            assert 0 <= f.met <= f.eligible and failing == f.eligible - f.met
            assert f.compliance_pct is None or 0 <= f.compliance_pct <= 100
        elif f.measure == "backlog_share":
            assert 0 <= f.backlog <= f.referrals and failing == f.backlog
            assert f.backlog_pct is None or 0 <= f.backlog_pct <= 100
        else:
            assert failing == f.over_limit >= 0
    for code in {f.code for f in result.figures}:
        whole = next(f for f in result.figures if f.code == code and f.group == "ALL")
        parts = [f for f in result.figures if f.code == code and f.group != "ALL"]
        for name in ("eligible", "met", "referrals", "backlog", "over_limit"):
            if getattr(whole, name) is not None:
                assert getattr(whole, name) == sum(getattr(p, name) for p in parts)


@PROPERTY_SETTINGS
@given(
    bundle=bundles(),
    nation=st.sampled_from(["ENG", "WLS", "SCT"]),
    as_of=days,
    later=st.integers(min_value=1, max_value=40),
    code=event_codes,
)
def test_adding_a_later_event_never_changes_an_earlier_as_of(bundle, nation, as_of, later, code):
    referrals, events = bundle
    if not referrals:
        return
    before = _run(referrals, events, nation, as_of)
    extra = {
        "referral_ref": referrals[0]["referral_ref"],
        "code": code,
        "event_date": max(as_of, referrals[0]["referral_date"]) + timedelta(days=later),
    }
    after = _run(referrals, events + [extra], nation, as_of)
    assert (
        StandardResultSerializer(before.figures, many=True).data
        == StandardResultSerializer(after.figures, many=True).data
    )
    assert before.failures.equals(after.failures)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundle=bundles(), nation=st.sampled_from(["ENG", "SCT"]), as_of=days)
def test_engine_agrees_with_reference_on_arbitrary_small_bundles(bundle, nation, as_of):
    _compare(*bundle, nation=nation, as_of=as_of)
