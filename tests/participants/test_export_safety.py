"""Formula-safe exports (issue 10; OWASP "CSV injection"): every CSV and Excel cell that begins with "=", "+",
"-", "@", a tab or a carriage return is neutralised with a leading apostrophe by the one writer every export
uses (participants.exports), on every export endpoint; numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from compliance.services import assurance as services_assurance
from participants.exports import csv_response, excel_response
from participants.models import Contract, Site
from tests import factories as f
from tests.compliance.pages_support import REFERRED, build_pages_world

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a number's own minus sign is not a formula
HOSTILE_REFERRAL = '=HYPERLINK("http://evil.example","see")'
HOSTILE_PARTICIPANT = "+1+cmd|' /C calc'!A0"
HOSTILE_SITE = "@SUM(A1:A9)"
HOSTILE_KEY_WORKER = "-2+3"
HOSTILE_CONTRACT_NAME = "\t=1+1"


def csv_cells(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_and_numbers_stay_numbers():
    header = ["text", "int", "decimal", "float"]
    rows = [
        ["=1+1", -5, Decimal("-2.50"), -0.5],
        ["+44 20 7946 0000", 3, Decimal("1"), 1.5],
        ["-x", 0, None, None],
        ["@SUM(A1)", None, None, None],
        ["\tTabbed", None, None, None],
        ["\rReturned", None, None, None],
        ["plain - text = fine", None, None, None],
    ]
    lines = csv_cells(csv_response("x.csv", header, rows))
    assert [line[0] for line in lines[1:]] == [
        "'=1+1",
        "'+44 20 7946 0000",
        "'-x",
        "'@SUM(A1)",
        "'\tTabbed",
        "'\rReturned",
        "plain - text = fine",
    ]
    assert lines[1][1:] == ["-5", "-2.50", "-0.5"]  # negative numbers are not text


def test_excel_cells_are_neutralised_as_text_and_numbers_stay_numeric():
    response = excel_response(
        "x.xlsx", ["=header", "n"], iter([["=1+1", -5], ["-x", Decimal("-2.5")]]), sheet="S"
    )
    sheet = load_workbook(io.BytesIO(response.content))["S"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["'=header", "n"],
        ["'=1+1", -5],
        ["'-x", -2.5],
    ]
    assert {cell.data_type for row in sheet.iter_rows() for cell in row} == {"s", "n"}  # never a formula "f"


@pytest.fixture
def hostile(db):
    """The compliance pages' world plus a referral whose every text column is hostile."""
    world = build_pages_world()
    site = Site.objects.create(ref="-SITE", name=HOSTILE_SITE, organisation=world.contract.prime)
    key_worker = f.StaffFactory(
        ref="@KW", name=HOSTILE_KEY_WORKER, organisation=world.contract.prime, user=None
    )
    f.ReferralFactory(
        contract=world.contract,
        ref=HOSTILE_REFERRAL,
        participant=f.ParticipantFactory(prime=world.contract.prime, ref=HOSTILE_PARTICIPANT),
        referral_date=REFERRED,
        site=site,
        key_worker=key_worker,
    )
    Contract.objects.filter(pk=world.contract.pk).update(name=HOSTILE_CONTRACT_NAME)
    return world


def export_urls(world) -> dict[str, tuple[str, dict]]:
    sample = services_assurance.draw_cmo_sample(
        contract=world.contract,
        size=6,  # the whole population: every referral of January 2025, the hostile one included
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 1, 31),
        check_date=timezone.localdate(),
        seed=1,
    )
    failing = "/compliance/contracts/CP-1/standards/CSS2/failing/"
    return {
        "referral list": ("/referrals/", {"export": "csv"}),
        "failing items CSV": (failing, {"as_of": "2025-01-31", "export": "csv"}),
        "failing items Excel": (failing, {"as_of": "2025-01-31", "export": "xlsx"}),
        "CMO sample": (f"/compliance/contracts/CP-1/assurance/cmo-samples/{sample.pk}/export/", {}),
        "drill-down": (
            "/performance/contracts/CP-1/referrals/",
            {"measure": "referrals", "month": "2025-01", "period": "in_month", "export": "csv"},
        ),
        "API failures": (
            "/api/v1/contracts/CP-1/standards/CSS2/failures/",
            {"as_of": "2025-01-31", "format": "csv"},
        ),
        "API contracts": ("/api/v1/contracts/", {"format": "csv"}),
    }


# What each export carries of the hostile referral, as it must read: neutralised.
EXPECTED = {
    "referral list": {HOSTILE_REFERRAL, HOSTILE_PARTICIPANT, "-SITE", "@KW"},
    "failing items CSV": {HOSTILE_REFERRAL, HOSTILE_SITE, HOSTILE_KEY_WORKER},
    "failing items Excel": {HOSTILE_REFERRAL, HOSTILE_SITE, HOSTILE_KEY_WORKER},
    "CMO sample": {HOSTILE_REFERRAL, HOSTILE_PARTICIPANT, "-SITE", "@KW"},
    "drill-down": {HOSTILE_REFERRAL, HOSTILE_PARTICIPANT, "-SITE", "@KW"},
    "API failures": {HOSTILE_REFERRAL},
    "API contracts": {HOSTILE_CONTRACT_NAME},
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_export_neutralises_a_hostile_reference(hostile, client, name):
    client.force_login(hostile.manager.user)
    url, query = export_urls(hostile)[name]
    response = client.get(url, query)
    assert response.status_code == 200
    if name.endswith("Excel"):
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    else:
        cells = [cell for line in csv_cells(response) for cell in line]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)]
    assert {"'" + value for value in EXPECTED[name]} <= set(cells)
