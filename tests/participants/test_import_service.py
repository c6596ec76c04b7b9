"""The import's write path on PostgreSQL (DATA.md "Import bundle"): counts, idempotence, all-or-nothing,
ImportRun records, assignments, recompute on commit, .zip input, and the same rows from a fresh import."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date

import pytest
from celery import current_app
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.errors import FlightpathError
from participants.imports import writer
from participants.imports.checks import BundleRejected
from participants.imports.services import import_bundle
from participants.models import (
    Contract,
    ImportRun,
    JourneyEvent,
    MplProfile,
    MplTarget,
    Organisation,
    Participant,
    RecomputeRequest,
    Referral,
    ReferralAssignment,
    Role,
    Site,
    Staff,
    ValidationRound,
)
from tests.factories import UserFactory
from tests.golden import BUNDLES, FIXTURES

from .import_support import SMALL, copy_fixture, damaged_zip, small, with_rows, write_bundle

pytestmark = pytest.mark.django_db

RECORDED: list[tuple[int, list[str] | None]] = []


@current_app.task(name="tests.import.record_recompute")
def record_recompute(contract_id, months):
    RECORDED.append((contract_id, months))


def csv_rows(path) -> int:
    return len([line for line in path.read_text().splitlines()[1:] if line.strip()])


def state() -> dict[str, int]:
    models = (
        Organisation,
        Contract,
        Participant,
        Referral,
        ReferralAssignment,
        JourneyEvent,
        Site,
        Staff,
        MplProfile,
        ValidationRound,
        MplTarget,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.parametrize("name", BUNDLES)
def test_example_bundle_imports_every_row_then_reimports_unchanged(name, tmp_path):
    folder = copy_fixture(name, tmp_path / name)
    first = import_bundle(path=folder)
    for file in sorted(folder.glob("*.csv")):
        assert first.counts[file.name] == {"added": csv_rows(file), "updated": 0, "unchanged": 0}, file.name
    assert Referral.objects.count() == csv_rows(folder / "referrals.csv")
    assert JourneyEvent.objects.count() == csv_rows(folder / "events.csv")
    assert ReferralAssignment.objects.filter(until__isnull=True).count() == Referral.objects.count()
    again = import_bundle(path=folder)
    assert all(c["added"] == 0 and c["updated"] == 0 for c in again.counts.values()), again.counts
    assert again.counts["events.csv"]["unchanged"] == csv_rows(folder / "events.csv")
    assert again.months == {}


def test_import_run_records_user_checksums_counts_and_contracts(tmp_path):
    user = UserFactory(is_superuser=True)  # support staff: a bundle of any prime (tests/access for the rest)
    folder = copy_fixture("wp-england", tmp_path / "b")
    result = import_bundle(path=folder, user=user, source="test upload")
    run = ImportRun.objects.get(pk=result.run.pk)
    assert (run.status, run.user, run.source, run.error_count, run.errors) == (
        ImportRun.Status.SUCCEEDED,
        user,
        "test upload",
        0,
        [],
    )
    assert run.checksums["events.csv"] == hashlib.sha256((folder / "events.csv").read_bytes()).hexdigest()
    assert set(run.checksums) == {p.name for p in folder.glob("*.csv")}
    assert run.counts["mpl_targets.csv"] == {"added": 4, "updated": 0, "unchanged": 0}
    assert run.contract_refs == ["ORC-12"]
    assert run.finished_at is not None


def test_bad_bundle_writes_nothing_and_is_recorded_as_rejected(tmp_path):
    import_bundle(path=copy_fixture("cap-wales", tmp_path / "first"))
    before = state()
    folder = copy_fixture("wp-england", tmp_path / "bad")
    with (folder / "mpl_targets.csv").open("a") as out:  # the last row of the last file
        out.write("ORC-12,PG1,2025-04-01,2026-03-31,lots\n")
    with pytest.raises(BundleRejected) as caught:
        import_bundle(path=folder)
    assert caught.value.errors == ["mpl_targets.csv:6: required_outcomes: not a number: 'lots'"]
    assert state() == before
    run = ImportRun.objects.latest("started_at")
    assert (run.status, run.error_count, run.errors) == (ImportRun.Status.REJECTED, 1, caught.value.errors)
    assert run.contract_refs == ["ORC-12"] and "mpl_targets.csv" in run.checksums


def test_failure_inside_the_write_rolls_everything_back(tmp_path, monkeypatch):
    """All-or-nothing holds past validation too: an error in the last write step undoes the earlier ones."""
    before = state()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "_merge_ddas", broken)
    with pytest.raises(RuntimeError):
        import_bundle(path=small(tmp_path))
    assert state() == before
    run = ImportRun.objects.get()
    assert (run.status, run.errors) == (ImportRun.Status.FAILED, ["RuntimeError: disk full"])


def test_changed_rows_are_updated_and_counted(tmp_path):
    import_bundle(path=small(tmp_path / "a"))
    events = SMALL["events.csv"].replace("2025-06-02,500.00", "2025-06-02,750.00")
    referrals = SMALL["referrals.csv"].replace("T-1,R2,P2,2025-01-07,DISABILITY", "T-1,R2,P2,2025-01-07,LTU")
    result = import_bundle(path=small(tmp_path / "b", **{"events.csv": events, "referrals.csv": referrals}))
    assert result.counts["events.csv"] == {"added": 0, "updated": 1, "unchanged": 4}
    assert result.counts["referrals.csv"] == {"added": 0, "updated": 1, "unchanged": 2}
    assert str(JourneyEvent.objects.get(code="JOB_OUTCOME").amount) == "750.00"
    assert Referral.objects.get(ref="R2").group == "LTU"
    contract = Contract.objects.get(ref="T-1")
    assert result.months == {contract.pk: ["2025-01", "2025-06"]}


def test_sites_and_key_workers_are_created_for_the_delivery_organisation(tmp_path):
    import_bundle(path=small(tmp_path))
    kw = Staff.objects.get(ref="KW2")
    assert (kw.user, kw.role, kw.organisation.ref) == (None, Role.KEY_WORKER, "T-SUB")
    assert Site.objects.get(ref="S1").organisation.ref == "T-PRIME"
    referral = Referral.objects.get(ref="R2")
    assert (referral.site.ref, referral.key_worker.ref, referral.organisation.ref) == ("S2", "KW2", "T-SUB")


def test_participant_is_unique_per_prime_and_reference(tmp_path):
    import_bundle(path=small(tmp_path))
    person = Participant.objects.get(ref="P1")
    assert (person.prime.ref, person.date_of_birth, person.gender) == ("T-PRIME", date(1980, 1, 1), "F")
    assert sorted(person.referrals.values_list("ref", flat=True)) == ["R1", "R3"]
    assert Participant.objects.count() == 2


def test_contract_gets_its_delivery_organisations_and_deal_areas(tmp_path):
    import_bundle(path=small(tmp_path / "a"))
    contract = Contract.objects.get(ref="T-1")
    assert sorted(contract.delivery_organisations.values_list("ref", flat=True)) == ["T-PRIME", "T-SUB"]
    assert contract.devolution_deal_areas == ["DDA-GM", "DDA-LCR"]
    assert (contract.year_start_month, contract.programme.code, contract.prime.ref) == (4, "WHP", "T-PRIME")
    assert Organisation.objects.get(ref="T-SUB").parent.ref == "T-PRIME"


def test_reassignment_closes_the_open_row_and_opens_a_new_one(tmp_path):
    import_bundle(path=small(tmp_path / "a"))
    first = ReferralAssignment.objects.get(referral__ref="R1")
    assert first.since.date() == date(2025, 1, 6) and first.until is None
    moved = SMALL["referrals.csv"].replace(
        "T-1,R1,P1,2025-01-06,LTU,T-PRIME,S1,KW1", "T-1,R1,P1,2025-01-06,LTU,T-SUB,S2,KW9"
    )
    import_bundle(path=small(tmp_path / "b", **{"referrals.csv": moved}))
    rows = list(ReferralAssignment.objects.filter(referral__ref="R1").order_by("since"))
    assert len(rows) == 2
    assert rows[0].until is not None and rows[1].until is None
    assert (rows[1].organisation.ref, rows[1].site.ref, rows[1].key_worker.ref) == ("T-SUB", "S2", "KW9")
    assert ReferralAssignment.objects.filter(referral__ref="R2").count() == 1


def test_only_referrals_and_events_are_needed_once_the_contract_exists(tmp_path):
    import_bundle(path=small(tmp_path / "a"))
    files = {
        "referrals.csv": SMALL["referrals.csv"] + "T-1,R4,P4,2025-03-03,LTU,,,,,,,,,\n",
        "events.csv": SMALL["events.csv"] + "T-1,R4,STARTED,2025-03-05,,\n",
    }
    result = import_bundle(path=write_bundle(tmp_path / "b", files))
    assert result.counts["referrals.csv"]["added"] == 1 and result.counts["events.csv"]["added"] == 1
    assert Referral.objects.get(ref="R4").organisation.ref == "T-PRIME"  # no delivery org: the prime


def test_second_resolution_against_the_database_is_rejected(tmp_path):
    import_bundle(path=small(tmp_path / "a"))
    files = {
        "referrals.csv": SMALL["referrals.csv"],
        "events.csv": SMALL["events.csv"] + "T-1,R2,STARTED,2025-01-21,,\n",
    }
    with pytest.raises(BundleRejected) as caught:
        import_bundle(path=write_bundle(tmp_path / "b", files))
    assert caught.value.errors == [
        "events.csv:7: event: a second resolution event "
        "(the referral already has FAILED_TO_ATTEND on 2025-01-20)"
    ]


def test_zip_of_a_bundle_folder_imports_like_the_folder(tmp_path):
    folder = copy_fixture("cap-wales", tmp_path / "cap-wales")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in folder.glob("*.csv"):
            out.write(path, f"cap-wales/{path.name}")
    result = import_bundle(path=archive)
    assert result.counts["events.csv"]["added"] == csv_rows(folder / "events.csv")
    assert (
        result.run.checksums["referrals.csv"]
        == hashlib.sha256((folder / "referrals.csv").read_bytes()).hexdigest()
    )


def test_zip_unpacking_past_the_limit_is_refused_before_anything_is_read(tmp_path, settings):
    folder = copy_fixture("cap-wales", tmp_path / "cap-wales")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in folder.glob("*.csv"):
            out.write(path, path.name)
    settings.FLIGHTPATH_IMPORT_MAX_BYTES = 10_000
    refused = r"bundle.zip: unpacks to [\d,]+ bytes, more than the limit of 10,000"
    with pytest.raises(FlightpathError, match=refused):
        import_bundle(path=archive)
    assert not Referral.objects.exists()
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REJECTED and "more than the limit" in run.errors[0]


def test_a_zip_whose_data_fail_their_checksum_is_rejected_and_writes_nothing(tmp_path):
    """Issue 10: the failed CRC-32 check escaped as a server error (zipfile.BadZipFile)."""
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(damaged_zip())
    with pytest.raises(BundleRejected) as caught:
        import_bundle(path=archive)
    assert caught.value.errors == [
        "events.csv:1: file: damaged in the .zip: its data fail their CRC-32 checksum (make the .zip again)"
    ]
    assert not Referral.objects.exists()
    run = ImportRun.objects.get()
    assert (run.status, run.errors) == (ImportRun.Status.REJECTED, caught.value.errors)


def test_recompute_is_enqueued_after_commit_with_the_months_touched(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.FLIGHTPATH_RECOMPUTE_TASKS = ["tests.import.record_recompute", "not.installed.task"]
    RECORDED.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_bundle(path=small(tmp_path / "a"))
    # A request per task and contract written with the import, one relay of them, none before the commit.
    assert RECORDED == [] and len(callbacks) == 1 and RecomputeRequest.objects.count() == 2
    callbacks[0]()  # the task not installed is skipped (tests/participants/test_jobs.py)
    contract = Contract.objects.get(ref="T-1")
    assert RECORDED == [(contract.pk, None)]  # a first import recomputes everything
    RECORDED.clear()
    events = SMALL["events.csv"] + "T-1,R3,SUSTAINMENT,2025-08-04,300.00,\n"
    with django_capture_on_commit_callbacks(execute=True):
        import_bundle(path=small(tmp_path / "b", **{"events.csv": events}))
    assert RECORDED == [(contract.pk, ["2025-08"])]


def test_failed_import_enqueues_nothing(tmp_path, settings, django_capture_on_commit_callbacks):
    settings.FLIGHTPATH_RECOMPUTE_TASKS = ["tests.import.record_recompute"]
    RECORDED.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BundleRejected):
        import_bundle(path=small(tmp_path, **with_rows("events.csv", "T-1,R1,NOPE,2025-02-01,,")))
    assert RECORDED == []


def snapshot() -> dict:
    return {
        "referrals": sorted(
            Referral.objects.values_list(
                "contract__ref",
                "ref",
                "participant__ref",
                "referral_date",
                "group",
                "organisation__ref",
                "site__ref",
                "key_worker__ref",
                "dda",
            )
        ),
        "events": sorted(
            JourneyEvent.objects.values_list(
                "referral__ref", "code", "event_date", "amount", "detail", "source"
            )
        ),
        "participants": sorted(
            Participant.objects.values_list(
                "prime__ref", "ref", "date_of_birth", "gender", "disability", "ethnicity", "postcode_district"
            )
        ),
        "assignments": sorted(
            ReferralAssignment.objects.values_list(
                "referral__ref", "organisation__ref", "site__ref", "key_worker__ref", "until"
            )
        ),
        "contracts": sorted(
            Contract.objects.values_list(
                "ref",
                "name",
                "prime__ref",
                "nation",
                "start_date",
                "year_start_month",
                "devolution_deal_areas",
            )
        ),
        "profiles": sorted(MplProfile.objects.values_list("group", "month", "cumulative_pct")),
        "rounds": sorted(
            ValidationRound.objects.values_list("round", "period_start", "invalid_pct", "status")
        ),
        "targets": sorted(MplTarget.objects.values_list("group", "period_start", "required_outcomes")),
        "staff": sorted(Staff.objects.values_list("ref", "role", "organisation__ref")),
    }


def test_a_bundle_imported_afresh_writes_the_same_rows_and_a_second_import_changes_nothing(tmp_path):
    """The write path is deterministic: the same bundle into an emptied database gives the same rows."""
    folder = copy_fixture("wp-england", tmp_path / "wp")
    copy_result = import_bundle(path=folder)
    by_copy = snapshot()
    for model in (
        JourneyEvent,
        ReferralAssignment,
        Referral,
        Participant,
        MplProfile,
        ValidationRound,
        MplTarget,
    ):
        model.objects.all().delete()
    Contract.objects.all().delete()
    fresh = import_bundle(path=folder)
    assert snapshot() == by_copy
    assert fresh.counts["events.csv"] == copy_result.counts["events.csv"]
    again = import_bundle(path=folder)
    assert all(c["added"] == 0 and c["updated"] == 0 for c in again.counts.values())


def constraints() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text LIKE 'participants_%%' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_bulk_load_restores_every_foreign_key_and_still_checks_them(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "BULK_ROWS", 0)
    before = constraints()
    result = import_bundle(path=copy_fixture("whp-scotland", tmp_path / "whp"))
    assert result.counts["events.csv"]["added"] == csv_rows(FIXTURES / "whp-scotland" / "events.csv")
    assert constraints() == before


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 1_000))
def test_any_row_order_imports_to_the_same_state(tmp_path_factory, seed):
    import random

    rng = random.Random(seed)
    files = {}
    for name, text in SMALL.items():
        header, *rows = text.strip("\n").split("\n")
        rng.shuffle(rows)
        files[name] = "\n".join([header, *rows]) + "\n"
    for model in (JourneyEvent, ReferralAssignment, Referral, Participant):
        model.objects.all().delete()
    import_bundle(path=write_bundle(tmp_path_factory.mktemp("ordered"), SMALL))
    ordered = snapshot()
    for model in (JourneyEvent, ReferralAssignment, Referral, Participant):
        model.objects.all().delete()
    import_bundle(path=write_bundle(tmp_path_factory.mktemp("shuffled"), files))
    assert snapshot() == ordered


def _constraints_and_indexes() -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text LIKE 'participants_%' "
            "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename LIKE 'participants_%' ORDER BY 1, 2, 3"
        )
        return cursor.fetchall()


def test_only_a_first_large_load_drops_keys_and_indexes_and_restores_them_identically(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "BULK_ROWS", 0)
    before = _constraints_and_indexes()
    modes = []
    original = writer._bulk_load_mode

    def spy(cursor, models, enabled):
        modes.append(enabled)
        return original(cursor, models, enabled)

    monkeypatch.setattr(writer, "_bulk_load_mode", spy)
    folder = small(tmp_path)
    import_bundle(path=folder)
    import_bundle(path=folder)
    assert modes == [True, False]
    assert _constraints_and_indexes() == before
