"""The targets page's forms: the grid's cells, named by unit and KPI, and the spreadsheet upload."""

from __future__ import annotations

from django import forms

from .selectors import KPIS

CELL = "t:"  # a cell's name: t:<unit ref>:<KPI> (a reference may hold ":", a KPI code never does)


def cell_name(ref: str, kpi: str) -> str:
    return f"{CELL}{ref}:{kpi}"


def posted_cells(data) -> dict[tuple[str, str], str]:
    """(ref, kpi) -> the text typed in each of the grid's cells (every cell of the page is posted, blank
    or not); names that are not a cell of a KPI are ignored."""
    cells = {}
    for name, value in data.items():
        if name.startswith(CELL):
            ref, _, kpi = name.removeprefix(CELL).rpartition(":")
            if kpi in KPIS:
                cells[(ref, kpi)] = value
    return cells


class UploadForm(forms.Form):
    spreadsheet = forms.FileField(
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control form-control-sm", "accept": ".csv,.xlsx"}
        ),
        help_text="A .csv or .xlsx with exactly kpi_targets.csv's columns: contract_ref, level, ref, kpi, "
        "month (YYYY-MM), target. An empty target sets nothing; targets the file does not name stay.",
    )
