"""The demo's participants (issue 13): varied, realistic, obviously fictional names and contact details,
the same for a seed, one set per person (a re-referred person keeps theirs)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pandas as pd

from demo.generator import generate_bundle
from participants import people

TODAY = date(2026, 3, 18)


@lru_cache(maxsize=2)
def referrals(seed: int = 2011) -> pd.DataFrame:
    return generate_bundle(referrals=2_000, today=TODAY, seed=seed)["referrals.csv"].astype(str)


def test_every_participant_has_a_varied_name():
    frame = referrals()
    assert (frame["first_name"] != "").all() and (frame["last_name"] != "").all()
    assert frame["last_name"].nunique() >= 50 and frame["first_name"].nunique() >= 60
    assert frame["first_name"].str.contains("[éëâñí]", regex=True).any()  # accents, for the search


def test_contact_details_are_obviously_fictional():
    frame = referrals()
    phones = frame.loc[frame["phone"] != "", "phone"]
    assert phones.str.fullmatch(r"07700 900\d{3}").all()  # Ofcom's drama range
    emails = frame.loc[frame["email"] != "", "email"]
    assert emails.str.fullmatch(r"[a-z0-9.]+@example\.(org|com)").all()
    ninos = frame.loc[frame["nino"] != "", "nino"]
    assert ninos.str.startswith("QQ").all() and ninos.map(people.is_nino).all()  # never issued by HMRC
    assert 0.8 < len(ninos) / len(frame) < 1


def test_one_person_one_set_of_details_and_the_same_for_a_seed():
    frame = referrals()
    columns = ["first_name", "last_name", "preferred_name", "phone", "email", "nino"]
    per_person = frame.groupby(["contract_ref", "participant_ref"])[columns].nunique()
    assert (per_person == 1).all().all()
    assert referrals(2011)[columns].equals(
        generate_bundle(referrals=2_000, today=TODAY, seed=2011)["referrals.csv"].astype(str)[columns]
    )
    assert not referrals(2011)[columns].equals(referrals(12)[columns])
