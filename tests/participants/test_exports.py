"""participants.exports: the one CSV writer and the one Excel writer every export uses, and the referral
columns the exports share (DATA.md referrals.csv)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from participants.exports import REFERRAL_CSV_COLUMNS, csv_response, excel_response, values_of


def test_the_referral_columns_are_the_bundles_referrals_csv_columns():
    assert [name for name, _ in REFERRAL_CSV_COLUMNS] == [
        "contract_ref",
        "referral_ref",
        "participant_ref",
        "referral_date",
        "group",
        "delivery_org_ref",
        "site_ref",
        "key_worker",
    ]


def test_csv_is_streamed_header_first_and_quoted_by_the_csv_module():
    rows = values_of([{"a": 1, "b": 'say "hi", then go'}, {"a": None}], ["a", "b"])
    response = csv_response("x.csv", ["a", "b"], rows)
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert b"".join(response.streaming_content).decode() == 'a,b\r\n1,"say ""hi"", then go"\r\n,\r\n'


def test_excel_holds_the_same_header_and_rows():
    response = excel_response("x.xlsx", ["a", "b"], iter([[1, "one"], [2, None]]), sheet="Items")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Items"]
    assert list(book["Items"].values) == [("a", "b"), (1, "one"), (2, None)]
