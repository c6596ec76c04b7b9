"""Demo data (demo.generator) and `seed_demo`: the bundle keeps DATA.md's rules and looks like
DOMAIN.md section 16; seed_demo gives every role a login with its group and scope, and runs twice safely."""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.csv_files import write_bundle
from demo.generator import generate_bundle
from demo.people import DEMO_PASSWORD, DEMO_PEOPLE, SUPERUSER
from demo.services import seed_demo
from demo.specs import CONTRACTS
from participants.calendar import calendar_for
from participants.errors import FlightpathError
from participants.imports.reading import read_bundle
from participants.imports.services import known_state
from participants.imports.validation import validate_bundle
from participants.journey import RESOLUTION_CODES
from participants.models import (
    Contract,
    EventCode,
    JourneyEvent,
    Participant,
    PeerSupportGroup,
    Programme,
    Referral,
    Role,
    Staff,
)
from participants.roles import group_for

TODAY = date(2026, 3, 18)
RESOLUTIONS = list(RESOLUTION_CODES)


@lru_cache(maxsize=4)
def bundle(referrals: int = 3_000, today: date = TODAY, seed: int = 2011) -> dict[str, pd.DataFrame]:
    return generate_bundle(referrals=referrals, today=today, seed=seed)


def joined(files: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Events with their referral's date, contract nation and programme."""
    referrals = files["referrals.csv"].astype(str)
    events = files["events.csv"].astype(str)
    contracts = files["contracts.csv"][["contract_ref", "nation", "programme"]]
    frame = events.merge(
        referrals[["contract_ref", "referral_ref", "referral_date"]],
        on=["contract_ref", "referral_ref"],
        how="left",
        validate="many_to_one",
    )
    frame = frame.merge(contracts, on="contract_ref", how="left")
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    frame["referral_date"] = pd.to_datetime(frame["referral_date"])
    return frame


# ------------------------------------------------------------------------------------------ the bundle


@pytest.mark.django_db
def test_generated_bundle_passes_the_import_validation(tmp_path):
    write_bundle(bundle(), tmp_path)
    valid = validate_bundle(read_bundle(tmp_path), known_state([]))  # raises BundleRejected listing bad rows
    assert len(valid.frames["referrals.csv"]) == 3_000
    assert set(valid.frames) == {
        "contracts.csv",
        "organisations.csv",
        "referrals.csv",
        "events.csv",
        "mpl_profiles.csv",
        "validation_rounds.csv",
        "mpl_targets.csv",
    }


def test_same_seed_and_date_write_byte_identical_files(tmp_path):
    first = write_bundle(generate_bundle(referrals=900, today=TODAY, seed=7), tmp_path / "a")
    second = write_bundle(generate_bundle(referrals=900, today=TODAY, seed=7), tmp_path / "b")
    other = write_bundle(generate_bundle(referrals=900, today=TODAY, seed=8), tmp_path / "c")
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in names)
    assert (first / "events.csv").read_bytes() != (other / "events.csv").read_bytes()


def test_each_referral_has_at_most_one_resolution_event():
    events = bundle()["events.csv"].astype(str)
    resolutions = events[events["event"].isin(RESOLUTIONS)]
    assert resolutions.duplicated(["contract_ref", "referral_ref"]).sum() == 0
    assert len(resolutions) > 0.9 * len(bundle()["referrals.csv"])  # almost all resolved by today


def test_no_event_is_dated_before_its_referral_or_after_today():
    frame = joined(bundle())
    assert frame["referral_date"].notna().all(), "every event names a referral of the bundle"
    assert (frame["event_date"] >= frame["referral_date"]).all()
    assert frame["event_date"].max() <= pd.Timestamp(TODAY)


def test_event_keys_are_unique():
    events = bundle()["events.csv"].astype(str)
    assert events.duplicated(["contract_ref", "referral_ref", "event", "event_date"]).sum() == 0
    referrals = bundle()["referrals.csv"].astype(str)
    assert referrals.duplicated(["contract_ref", "referral_ref"]).sum() == 0


