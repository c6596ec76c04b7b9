"""KPI targets uploaded as a spreadsheet (issue 12; DATA.md kpi_targets.csv): CSV and XLSX in exactly the
bundle's columns, checked by the bundle's rule, all-or-nothing with every bad row named by row, column and
reason, upserting the given keys only; the download in the same columns uploaded back unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from participants.models import KpiTarget, RecomputeRequest
from performance.kpis.targets import sheets
from performance.kpis.targets.services import KPI_RECOMPUTE_TASK
from tests import factories as f

from .kpi_support import client_for, held, make_world, target

pytestmark = pytest.mark.django_db
URL = "/performance/contracts/K-1/kpis/targets/"
UPLOAD = URL + "upload/"
HEADER = "contract_ref,level,ref,kpi,month,target\n"


@pytest.fixture(autouse=True)
def _no_import_recompute(settings):
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []


@pytest.fixture
def world():
    return make_world()


def upload(client, name: str, content: bytes, **state):
    return client.post(
        UPLOAD,
        {"month": "2025-04", "level": "STAFF", **state, "spreadsheet": SimpleUploadedFile(name, content)},
    )


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload_errors(response) -> list[str]:
    html = response.content.decode()
    start = html.index('id="upload-errors"')
    return [item.split("</li>")[0] for item in html[start : html.index("</div>", start)].split("<li>")[1:]]


def test_a_csv_upserts_the_keys_it_names_and_leaves_the_rest(world):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 3)  # changed by the file
    target(world, "STAFF", "KW-B", "JOB_STARTS", "2025-04", 4)  # not named: stays
    content = HEADER + (
        "K-1,STAFF,KW-A,JOB_STARTS,2025-04,5\n"
        "K-1,STAFF,KW-A,STARTS,2025-04,\n"  # an empty target sets nothing
        "K-1,SITE,S1,STARTS,2025-05,10.5\n"
        "K-1,CONTRACT,,COMPLAINTS,2025-06,0\n"
        "K-1,STAFF,KW-NEW,STARTS,2025-04,1\n"  # not held yet: kept for when it arrives, as in the bundle
    )
    client = client_for(world.contract_manager)
    response = upload(client, "targets.csv", content.encode())
    assert response.status_code == 302
    assert held(world) == {
        ("STAFF", "KW-A", "JOB_STARTS", "2025-04"): Decimal("5.00"),
        ("STAFF", "KW-B", "JOB_STARTS", "2025-04"): Decimal("4.00"),
        ("SITE", "S1", "STARTS", "2025-05"): Decimal("10.50"),
        ("CONTRACT", "", "COMPLAINTS", "2025-06"): Decimal("0.00"),
        ("STAFF", "KW-NEW", "STARTS", "2025-04"): Decimal("1.00"),
    }
    assert (
        "targets.csv loaded: 3 set, 1 changed, 0 cleared."
        in client.get(response["Location"]).content.decode()
    )
    history = KpiTarget.history.filter(history_change_reason="upload targets.csv")
    assert sorted(h.history_type for h in history) == ["+", "+", "+", "~"]
    request = RecomputeRequest.objects.get()
    assert (request.task, request.months) == (KPI_RECOMPUTE_TASK, ["2025-04", "2025-05", "2025-06"])


def test_a_bad_csv_names_every_row_column_and_reason_and_writes_nothing(world):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 3)
    f.ContractFactory(ref="K-2", prime=world.prime)  # the manager's prime's other contract
    content = HEADER + (
        "K-1,STAFF,KW-A,JOB_STARTS,2025-04,9\n"  # good, but nothing is saved
        "K-1,STAFF,KW-A,STARTS,2025-04,abc\n"
        "K-1,STAFF,KW-B,STARTS,2025-04,-2\n"
        "K-1,TEAM,T1,STARTS,2025-04,1\n"
        "K-1,STAFF,KW-B,SMILES,2025-4,1\n"
        "K-2,STAFF,KW-A,STARTS,2025-04,1\n"
        "NOPE,STAFF,KW-A,STARTS,2025-04,1\n"
        "K-1,STAFF,KW-A,JOB_STARTS,2025-04,9\n"
    )
    response = upload(client_for(world.contract_manager), "targets.csv", content.encode())
    assert response.status_code == 400
    errors = upload_errors(response)
    assert errors == [
        "Row 3, column target: not a number: &#x27;abc&#x27;",
        "Row 4, column target: must be at least 0: &#x27;-2&#x27;",
        "Row 5, column level: unknown level (expected one of CONTRACT, ORGANISATION, SITE, STAFF): "
        "&#x27;TEAM&#x27;",
        "Row 6, column kpi: unknown KPI (expected one of AP_REVIEWS_ON_TIME, COMPLAINTS, EARNINGS_STARTS, "
        "ELIGIBILITY_CHECKS, JOB_OUTCOMES, JOB_STARTS, PLACEMENTS_SOURCED, PSG_PROGRESS, STARTS, "
        "SUSTAINMENTS): &#x27;SMILES&#x27;",
        "Row 6, column month: not a month (expected YYYY-MM): &#x27;2025-4&#x27;",
        "Row 7, column contract_ref: not K-1: upload each contract&#x27;s targets on its own page",
        "Row 8, column contract_ref: unknown contract: &#x27;NOPE&#x27;",
        "Row 9, column month: duplicate key, first given on line 2",
    ]
    assert "Nothing was saved: the spreadsheet has 8 errors." in response.content.decode()
    assert held(world) == {("STAFF", "KW-A", "JOB_STARTS", "2025-04"): Decimal("3.00")}
    assert not KpiTarget.history.filter(history_change_reason__startswith="upload").exists()
    assert not RecomputeRequest.objects.exists()


def test_the_columns_must_be_exactly_kpi_targets_csvs(world):
    client = client_for(world.contract_manager)
    extra = upload(
        client,
        "t.csv",
        b"contract_ref,level,ref,kpi,month,target,name\nK-1,STAFF,KW-A,STARTS,2025-04,1,Anna\n",
    )
    assert upload_errors(extra) == [
        "Row 1, column name: unknown column (expected exactly contract_ref, level, ref, kpi, month, target)"
    ]
    missing = upload(client, "t.csv", b"contract_ref,level,ref,kpi,month\nK-1,STAFF,KW-A,STARTS,2025-04\n")
    assert upload_errors(missing) == ["Row 1, column target: missing required column"]
    assert not KpiTarget.objects.exists()


def test_an_xlsx_is_read_like_the_csv_with_rows_numbered_as_the_sheet_shows_them(world):
    rows = [
        ["contract_ref", "level", "ref", "kpi", "month", "target"],
        ["K-1", "STAFF", "KW-A", "JOB_STARTS", "2025-04", 3],
        [None, None, None, None, None, None],  # a blank row keeps its number
        ["K-1", "STAFF", "KW-B", "STARTS", dt.datetime(2025, 5, 1), 2.5],  # Excel made "2025-05" a date
        ["K-1", "ORGANISATION", "SUB", "STARTS", "2025-04", None],  # empty target: nothing
    ]
    client = client_for(world.contract_manager)
    assert upload(client, "targets.xlsx", xlsx(rows)).status_code == 302
    assert held(world) == {
        ("STAFF", "KW-A", "JOB_STARTS", "2025-04"): Decimal("3.00"),
        ("STAFF", "KW-B", "STARTS", "2025-05"): Decimal("2.50"),
    }
    bad = rows[:3] + [["K-1", "STAFF", "KW-B", "STARTS", dt.datetime(2025, 5, 14), "many"]]
    response = upload(client, "targets.xlsx", xlsx(bad))
    assert response.status_code == 400
    assert upload_errors(response) == [
        "Row 4, column month: not a month (expected YYYY-MM): &#x27;2025-05-14&#x27;",
        "Row 4, column target: not a number: &#x27;many&#x27;",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("targets.txt", b"hello", "targets.txt: expected a .csv or .xlsx file."),
        ("targets.xlsx", b"not a zip", "targets.xlsx: not a readable .xlsx file."),
        ("targets.csv", b"\xff\xfe\x00", "targets.csv, row 1: not UTF-8 text."),
        ("targets.csv", b"\n", "targets.csv, row 1: empty file (a header row is required)."),
        ("targets.csv", HEADER.encode() + b'K-1,"STAFF\n', "targets.csv, row 1: not a readable CSV file"),
        ("targets.csv", b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_field(world, name, content, message):
    response = upload(client_for(world.contract_manager), name, content)
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()


def test_a_partnerships_manager_uploads_only_their_subcontractors_rows(world):
    content = HEADER + (
        "K-1,STAFF,KW-S,STARTS,2025-04,2\n"
        "K-1,STAFF,KW-A,STARTS,2025-04,2\n"
        "K-1,SITE,S1,STARTS,2025-04,2\n"
        "K-1,CONTRACT,,STARTS,2025-04,2\n"
        "K-1,ORGANISATION,SUB,STARTS,2025-04,2\n"
    )
    client = client_for(world.partnerships)
    response = upload(client, "t.csv", content.encode())
    assert upload_errors(response) == [
        "Row 3, column ref: not a unit whose targets you set: &#x27;KW-A&#x27;",
        "Row 4, column ref: not a unit whose targets you set: &#x27;S1&#x27;",
        "Row 5, column level: you do not set CONTRACT targets",
    ]
    assert not KpiTarget.objects.exists()
    lines = content.splitlines()
    good = "\n".join([lines[0], lines[1], lines[5]]) + "\n"
    assert upload(client, "t.csv", good.encode()).status_code == 302
    assert set(held(world)) == {
        ("STAFF", "KW-S", "STARTS", "2025-04"),
        ("ORGANISATION", "SUB", "STARTS", "2025-04"),
    }


def test_only_those_who_set_targets_upload(world):
    content = (HEADER + "K-1,STAFF,KW-A,STARTS,2025-04,2\n").encode()
    assert upload(client_for(world.anna), "t.csv", content).status_code == 403
    assert client_for(world.contract_manager).get(UPLOAD).status_code == 405
    other = f.ContractFactory(ref="K-9", prime=f.OrganisationFactory(ref="OTHER"))
    response = client_for(world.contract_manager).post(
        f"/performance/contracts/{other.ref}/kpis/targets/upload/",
        {"spreadsheet": SimpleUploadedFile("t.csv", content)},
    )
    assert response.status_code == 404
    assert not KpiTarget.objects.exists()


def test_the_csv_download_is_the_pages_targets_and_uploads_back_unchanged(world):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 3)
    target(world, "STAFF", "KW-B", "STARTS", "2025-04", 10.5)
    target(world, "STAFF", "KW-A", "STARTS", "2025-05", 7)  # another month: not in it
    client = client_for(world.contract_manager)
    response = client.get(URL, {"month": "2025-04", "level": "STAFF", "site": "S1", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="K-1-kpi-targets-staff-2025-04.csv"'
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["contract_ref", "level", "ref", "kpi", "month", "target"]
    assert len(rows) == 1 + 3 * 10  # Anna, Ben and Tess at Leeds, a row per KPI each
    given = {(r[2], r[3]): r[5] for r in rows[1:] if r[5]}
    assert given == {("KW-A", "JOB_STARTS"): "3.00", ("KW-B", "STARTS"): "10.50"}
    assert {r[4] for r in rows[1:]} == {"2025-04"}
    before = held(world)
    again = upload(client, "K-1-kpi-targets-staff-2025-04.csv", text.encode())
    assert "nothing changed" in client.get(again["Location"]).content.decode()
    assert held(world) == before
    edited = text.replace("KW-A,JOB_STARTS,2025-04,3.00", "KW-A,JOB_STARTS,2025-04,4").replace(
        "KW-A,STARTS,2025-04,", "KW-A,STARTS,2025-04,1"
    )
    changed = upload(client, "edited.csv", edited.encode())
    assert "1 set, 1 changed, 0 cleared" in client.get(changed["Location"]).content.decode()
    assert held(world)[("STAFF", "KW-A", "JOB_STARTS", "2025-04")] == Decimal("4.00")
    assert held(world)[("STAFF", "KW-A", "STARTS", "2025-04")] == Decimal("1.00")


def test_the_xlsx_download_uploads_back_unchanged(world):
    target(world, "SITE", "S2", "STARTS", "2025-04", 12)
    client = client_for(world.contract_manager)
    response = client.get(URL, {"month": "2025-04", "level": "SITE", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("contract_ref", "level", "ref", "kpi", "month", "target")
    assert ("K-1", "SITE", "S2", "STARTS", "2025-04", 12) in rows
    assert len(rows) == 1 + 2 * 10
    again = upload(client, "sites.xlsx", response.content, level="SITE")
    assert again.status_code == 302
    assert "nothing changed" in client.get(again["Location"]).content.decode()
    assert held(world) == {("SITE", "S2", "STARTS", "2025-04"): Decimal("12.00")}


def test_a_partnerships_managers_download_holds_only_their_units(world):
    target(world, "STAFF", "KW-A", "STARTS", "2025-04", 3)
    target(world, "STAFF", "KW-S", "STARTS", "2025-04", 2)
    response = client_for(world.partnerships).get(
        URL, {"month": "2025-04", "level": "STAFF", "export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]
    assert {r[2] for r in rows} == {"KW-S"}


def test_a_sheet_of_more_rows_than_an_upload_takes_is_refused(world, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_ROWS", 2)
    content = HEADER + "".join(
        f"K-1,STAFF,KW-A,{kpi},2025-04,1\n" for kpi in ("STARTS", "JOB_STARTS", "COMPLAINTS")
    )
    response = upload(client_for(world.contract_manager), "t.csv", content.encode())
    assert response.status_code == 400
    assert "t.csv: 3 rows, more than 2: upload fewer months at a time" in response.content.decode()
    assert not KpiTarget.objects.exists()
