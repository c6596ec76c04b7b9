"""The worked examples of ../shared/examples (copied to tests/fixtures) as engine inputs and expectations.

`bundle_frames(name)` reads a bundle's CSVs straight into the frame schemas of participants.selectors, so
engine tests can run without a database; API golden tests import the bundle and ask the API instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).parent / "fixtures"
BUNDLES = ("whp-scotland", "wp-england", "cap-wales")
TOLERANCE = 0.01  # examples/README.md: numbers agree when they differ by at most 0.01


@dataclass(frozen=True)
class BundleFrames:
    contract: dict
    referrals: pd.DataFrame
    events: pd.DataFrame
    profiles: pd.DataFrame
    rounds: pd.DataFrame
    targets: pd.DataFrame


def _csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=8)
def bundle_frames(name: str) -> BundleFrames:
    folder = FIXTURES / name
    contract = _csv(folder / "contracts.csv").iloc[0].to_dict()
    raw = _csv(folder / "referrals.csv").reset_index(drop=True)
    ids = {ref: i + 1 for i, ref in enumerate(raw["referral_ref"])}
    referrals = pd.DataFrame(
        {
            "referral_id": raw["referral_ref"].map(ids).astype("int64"),
            "referral_ref": raw["referral_ref"],
            "participant_id": raw["participant_ref"].factorize()[0].astype("int64") + 1,
            "referral_date": pd.to_datetime(raw["referral_date"]).astype("datetime64[s]"),
            "group": raw["group"],
            "organisation_id": raw["delivery_org_ref"].factorize()[0].astype("int64") + 1,
            "site_id": (raw["site_ref"].factorize()[0] + 1).astype("float64"),
            "key_worker_id": (raw["key_worker"].factorize()[0] + 1).astype("float64"),
        }
    )
    ev = _csv(folder / "events.csv")
    events = (
        pd.DataFrame(
            {
                "referral_id": ev["referral_ref"].map(ids).astype("int64"),
                "code": ev["event"],
                "event_date": pd.to_datetime(ev["event_date"]).astype("datetime64[s]"),
                "amount": pd.to_numeric(ev["amount"].replace("", None)).astype("float64"),
                "detail": ev["detail"],
            }
        )
        .sort_values(["referral_id", "event_date"], kind="stable")
        .reset_index(drop=True)
    )
    return BundleFrames(
        contract=contract,
        referrals=referrals,
        events=events,
        profiles=_csv(folder / "mpl_profiles.csv"),
        rounds=_csv(folder / "validation_rounds.csv"),
        targets=_csv(folder / "mpl_targets.csv"),
    )


@lru_cache(maxsize=8)
def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text())


def assert_matches(actual, wanted, path: str = "") -> None:
    """Deep comparison with the examples' tolerance for numbers; null must stay null."""
    if isinstance(wanted, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in wanted.items():
            assert key in actual, f"{path}.{key}: missing"
            assert_matches(actual[key], value, f"{path}.{key}")
    elif isinstance(wanted, list):
        got = len(actual) if isinstance(actual, list) else actual
        same_length = isinstance(actual, list) and len(actual) == len(wanted)
        assert same_length, f"{path}: expected {len(wanted)} items, got {got!r}"
        for i, (a, w) in enumerate(zip(actual, wanted, strict=True)):
            assert_matches(a, w, f"{path}[{i}]")
    elif isinstance(wanted, bool) or wanted is None or isinstance(wanted, str):
        assert actual == wanted, f"{path}: expected {wanted!r}, got {actual!r}"
    else:
        assert actual is not None and abs(float(actual) - float(wanted)) <= TOLERANCE, (
            f"{path}: expected {wanted!r}, got {actual!r}"
        )