@pytest.mark.django_db
def test_groups_are_the_contracts_programme_groups():
    groups = dict(Programme.objects.values_list("code", "groups"))
    files = bundle()
    contracts = files["contracts.csv"]
    programmes = dict(zip(contracts["contract_ref"], contracts["programme"], strict=True))
    for name in ("referrals.csv", "mpl_profiles.csv", "mpl_targets.csv"):
        rows = files[name].astype(str)
        allowed = rows["contract_ref"].map(lambda ref: groups[programmes[ref]])
        assert all(g in ok for g, ok in zip(rows["group"], allowed, strict=True)), name
    referrals = files["referrals.csv"].astype(str)
    for ref, code in programmes.items():  # every group of the programme has referrals
        assert set(referrals.loc[referrals["contract_ref"] == ref, "group"]) == set(groups[code])


def test_events_use_only_domain_codes_and_details():
    events = bundle()["events.csv"].astype(str)
    assert set(events["event"]) <= set(EventCode.values) - {EventCode.REFERRED}
    psg = events[events["event"] == EventCode.PSG_CHANGED]
    assert set(psg["detail"]) <= set(PeerSupportGroup.values)
    outcome_details = set(events.loc[events["event"] == EventCode.JOB_OUTCOME, "detail"])
    assert outcome_details == {"", "self_employed"}


def test_bundle_has_a_prime_three_subcontractors_five_sites_and_the_three_programmes():
    files = bundle()
    orgs = files["organisations.csv"]
    assert list(orgs["kind"]).count("PRIME") == 1 and list(orgs["kind"]).count("SUBCONTRACTOR") == 3
    contracts = files["contracts.csv"].set_index("programme")
    assert dict(contracts["nation"]) == {"WP": "ENG", "WHP": "SCT", "CAP": "WLS"}
    referrals = files["referrals.csv"].astype(str)
    assert referrals["site_ref"].nunique() == 5
    with_dda = referrals.loc[referrals["dda"] != "", "contract_ref"]
    assert set(with_dda) == {contracts.loc["WHP", "contract_ref"]}
    sizes = referrals["contract_ref"].value_counts()
    assert sizes.sum() == 3_000 and sizes.min() > 500  # split across the three contracts


def test_every_journey_event_of_domain_section_4_occurs():
    codes = set(bundle()["events.csv"]["event"].astype(str))
    assert codes == set(EventCode.values) - {EventCode.REFERRED}


def test_referrals_fall_on_working_days_in_monthly_cohorts_over_two_years():
    files = bundle()
    referrals = files["referrals.csv"].astype(str).merge(files["contracts.csv"][["contract_ref", "nation"]])
    for nation, rows in referrals.groupby("nation"):
        days = rows["referral_date"].to_numpy(dtype="datetime64[D]")
        assert calendar_for(nation).is_working_day(days).all()
    months = pd.to_datetime(referrals["referral_date"]).dt.to_period("M")
    assert months.min() == pd.Period("2024-03") and months.max() == pd.Period("2026-03")
    assert months.nunique() == 25


def test_most_referrals_are_resolved_within_ten_working_days_and_a_realistic_share_late():
    frame = joined(bundle(referrals=20_000))
    resolved = frame[frame["event"].isin(RESOLUTIONS)]
    late = []
    for nation, rows in resolved.groupby("nation"):
        cal = calendar_for(nation)
        deadline = cal.deadline(rows["referral_date"].to_numpy(dtype="datetime64[D]"), 10)
        late.append(rows["event_date"].to_numpy(dtype="datetime64[D]") > deadline)
    share_late = np.concatenate(late).mean()
    assert 0.01 < share_late < 0.10


def test_acknowledgements_are_mostly_within_two_working_days():
    frame = joined(bundle(referrals=20_000))
    acks = frame[frame["event"] == EventCode.ACKNOWLEDGED]
    ages = np.concatenate(
        [
            calendar_for(nation).age(
                rows["referral_date"].to_numpy(dtype="datetime64[D]"),
                rows["event_date"].to_numpy(dtype="datetime64[D]"),
            )
            for nation, rows in acks.groupby("nation")
        ]
    )
    assert 0.97 < (ages <= 2).mean() < 1.0


