"""Whole arrays of days and codes as the bundle's columns, without a loop per row: ISO dates and labels as
categoricals (a million rows format in milliseconds), zero-padded references, and stacking such frames."""

from __future__ import annotations

import numpy as np
import pandas as pd


def as_days(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype("timedelta64[D]")


def iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"), unit="D")


def date_column(days: np.ndarray) -> pd.Categorical:
    """ISO dates as a categorical over the days spanned: a million rows format in milliseconds."""
    days = np.asarray(days, dtype="datetime64[D]")
    first = days.min()
    labels = iso(np.arange(first, days.max() + 1))
    return pd.Categorical.from_codes((days - first).astype(np.int64), categories=labels)


def numbered(prefix: str, numbers: np.ndarray) -> np.ndarray:
    """prefix + the numbers zero-padded to 7 digits (P0000042), built as bytes without a loop per row."""
    numbers = np.asarray(numbers, dtype=np.int64)
    width = max(7, len(str(int(numbers.max(initial=0)))))
    digits = (numbers[:, None] // 10 ** np.arange(width - 1, -1, -1)) % 10 + ord("0")
    head = np.broadcast_to(np.frombuffer(prefix.encode(), dtype=np.uint8), (len(numbers), len(prefix)))
    raw = np.ascontiguousarray(np.hstack([head, digits.astype(np.uint8)]))
    return raw.view(f"S{len(prefix) + width}").ravel().astype(str)


def categorical(values, codes: np.ndarray) -> pd.Categorical:
    """The column whose row i is values[codes[i]], as a categorical (values may repeat)."""
    index, labels = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(
        index[np.asarray(codes, dtype=np.int64)], categories=pd.Index(labels, dtype=object)
    )


def concat_categorical(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack frames of categorical columns, keeping them categorical (plain concat would expand them):
    the categories are joined once and each frame's codes re-pointed, without a lookup per row."""
    columns = {}
    for column in frames[0].columns:
        parts = [frame[column].array for frame in frames]
        if not isinstance(parts[0], pd.Categorical):
            columns[column] = np.concatenate([np.asarray(part, dtype=object) for part in parts])
            continue
        labels = np.concatenate([np.asarray(part.categories, dtype=object) for part in parts])
        index, uniques = pd.factorize(labels)
        offsets = np.cumsum([0] + [len(part.categories) for part in parts[:-1]])
        codes = np.concatenate(
            [index[offset + part.codes] for offset, part in zip(offsets, parts, strict=True)]
        )
        columns[column] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
    return pd.DataFrame(columns)
