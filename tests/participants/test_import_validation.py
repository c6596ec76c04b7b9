"""Validation of an import bundle (DATA.md "Import bundle", DOMAIN.md 4 and 15.17): pure, no database.

Every bad row is reported as `file:line: field: reason`, the header being line 1.
"""

from __future__ import annotations

import io
import random
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participants.imports.checks import MAX_MESSAGES, BundleRejected
from participants.imports.reading import read_bundle
from participants.imports.validation import validate_bundle
from tests.golden import BUNDLES

from .import_support import (
    SMALL,
    copy_fixture,
    damaged_zip,
    empty_state,
    small,
    with_rows,
    write_bundle,
    zip_bytes,
)


def errors_of(folder, known=None) -> list[str]:
    with pytest.raises(BundleRejected) as caught:
        validate_bundle(read_bundle(folder), known or empty_state())
    return caught.value.errors


@pytest.mark.parametrize("name", BUNDLES)
def test_example_bundles_validate_cleanly(name, tmp_path):
    valid = validate_bundle(read_bundle(copy_fixture(name, tmp_path / name)), empty_state())
    for file, frame in valid.frames.items():
        lines = (tmp_path / name / file).read_text().strip().splitlines()
        assert len(frame) == len(lines) - 1, file


def test_small_bundle_is_valid_and_typed(tmp_path):
    valid = validate_bundle(read_bundle(small(tmp_path)), empty_state())
    assert valid.contract_refs == ["T-1"]
    assert valid.present["referrals.csv"] == (
        "delivery_org_ref",
        "site_ref",
        "key_worker",
        "date_of_birth",
        "gender",
        "disability",
        "ethnicity",
        "postcode_district",
        "dda",
    )
    assert str(valid.typed["events.csv"]["event_date"].dtype) == "datetime64[s]"
    assert valid.typed["events.csv"]["amount"].tolist()[2] == 500.0


def test_unknown_contract_is_reported_with_file_line_and_field(tmp_path):
    folder = small(tmp_path, **with_rows("referrals.csv", "NOPE,R9,P9,2025-01-06,LTU,,,,,,,,,"))
    assert errors_of(folder) == ["referrals.csv:5: contract_ref: unknown contract: 'NOPE'"]