def test_twelve_month_cohort_conversion_is_about_nine_to_thirteen_percent():
    """DOMAIN.md 16: a monthly cohort's job outcome share after 12 months on programme was 8.5-13%."""
    files = bundle(referrals=30_000)
    frame = joined(files)
    firsts = frame.groupby(["contract_ref", "referral_ref", "event"])["event_date"].min().unstack()
    programmes = files["contracts.csv"][["contract_ref", "programme"]]
    referrals = files["referrals.csv"].astype(str).merge(programmes)
    referrals = referrals.join(firsts, on=["contract_ref", "referral_ref"])
    # cohort basis (DOMAIN.md 5): the start date for WHP, the referral date otherwise
    basis = pd.to_datetime(referrals["referral_date"]).where(
        referrals["programme"] != "WHP", referrals["STARTED"]
    )
    referrals = referrals.assign(
        cohort=basis.dt.to_period("M"), outcome=referrals["JOB_OUTCOME"].dt.to_period("M")
    )
    complete = referrals[referrals["cohort"] + 11 < pd.Period(TODAY, "M")]
    for programme, rows in complete.groupby("programme"):
        conversion = (rows["outcome"] <= rows["cohort"] + 11).mean() * 100
        assert 9.0 <= conversion <= 13.5, (programme, conversion)


def test_validation_rounds_are_final_with_a_recent_provisional_one():
    rounds = bundle()["validation_rounds.csv"]
    for _, rows in rounds.groupby("contract_ref"):
        assert list(rows["status"])[:-1] == ["FINAL"] * (len(rows) - 1)
        assert list(rows["status"])[-1] == "PROVISIONAL"
        assert pd.Timestamp(TODAY) - pd.Timestamp(rows["period_end"].iloc[-1]) < pd.Timedelta(days=190)
    events = bundle()["events.csv"].astype(str)
    assert (events["event"] == EventCode.OUTCOME_INVALIDATED).sum() > 0


def test_dwp_notified_targets_name_measured_wp_groups_over_whole_months():
    targets = bundle()["mpl_targets.csv"]
    assert 1 <= len(targets) <= 4
    assert set(targets["group"]) <= {"PG1", "PG2", "PG6A"}
    assert all(pd.Timestamp(start).day == 1 for start in targets["period_start"])
    assert all((pd.Timestamp(end) + pd.Timedelta(days=1)).day == 1 for end in targets["period_end"])


def test_mpl_profiles_are_cumulative_and_never_fall():
    profiles = bundle()["mpl_profiles.csv"]
    for _, rows in profiles.groupby(["contract_ref", "group"]):
        assert rows["month"].tolist() == list(range(1, len(rows) + 1))
        assert (rows["cumulative_pct"].diff().dropna() >= 0).all()
        assert 0 <= rows["cumulative_pct"].max() <= 100


def test_a_participant_referred_again_keeps_their_date_of_birth():
    referrals = bundle(referrals=20_000)["referrals.csv"].astype(str)
    repeated = referrals[referrals.duplicated("participant_ref", keep=False)]
    assert len(repeated) > 0
    assert (repeated.groupby("participant_ref")["date_of_birth"].nunique() == 1).all()
    assert (repeated.groupby("participant_ref")["contract_ref"].nunique() == 1).all()


def test_too_few_referrals_is_an_error_naming_the_field():
    with pytest.raises(ValueError, match="referrals"):
        generate_bundle(referrals=5, today=TODAY)


def test_all_contracts_and_two_years_named_explicitly_give_the_default_bundle():
    default = generate_bundle(referrals=600, today=TODAY, seed=5)
    named = generate_bundle(
        referrals=600, today=TODAY, seed=5, contracts=tuple(spec.ref for spec in CONTRACTS), years=2
    )
    assert set(default) == set(named)
    for name, frame in default.items():
        pd.testing.assert_frame_equal(frame.astype(str), named[name].astype(str), obj=name)


@pytest.mark.django_db
def test_one_contract_bundle_puts_every_referral_in_that_contract_and_passes_the_import_validation(tmp_path):
    files = generate_bundle(referrals=2_000, today=TODAY, contracts=("DEMO-WP-ENG",))
    assert list(files["contracts.csv"]["contract_ref"]) == ["DEMO-WP-ENG"]
    for name in (
        "referrals.csv",
        "events.csv",
        "mpl_profiles.csv",
        "validation_rounds.csv",
        "mpl_targets.csv",
    ):
        assert set(files[name]["contract_ref"].astype(str)) == {"DEMO-WP-ENG"}, name
    assert len(files["referrals.csv"]) == 2_000
    assert set(files["referrals.csv"]["site_ref"].astype(str)) == {"DEMO-PRIME-LEEDS", "DEMO-SUB1-BRADFORD"}
    write_bundle(files, tmp_path)
    valid = validate_bundle(read_bundle(tmp_path), known_state([]))
    assert len(valid.frames["events.csv"]) == len(files["events.csv"])


