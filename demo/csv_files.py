"""The demo bundle written as the CSV files DATA.md names (UTF-8, header row, ISO dates, amounts with two
decimals), by formatting each distinct value once: several times faster than DataFrame.to_csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def _csv_field(value) -> bytes:
    """One CSV field, quoted only when it must be (as the csv module's QUOTE_MINIMAL)."""
    if isinstance(value, float):
        text = "" if np.isnan(value) else f"{value:.2f}"
    else:
        text = str(value)
    if any(char in text for char in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text.encode()


def _write_csv(frame: pd.DataFrame, path: Path, chunk: int = 500_000) -> None:
    """Write a frame as CSV by formatting each distinct value once and gluing the rows with numpy string
    operations: several times faster than DataFrame.to_csv on millions of rows."""
    columns = []
    for name in frame.columns:
        values = frame[name].array
        if isinstance(values, pd.Categorical):
            codes, labels = values.codes, values.categories
        else:
            codes, labels = pd.factorize(values, use_na_sentinel=False)
        columns.append((np.array([_csv_field(label) for label in labels], dtype="S"), codes))
    with open(path, "wb") as out:
        out.write(b",".join(_csv_field(name) for name in frame.columns) + b"\n")
        for first in range(0, len(frame), chunk):
            lines = None
            for labels, codes in columns:
                fields = labels[codes[first : first + chunk]]
                lines = fields if lines is None else np.strings.add(np.strings.add(lines, b","), fields)
            out.write(b"\n".join(lines.tolist()) + b"\n")


def write_bundle(bundle: dict[str, pd.DataFrame], folder: Path) -> Path:
    """Write the bundle's CSV files (UTF-8, header row, ISO dates, amounts with two decimals)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in bundle.items():
        _write_csv(frame, folder / name)
    return folder
