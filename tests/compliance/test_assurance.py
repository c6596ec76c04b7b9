"""Assurance records (DOMAIN.md 13): seeded CMO samples with checks, error rate and extrapolation, the sample
export from five days before the check, PAT ratings with the repeat flag, and validation rounds."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.models import CmoSample, PatRating
from compliance.selectors import pages as selectors_pages
from compliance.services import assurance as services_assurance
from participants.errors import FlightpathError
from participants.exports import REFERRAL_CSV_COLUMNS
from participants.models import ValidationRound
from tests import factories as f
from tests.compliance.pages_support import build_pages_world


@pytest.fixture
def world(db):
    world = build_pages_world()
    for i in range(20):
        f.ReferralFactory(
            contract=world.contract,
            ref=f"R-POP-{i:02d}",
            referral_date=dt.date(2025, 2, 3),
            group="LTU" if i % 2 else "DISABILITY",
            organisation=world.contract.prime,
        )
    return world


def draw(world, **kw):
    params = dict(
        contract=world.contract,
        size=5,
        period_start=dt.date(2025, 2, 1),
        period_end=dt.date(2025, 2, 28),
        check_date=dt.date(2025, 4, 10),
        seed=42,
    )
    return services_assurance.draw_cmo_sample(**{**params, **kw})


def refs(sample: CmoSample) -> list[str]:
    return list(sample.records.order_by("position").values_list("referral__ref", flat=True))


def test_same_seed_draws_the_same_sample(world):
    first, second = draw(world), draw(world)
    assert refs(first) == refs(second) and len(set(refs(first))) == 5
    assert first.population_size == 20
    assert refs(draw(world, seed=7)) != refs(first)


def test_population_filter_limits_the_draw(world):
    sample = draw(world, size=10, population_filter={"group": "LTU"})
    assert sample.population_size == 10
    assert set(sample.records.values_list("referral__group", flat=True)) == {"LTU"}


def test_sample_larger_than_population_is_refused_naming_size(world):
    with pytest.raises(FlightpathError) as err:
        draw(world, size=21)
    assert err.value.field == "size" and "20" in err.value.message


@given(population=st.integers(1, 500), data=st.data())
def test_draw_is_without_replacement_and_reproducible(population, data):
    size = data.draw(st.integers(1, population))
    seed = data.draw(st.integers(0, 2**32))
    drawn = services_assurance.draw_indexes(seed=seed, population=population, size=size)
    assert len(set(drawn.tolist())) == size and drawn.max() < population
    assert (
        drawn.tolist()
        == services_assurance.draw_indexes(seed=seed, population=population, size=size).tolist()
    )


def test_error_rate_counts_only_the_checked_records_extrapolated_to_population(world):
    sample = draw(world, size=4)
    records = list(sample.records.order_by("position"))
    services_assurance.record_check(record=records[0], answers={}, self_check="PASS", cmo_result="FAIL")
    services_assurance.record_check(record=records[1], answers={}, self_check="PASS", cmo_result="PASS")
    errors = selectors_pages.sample_errors(sample)
    assert (errors.sampled, errors.checked, errors.failed) == (4, 2, 1)
    # 1 failed of the 2 checked: 50% (the 2 unchecked are not passes), extrapolated to the 20 drawn from
    assert errors.error_pct == 50.0 and errors.extrapolated_errors == 10.0
    for record in records[2:]:
        services_assurance.record_check(record=record, answers={}, self_check="PASS", cmo_result="PASS")
    errors = selectors_pages.sample_errors(sample)
    assert (errors.checked, errors.error_pct, errors.extrapolated_errors) == (4, 25.0, 5.0)  # all checked


def test_unknown_checklist_item_is_refused(world):
    record = draw(world).records.first()
    with pytest.raises(FlightpathError) as err:
        services_assurance.record_check(record=record, answers={"Made up": True})
    assert err.value.field == "answers"


def test_record_check_page_saves_answers_and_results(world, client):
    sample = draw(world)
    record = sample.records.order_by("position").first()
    client.force_login(world.manager.user)
    url = f"/compliance/contracts/CP-1/assurance/cmo-samples/{sample.pk}/"
    response = client.post(
        url,
        {
            "record": record.pk,
            "item_0": "on",
            "self_check": "PASS",
            "cmo_result": "FAIL",
            "notes": "No evidence of eligibility",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.answers[sample.checklist[0]] is True and record.answers[sample.checklist[1]] is False
    assert record.cmo_result == "FAIL"
    page = client.get(url).content.decode()
    # only the one record the CMO has checked counts, not the four unchecked ones as passes
    assert "1 failed / 1 checked (checked 1 of 5: the rate will move as the rest are checked)" in page
    assert "= <strong>100.0%</strong>" in page


def test_key_worker_may_not_record_checks(world, client):
    sample = draw(world)
    record = sample.records.first()
    client.force_login(world.alice.user)
    url = f"/compliance/contracts/CP-1/assurance/cmo-samples/{sample.pk}/"
    assert client.post(url, {"record": record.pk, "cmo_result": "FAIL"}).status_code == 403


def test_sample_export_refused_before_five_days_before_the_check(world, client, settings):
    today = dt.date.today()
    client.force_login(world.manager.user)
    early = draw(world, check_date=today + dt.timedelta(days=6))
    response = client.get(f"/compliance/contracts/CP-1/assurance/cmo-samples/{early.pk}/export/")
    assert response.status_code == 403
    assert "available from" in response.content.decode()
    ready = draw(world, check_date=today + dt.timedelta(days=5))
    response = client.get(f"/compliance/contracts/CP-1/assurance/cmo-samples/{ready.pk}/export/")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response.status_code == 200 and [r["referral_ref"] for r in rows] == refs(ready)
    # The sample list's columns: its position, then a referral's columns as every export has them.
    assert list(rows[0]) == ["position", *(name for name, _ in REFERRAL_CSV_COLUMNS)]
    settings.FLIGHTPATH_CMO_EXPORT_LEAD_DAYS = 7
    assert (
        client.get(f"/compliance/contracts/CP-1/assurance/cmo-samples/{early.pk}/export/").status_code == 200
    )


def test_draw_sample_page_validates_the_period(world, client):
    client.force_login(world.manager.user)
    response = client.post(
        "/compliance/contracts/CP-1/assurance/cmo-samples/new/",
        {"size": 3, "period_start": "2025-02-28", "period_end": "2025-02-01", "check_date": "2025-04-10"},
    )
    assert response.status_code == 400
    assert "Population: referred to must be on or after referred from." in response.content.decode()


def test_draw_sample_page_draws_and_redirects(world, client):
    client.force_login(world.manager.user)
    response = client.post(
        "/compliance/contracts/CP-1/assurance/cmo-samples/new/",
        {
            "size": 3,
            "period_start": "2025-02-01",
            "period_end": "2025-02-28",
            "check_date": "2025-04-10",
            "seed": "42",
        },
    )
    sample = CmoSample.objects.get()
    assert response.status_code == 302 and sample.size == 3 and sample.seed == 42


# --- PAT ratings: the flag rule ------------------------------------------------------------------------


TODAY = dt.date(2025, 12, 1)


def rating(pk, day, value, reasons=(), due=None, done=None):
    return SimpleNamespace(
        pk=pk,
        date=dt.date(2025, day, 1),
        rating=value,
        reasons=list(reasons),
        due_date=due,
        action_plan_done_on=done,
    )


def flags_of(ratings):
    return selectors_pages.pat_flags(ratings, today=TODAY)


def test_weak_or_limited_repeated_for_the_same_reason_is_flagged():
    flags = flags_of([rating(1, 1, "LIMITED", ["EVIDENCE"]), rating(2, 2, "WEAK", ["EVIDENCE", "PLANS"])])
    assert flags == {2: "repeated for the same reasons: EVIDENCE"}


def test_an_improvement_for_the_same_reasons_is_not_a_repeat_but_the_same_or_worse_is():
    assert flags_of([rating(1, 1, "WEAK", ["EVIDENCE"]), rating(2, 2, "LIMITED", ["EVIDENCE"])]) == {}
    assert flags_of([rating(1, 1, "LIMITED", ["EVIDENCE"]), rating(2, 2, "LIMITED", ["EVIDENCE"])]) == {
        2: "repeated for the same reasons: EVIDENCE"
    }


def test_a_missed_action_plan_date_is_flagged_whatever_the_rating():
    ratings = [
        rating(1, 1, "REASONABLE", due=dt.date(2025, 3, 1), done=dt.date(2025, 3, 20)),  # done late
        rating(2, 4, "STRONG", due=dt.date(2025, 6, 1)),  # not done and past due
        rating(3, 7, "REASONABLE", due=dt.date(2025, 9, 1), done=dt.date(2025, 8, 29)),  # on time
        rating(4, 10, "REASONABLE", due=dt.date(2026, 1, 15)),  # not due yet
    ]
    assert flags_of(ratings) == {
        1: "action plan due 01 Mar 2025 done late",
        2: "action plan due 01 Jun 2025 not done",
    }


def test_weak_then_limited_for_other_reasons_is_not_flagged():
    assert flags_of([rating(1, 1, "WEAK", ["A"]), rating(2, 2, "LIMITED", ["B"])]) == {}


def test_third_weak_or_limited_in_a_row_is_flagged_and_a_good_rating_resets_the_run():
    ratings = [
        rating(1, 1, "WEAK", ["A"]),
        rating(2, 2, "LIMITED", ["B"]),
        rating(3, 3, "WEAK", ["C"]),
        rating(4, 4, "STRONG"),
        rating(5, 5, "WEAK", ["D"]),
        rating(6, 6, "LIMITED", ["E"]),
    ]
    assert flags_of(ratings) == {3: "weak or limited 3 times in a row"}


def test_pat_page_shows_the_flag(world, client):
    for day, value in ((1, "LIMITED"), (2, "WEAK")):  # the same reason, and worse
        services_assurance.save_pat_rating(
            contract=world.contract,
            date=dt.date(2025, day, 1),
            rating=value,
            reasons=["evidence"],
            findings="Gaps",
            action_plan="Fix",
        )
    client.force_login(world.alice.user)
    html = client.get("/compliance/contracts/CP-1/assurance/").content.decode()
    assert "Flagged:</strong> repeated for the same reasons: EVIDENCE" in html
    assert PatRating.objects.filter(reasons=["EVIDENCE"]).count() == 2


def test_pat_rating_form_saves_reasons_as_codes(world, client):
    client.force_login(world.manager.user)
    response = client.post(
        "/compliance/contracts/CP-1/assurance/pat/new/",
        {
            "date": "2025-03-01",
            "rating": "LIMITED",
            "reasons": "evidence, action plans",
            "findings": "x",
            "action_plan": "y",
            "owner": world.mona.pk,
            "due_date": "2025-04-01",
        },
    )
    assert response.status_code == 302
    pat = PatRating.objects.get()
    assert pat.reasons == ["ACTION PLANS", "EVIDENCE"] and pat.owner == world.mona


# --- Validation rounds ---------------------------------------------------------------------------------


def round_post(**kw):
    return {
        "round": 1,
        "period_start": "2024-04-01",
        "period_end": "2024-09-30",
        "invalid_pct": "4.5",
        "status": "FINAL",
        **kw,
    }


def test_validation_round_added_and_edited(world, client):
    client.force_login(world.manager.user)
    assert (
        client.post("/compliance/contracts/CP-1/assurance/validation-rounds/new/", round_post()).status_code
        == 302
    )
    vr = ValidationRound.objects.get(contract=world.contract)
    url = f"/compliance/contracts/CP-1/assurance/validation-rounds/{vr.pk}/"
    assert client.post(url, round_post(invalid_pct="6")).status_code == 302
    vr.refresh_from_db()
    assert vr.invalid_pct == Decimal("6.00")
    assert "Round 1" in client.get("/compliance/contracts/CP-1/assurance/").content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"invalid_pct": "120"}, "Invalid %: Invalid % must be between 0 and 100."),
        ({"invalid_pct": "-1"}, "Invalid %: Invalid % must be between 0 and 100."),
        ({"period_end": "2024-03-31"}, "Period end: Period end must be on or after period start."),
        ({"round": ""}, "Round: This field is required."),
    ],
)
def test_validation_round_form_errors_name_the_field(world, client, change, message):
    client.force_login(world.manager.user)
    response = client.post(
        "/compliance/contracts/CP-1/assurance/validation-rounds/new/", round_post(**change)
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not ValidationRound.objects.filter(contract=world.contract).exists()


def test_duplicate_round_is_refused_naming_round(world, client):
    client.force_login(world.manager.user)
    client.post("/compliance/contracts/CP-1/assurance/validation-rounds/new/", round_post())
    response = client.post("/compliance/contracts/CP-1/assurance/validation-rounds/new/", round_post())
    assert response.status_code == 400 and "round 1 already exists for CP-1" in response.content.decode()


def test_assurance_pages_outside_scope_are_404(world, client):
    sample = draw(world)
    client.force_login(world.eve.user)
    assert client.get("/compliance/contracts/CP-1/assurance/").status_code == 404
    assert client.get(f"/compliance/contracts/CP-1/assurance/cmo-samples/{sample.pk}/").status_code == 404


def test_assurance_page_query_count_is_bounded(world, client, django_assert_max_num_queries):
    for i in range(5):
        draw(world, seed=i)
        services_assurance.save_pat_rating(
            contract=world.contract,
            date=dt.date(2025, 1, i + 1),
            rating="WEAK",
            reasons=["A"],
            owner=world.mona,
        )
    client.force_login(world.manager.user)
    with django_assert_max_num_queries(12):
        assert client.get("/compliance/contracts/CP-1/assurance/").status_code == 200