@pytest.mark.django_db
def test_a_contract_without_dwp_targets_alone_gives_a_bundle_without_the_targets_file(tmp_path):
    files = generate_bundle(referrals=500, today=TODAY, contracts=("DEMO-WHP-SCT",))
    assert "mpl_targets.csv" not in files
    assert set(files["referrals.csv"]["group"].astype(str)) == {"DISABILITY", "EARLY_ENTRY", "LTU"}
    write_bundle(files, tmp_path)
    validate_bundle(read_bundle(tmp_path), known_state([]))


def test_two_contracts_share_the_referrals_in_proportion_to_their_shares():
    referrals = generate_bundle(referrals=1_000, today=TODAY, contracts=("DEMO-WHP-SCT", "DEMO-CAP-WLS"))[
        "referrals.csv"
    ]
    sizes = referrals["contract_ref"].astype(str).value_counts()
    assert sizes.sum() == 1_000
    # shares 0.30 and 0.25 of the whole, renormalised to 6 : 5; the first contract takes the remainder
    assert sizes["DEMO-WHP-SCT"] == 546 and sizes["DEMO-CAP-WLS"] == 454


def test_years_sets_the_history_the_referrals_span():
    files = generate_bundle(referrals=3_000, today=TODAY, contracts=("DEMO-WP-ENG",), years=3)
    months = pd.to_datetime(files["referrals.csv"]["referral_date"].astype(str)).dt.to_period("M")
    assert months.min() == pd.Period("2023-03") and months.max() == pd.Period("2026-03")
    assert files["contracts.csv"]["start_date"].tolist() == ["2023-03-01"]
    frame = joined(files)
    assert (frame["event_date"] >= frame["referral_date"]).all()
    assert frame["event_date"].max() <= pd.Timestamp(TODAY)


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"contracts": ("DEMO-NOPE",)}, "contracts"),
        ({"contracts": ()}, "contracts"),
        ({"years": 0}, "years"),
        ({"contracts": ("DEMO-CAP-WLS",), "referrals": 9}, "referrals"),
    ],
)
def test_an_unknown_contract_no_contract_or_no_years_is_an_error_naming_the_field(arguments, field):
    with pytest.raises(ValueError, match=field):
        generate_bundle(**({"referrals": 300, "today": TODAY} | arguments))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    referrals=st.integers(min_value=30, max_value=600),
    today=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_any_size_date_and_seed_keep_the_import_rules(referrals, today, seed):
    files = generate_bundle(referrals=referrals, today=today, seed=seed)
    frame = joined(files)
    assert len(files["referrals.csv"]) == referrals
    assert (frame["event_date"] >= frame["referral_date"]).all()
    assert frame["event_date"].max() <= pd.Timestamp(today)
    assert not frame.duplicated(["contract_ref", "referral_ref", "event", "event_date"]).any()
    assert not frame[frame["event"].isin(RESOLUTIONS)].duplicated(["contract_ref", "referral_ref"]).any()


# ----------------------------------------------------------------------------------------- seed_demo


@pytest.fixture
def seeded(db):
    return seed_demo(referrals=600, today=TODAY)


def test_seed_demo_imports_the_bundle_into_three_contracts(seeded):
    assert Referral.objects.count() == 600
    assert set(Contract.objects.values_list("ref", flat=True)) >= {spec.ref for spec in CONTRACTS}
    assert JourneyEvent.objects.count() == seeded.import_counts["events.csv"]["added"] > 3_000


def test_seed_demo_gives_every_role_a_login_in_its_group(seeded):
    for role in Role:
        people = Staff.objects.filter(role=role, user__isnull=False)
        assert people.exists(), role
        for staff in people:
            assert staff.user.check_password(DEMO_PASSWORD)
            assert list(staff.user.groups.all()) == [group_for(role)]
    admin = get_user_model().objects.get(username=SUPERUSER)
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)


def _user(username):
    return Staff.objects.select_related("user").get(user__username=username).user


def test_demo_key_worker_sees_only_their_own_caseload(seeded):
    for person in (p for p in DEMO_PEOPLE if p.role == Role.KEY_WORKER):
        user = _user(person.username)
        visible = Referral.objects.visible_to(user)
        assert visible.count() > 0, f"{person.username} has no caseload"
        assert visible.count() < Referral.objects.count()
        assert set(visible.values_list("key_worker__ref", flat=True)) == {person.key_worker_ref}