def test_unknown_referral_is_rejected(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R99,STARTED,2025-01-10,,"))
    assert errors_of(folder) == ["events.csv:7: referral_ref: unknown referral: 'R99'"]


def test_referral_held_in_the_database_is_known(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R99,ACKNOWLEDGED,2025-01-10,,"))
    known = empty_state()
    known.referrals = pd.DataFrame(
        {
            "contract_ref": ["T-1"],
            "referral_ref": ["R99"],
            "referral_date": pd.to_datetime(["2025-01-02"]).astype("datetime64[s]"),
        }
    )
    assert validate_bundle(read_bundle(folder), known).frames["events.csv"]["referral_ref"].iloc[-1] == "R99"


def test_unknown_event_code_is_rejected(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R1,HIRED,2025-03-01,,"))
    [error] = errors_of(folder)
    assert error.startswith("events.csv:7: event: unknown event code (expected one of ACKNOWLEDGED, ")
    assert error.endswith(": 'HIRED'")


def test_referred_is_not_an_event_row(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R1,REFERRED,2025-01-06,,"))
    assert errors_of(folder) == [
        "events.csv:7: event: REFERRED is not an event row (the referral row is the referral)"
    ]


def test_group_outside_the_programme_is_rejected(tmp_path):
    folder = small(tmp_path, **with_rows("referrals.csv", "T-1,R4,P4,2025-01-06,PG1,,,,,,,,,"))
    assert errors_of(folder) == ["referrals.csv:5: group: not a group of programme WHP"]


def test_unparseable_dates_are_rejected(tmp_path):
    folder = small(tmp_path, **with_rows("referrals.csv", "T-1,R4,P4,2025-13-01,LTU,,,,06/01/1980,,,,,"))
    assert errors_of(folder) == [
        "referrals.csv:5: referral_date: not a date (expected YYYY-MM-DD): '2025-13-01'",
        "referrals.csv:5: date_of_birth: not a date (expected YYYY-MM-DD): '06/01/1980'",
    ]


def test_journey_dates_outside_the_holiday_calendar_are_rejected_but_not_dates_of_birth(tmp_path):
    folder = small(
        tmp_path,
        **with_rows("referrals.csv", "T-1,R4,P4,2205-01-06,LTU,,,,1948-02-01,,,,,"),
        **with_rows("events.csv", "T-1,R1,ENGAGED,2046-01-05,,"),
    )
    outside = "outside the holiday calendar (2000 to 2045): its working days are unknown"
    assert errors_of(folder) == [
        f"referrals.csv:5: referral_date: {outside}: '2205-01-06'",
        f"events.csv:7: event_date: {outside}: '2046-01-05'",
    ]


def test_event_before_its_referral_date_is_rejected(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R1,ENGAGED,2025-01-05,,"))
    assert errors_of(folder) == ["events.csv:7: event_date: before the referral date 2025-01-06"]


def test_event_on_its_referral_date_is_accepted(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R1,ENGAGED,2025-01-06,,"))
    assert len(validate_bundle(read_bundle(folder), empty_state()).frames["events.csv"]) == 6


def test_second_resolution_event_in_the_file_is_rejected(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R1,DID_NOT_START,2025-01-12,,"))
    assert errors_of(folder) == [
        "events.csv:7: event: a second resolution event (the referral already has STARTED on 2025-01-10)"
    ]


def test_second_resolution_counts_the_one_held_in_the_database(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R3,STARTED,2025-02-05,,"))
    known = empty_state()
    known.resolutions = pd.DataFrame(
        {
            "contract_ref": ["T-1"],
            "referral_ref": ["R3"],
            "code": ["DID_NOT_START"],
            "event_date": pd.to_datetime(["2025-02-04"]).astype("datetime64[s]"),
        }
    )
    assert errors_of(folder, known) == [
        "events.csv:7: event: a second resolution event "
        "(the referral already has DID_NOT_START on 2025-02-04)"
    ]


def test_resolution_held_with_the_same_key_is_the_same_event_reimported(tmp_path):
    known = empty_state()
    known.resolutions = pd.DataFrame(
        {
            "contract_ref": ["T-1"],
            "referral_ref": ["R1"],
            "code": ["STARTED"],
            "event_date": pd.to_datetime(["2025-01-10"]).astype("datetime64[s]"),
        }
    )
    assert validate_bundle(read_bundle(small(tmp_path)), known).frames["events.csv"].shape[0] == 5


def test_duplicate_keys_within_a_file_are_rejected(tmp_path):
    folder = small(
        tmp_path,
        **with_rows("events.csv", "T-1,R1,ACKNOWLEDGED,2025-01-07,,"),
        **with_rows("referrals.csv", "T-1,R2,P5,2025-01-08,LTU,,,,,,,,,"),
    )
    assert errors_of(folder) == [
        "referrals.csv:5: referral_ref: duplicate key, first given on line 3",
        "events.csv:7: event_date: duplicate key, first given on line 2",
    ]


def test_same_event_on_different_dates_is_allowed(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", "T-1,R1,ACKNOWLEDGED,2025-01-08,,"))
    assert len(validate_bundle(read_bundle(folder), empty_state()).frames["events.csv"]) == 6


def test_unknown_organisation_kind_and_parent_are_rejected(tmp_path):
    folder = small(
        tmp_path,
        **with_rows(
            "organisations.csv",
            "T-X,X Ltd,PARTNER,",
            "T-Y,Y Ltd,SUBCONTRACTOR,T-Z",
            "T-W,W Ltd,SUBCONTRACTOR,",
        ),
    )
    assert errors_of(folder) == [
        "organisations.csv:4: kind: unknown organisation kind "
        "(expected one of PRIME, SUBCONTRACTOR): 'PARTNER'",
        "organisations.csv:5: parent_ref: unknown organisation: 'T-Z'",
        "organisations.csv:6: parent_ref: required for a subcontractor",
    ]


def test_unknown_delivery_organisation_is_rejected(tmp_path):
    folder = small(tmp_path, **with_rows("referrals.csv", "T-1,R4,P4,2025-01-06,LTU,T-NOPE,,,,,,,,"))
    assert errors_of(folder) == ["referrals.csv:5: delivery_org_ref: unknown organisation: 'T-NOPE'"]


def test_missing_required_column_is_reported_on_the_header_line(tmp_path):
    folder = small(
        tmp_path,
        **{
            "referrals.csv": "contract_ref,referral_ref,participant_ref,referral_date\nT-1,R1,P1,2025-01-06\n"
        },
    )
    assert errors_of(folder)[0] == "referrals.csv:1: group: missing required column"


def test_missing_required_file_is_reported(tmp_path):
    files = dict(SMALL)
    del files["events.csv"]
    assert errors_of(write_bundle(tmp_path, files)) == ["events.csv:1: file: required file missing"]


def test_bad_numbers_are_rejected(tmp_path):
    folder = small(
        tmp_path,
        **with_rows("events.csv", "T-1,R1,SUSTAINMENT,2025-07-01,12x,"),
        **{
            "mpl_profiles.csv": "contract_ref,group,month,cumulative_pct\nT-1,LTU,1.5,1\nT-1,LTU,2,150\n",
            "validation_rounds.csv": "contract_ref,round,period_start,period_end,invalid_pct,status\n"
            "T-1,1,2024-04-01,2024-09-30,abc,DRAFT\n",
        },
    )
    assert errors_of(folder) == [
        "events.csv:7: amount: not a number: '12x'",
        "mpl_profiles.csv:2: month: not a whole number: '1.5'",
        "mpl_profiles.csv:3: cumulative_pct: must be at most 100: '150'",
        "validation_rounds.csv:2: invalid_pct: not a number: 'abc'",
        "validation_rounds.csv:2: status: unknown status (expected one of FINAL, PROVISIONAL): 'DRAFT'",
    ]


def test_contract_year_start_month_nation_and_dates_are_checked(tmp_path):
    folder = small(
        tmp_path,
        **{
            "contracts.csv": SMALL["contracts.csv"].replace(
                "CPA1,ENG,2024-04-01,2028-03-31,4", "CPA1,NIR,2028-04-01,2024-03-31,13"
            )
        },
    )
    assert errors_of(folder) == [
        "contracts.csv:2: nation: unknown nation (expected one of ENG, SCT, WLS): 'NIR'",
        "contracts.csv:2: end_date: before start_date",
        "contracts.csv:2: year_start_month: must be at most 12: '13'",
    ]


def test_year_start_month_defaults_to_april(tmp_path):
    text = SMALL["contracts.csv"].replace(",year_start_month", "").replace("2028-03-31,4", "2028-03-31")
    valid = validate_bundle(read_bundle(small(tmp_path, **{"contracts.csv": text})), empty_state())
    assert valid.typed["contracts.csv"]["year_start_month"].tolist() == [4]


def test_blank_lines_keep_the_line_numbers_of_the_file(tmp_path):
    text = SMALL["events.csv"] + "\n\nT-1,R1,NOPE,2025-03-01,,\n"
    [error] = errors_of(small(tmp_path, **{"events.csv": text}))
    assert error.startswith("events.csv:9: event: unknown event code")


def test_a_quoted_line_break_keeps_the_line_numbers_of_the_file(tmp_path):
    rows = '"T-Q","Quoted\nName, Ltd",SUBCONTRACTOR,T-PRIME\nT-X,X Ltd,PARTNER,\n'
    text = SMALL["organisations.csv"] + rows
    [error] = errors_of(small(tmp_path, **{"organisations.csv": text}))
    # Line 4 holds the start of T-Q's row and line 5 its end, so T-X's row is line 6.
    assert error.startswith("organisations.csv:6: kind: unknown organisation kind")


def test_values_are_trimmed_of_surrounding_spaces(tmp_path):
    folder = small(tmp_path, **with_rows("events.csv", " T-1 , R2 ,ACKNOWLEDGED , 2025-01-08,,"))
    assert (
        validate_bundle(read_bundle(folder), empty_state()).frames["events.csv"]["referral_ref"].iloc[-1]
        == "R2"
    )


def test_unknown_file_names_are_rejected(tmp_path):
    folder = small(tmp_path, **{"event.csv": "contract_ref\n"})
    assert errors_of(folder) == [
        "event.csv:1: file: unknown file (expected one of contracts.csv, organisations.csv, referrals.csv, "
        "events.csv, mpl_profiles.csv, validation_rounds.csv, mpl_targets.csv, kpi_targets.csv)"
    ]


def test_only_the_first_hundred_errors_are_listed_then_a_count(tmp_path):
    rows = [f"T-1,R1,NOPE,2025-{month:02d}-{day:02d},," for month in range(3, 8) for day in range(1, 29)]
    with pytest.raises(BundleRejected) as caught:
        validate_bundle(read_bundle(small(tmp_path, **with_rows("events.csv", *rows))), empty_state())
    assert len(caught.value.errors) == MAX_MESSAGES
    assert caught.value.error_count == 140
    assert caught.value.errors[0].startswith("events.csv:7: event: unknown event code")
    assert caught.value.message.endswith("\n... and 40 more errors")


def test_every_bad_row_of_every_file_is_reported_in_file_order(tmp_path):
    folder = small(
        tmp_path,
        **with_rows("events.csv", "T-1,R1,STARTED,2025-01-05,,"),
        **with_rows("contracts.csv", "T-2,XYZ,Other,T-PRIME,,CPA2,ENG,2024-04-01,2028-03-31,"),
    )
    assert errors_of(folder) == [
        "contracts.csv:3: programme: unknown programme (expected one of CAP, WHP, WP): 'XYZ'",
        "events.csv:7: event_date: before the referral date 2025-01-06",
        "events.csv:7: event: a second resolution event (the referral already has STARTED on 2025-01-10)",
    ]


# ------------------------------------------------------------------------------------------- properties


def _rows(text: str) -> tuple[str, list[str]]:
    header, *rows = text.strip("\n").split("\n")
    return header, rows


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_row_order_does_not_change_what_validates(tmp_path_factory, seed):
    """Any shuffle of the rows of every file validates to the same rows."""
    rng = random.Random(seed)
    files = {}
    for name, text in SMALL.items():
        header, rows = _rows(text)
        rng.shuffle(rows)
        files[name] = "\n".join([header, *rows]) + "\n"
    folder = write_bundle(tmp_path_factory.mktemp("shuffled"), files)
    valid = validate_bundle(read_bundle(folder), empty_state())
    original = validate_bundle(
        read_bundle(write_bundle(tmp_path_factory.mktemp("original"), SMALL)), empty_state()
    )
    for name, frame in original.frames.items():
        columns = [c for c in frame.columns if c != "line"]
        ordered = frame[columns].sort_values(columns).reset_index(drop=True)
        assert valid.frames[name][columns].sort_values(columns).reset_index(drop=True).equals(ordered), name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(0, 4), bad=st.sampled_from(["2025-02-30", "20250110", "yesterday", "2025-1-1x"]))
def test_a_bad_date_anywhere_is_reported_on_exactly_its_line(tmp_path_factory, row, bad):
    header, rows = _rows(SMALL["events.csv"])
    fields = rows[row].split(",")
    fields[3] = bad
    rows[row] = ",".join(fields)
    folder = write_bundle(
        tmp_path_factory.mktemp("bad"), {**SMALL, "events.csv": "\n".join([header, *rows]) + "\n"}
    )
    assert errors_of(folder) == [
        f"events.csv:{row + 2}: event_date: not a date (expected YYYY-MM-DD): {bad!r}"
    ]


# Issue 10: safe input. A control character in a reference was imported as given, to reach pages, exports,
# log lines and terminals.
@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("R\x009", "0000"),  # NUL
        ("R\x1b[2J9", "001B"),  # ESC: a terminal's "clear screen"
        ("R\t9", "0009"),
        ("R\n9", "000A"),
        ("R9\x7f", "007F"),  # DEL
        ("R\x859", "0085"),  # C1: next line
    ],
)
def test_a_control_character_in_a_reference_is_refused_naming_it(tmp_path, value, code):
    row = f'T-1,"{value}",P9,2025-01-06,LTU,,,,,,,,,'
    errors = errors_of(small(tmp_path, **with_rows("referrals.csv", row)))
    assert errors == [f"referrals.csv:5: referral_ref: control character U+{code} in a reference: {value!r}"]


def test_every_reference_column_is_checked_for_control_characters(tmp_path):
    folder = small(
        tmp_path,
        **with_rows("referrals.csv", "T-1,R9,P\x079,2025-01-06,LTU,T-SUB,S\x1f2,KW\x9b2,,,,,,"),
        **with_rows("organisations.csv", "T-\x08X,X Ltd,SUBCONTRACTOR,T-PRIME"),
    )
    assert errors_of(folder) == [
        "organisations.csv:4: org_ref: control character U+0008 in a reference: 'T-\\x08X'",
        "referrals.csv:5: participant_ref: control character U+0007 in a reference: 'P\\x079'",
        "referrals.csv:5: site_ref: control character U+001F in a reference: 'S\\x1f2'",
        "referrals.csv:5: key_worker: control character U+009B in a reference: 'KW\\x9b2'",
    ]


def test_a_control_character_around_a_reference_is_refused_not_trimmed(tmp_path):
    """Trimming removes spaces, tabs and the other Unicode spaces only: a unit separator at the end of a
    reference, in a file whose values are padded with spaces, was trimmed away unseen (str.strip) and is now
    refused like any other."""
    folder = small(tmp_path, **with_rows("events.csv", " T-1 , R2\x1f ,ACKNOWLEDGED , 2025-01-08,,"))
    assert errors_of(folder) == [
        "events.csv:7: referral_ref: control character U+001F in a reference: 'R2\\x1f'",
        "events.csv:7: referral_ref: unknown referral: 'R2\\x1f'",
    ]


def test_names_may_hold_what_references_may_not(tmp_path):
    """Only references are refused a control character: a name is text a person typed (a tab, say)."""
    text = SMALL["organisations.csv"].replace("Test Sub Ltd", '"Test\tSub Ltd"')
    valid = validate_bundle(read_bundle(small(tmp_path, **{"organisations.csv": text})), empty_state())
    assert valid.frames["organisations.csv"]["name"].tolist()[1] == "Test\tSub Ltd"


def test_a_zip_whose_data_fail_their_checksum_is_rejected_naming_the_file(tmp_path):
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(damaged_zip())
    assert errors_of(archive) == [
        "events.csv:1: file: damaged in the .zip: its data fail their CRC-32 checksum (make the .zip again)"
    ]


def test_a_zip_whose_compressed_data_are_corrupt_is_rejected_naming_the_file(tmp_path):
    data = bytearray(zip_bytes(SMALL))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("bundle/referrals.csv")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 2, start + info.compress_size - 2):
        data[offset] ^= 0x5A
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(bytes(data))
    errors = errors_of(archive)
    assert errors[0].startswith("referrals.csv:1: file: damaged in the .zip: its data fail ")
    assert "required file missing" not in " ".join(errors)  # (the events then name unknown referrals)