def test_demo_subcontractor_staff_see_only_their_organisation(seeded):
    manager = _user("sub1.manager")
    visible = Referral.objects.visible_to(manager)
    assert visible.exists()
    assert set(visible.values_list("organisation__ref", flat=True)) == {"DEMO-SUB1"}


def test_demo_dwp_contact_is_named_on_every_demo_contract_and_sees_them(seeded):
    dwp = _user("dwp")
    assert set(dwp.dwp_contracts.values_list("ref", flat=True)) == {spec.ref for spec in CONTRACTS}
    assert Referral.objects.visible_to(dwp).count() == 600


def test_demo_performance_manager_sees_their_sites_only(seeded):
    manager = _user("pm.prime")
    sites = set(Referral.objects.visible_to(manager).values_list("site__ref", flat=True))
    assert sites == {"DEMO-PRIME-LEEDS", "DEMO-PRIME-GLASGOW"}


def test_seed_demo_twice_duplicates_nothing(seeded):
    def counts():
        return (
            get_user_model().objects.count(),
            Staff.objects.count(),
            Participant.objects.count(),
            Referral.objects.count(),
            JourneyEvent.objects.count(),
            sum(c.dwp_contacts.count() for c in Contract.objects.all()),
        )

    before = counts()
    again = seed_demo()  # reuses the first run's size and date
    assert again.today == TODAY and again.referrals == 600
    assert counts() == before
    assert all(c["added"] == 0 and c["updated"] == 0 for c in again.import_counts.values())


def test_seed_demo_command_prints_the_logins_as_a_table(db):
    out = io.StringIO()
    call_command("seed_demo", "--referrals", "300", "--today", "2025-12-31", stdout=out)
    lines = out.getvalue().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("username"))
    assert lines[header].split() == ["username", "role", "organisation", "password"]
    rows = lines[header + 2 :]
    assert len(rows) == len(DEMO_PEOPLE) + 1
    assert all(row.rstrip().endswith(DEMO_PASSWORD) for row in rows)
    assert any(row.startswith("kw.leeds ") and "Key worker" in row for row in rows)


def test_seed_demo_command_rejects_a_bad_date(db):
    with pytest.raises(CommandError, match="--today"):
        call_command("seed_demo", "--today", "31/12/2025")


def test_seed_demo_refuses_other_demo_data_over_what_is_loaded(seeded):
    with pytest.raises(FlightpathError, match="referrals=600") as raised:
        seed_demo(referrals=900)
    assert raised.value.field == "referrals"
    assert Referral.objects.count() == 600


# ------------------------------------------------------------------ the benchmark runner (benchmarks/run.py)


def test_benchmark_figure_at_its_limit_passes_above_it_fails_and_missing_fails():
    from benchmarks.run import evaluate

    rows = evaluate(
        {"seconds": 60.0, "api": {"median_ms": 250.0}, "events": 10},
        {"seconds": (60, "s"), "api.median_ms": (200, "ms"), "memory_mib": (2048, "MiB")},
    )
    assert {row.figure: row.passed for row in rows} == {
        "seconds": True,
        "api.median_ms": False,
        "memory_mib": False,
        "events": None,
    }


def test_benchmark_database_is_on_the_database_url_server_under_its_own_name():
    from benchmarks.run import bench_database_url

    assert (
        bench_database_url("postgres://user:pw@db.example:5433/fp_demo")
        == "postgres://user:pw@db.example:5433/flightpath_bench"
    )
    assert bench_database_url(None).endswith("127.0.0.1:5432/flightpath_bench")


def test_rewriting_a_benchmark_section_replaces_only_that_section():
    from benchmarks.run import rewrite_doc

    def block(name, body):
        return f"<!-- bench:{name}:begin -->\n{body}\n<!-- bench:{name}:end -->"

    doc = rewrite_doc("", "import", block("import", "old import"))
    doc = rewrite_doc(doc, "compliance", block("compliance", "compliance figures"))
    doc = rewrite_doc(doc, "import", block("import", "new import"))
    assert doc.startswith("# Benchmarks")
    assert "new import" in doc and "old import" not in doc and "compliance figures" in doc
    assert doc.count("bench:import:begin") == 1
