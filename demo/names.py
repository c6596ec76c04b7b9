"""Names and contact details of the demo's participants (issue 13): realistic, varied, obviously fictional.

- Names: a mix of the UK's common given names and surnames (English, Welsh, Scottish, Irish, South Asian,
  African, Eastern European, East Asian), accents kept (José, Zoë, Siân), so the name search has real work.
- Telephone numbers: Ofcom's drama range 07700 900000 to 07700 900999, never allocated to a subscriber.
- Email addresses: at example.org / example.com (RFC 2606: reserved, never delivered).
- National Insurance numbers: prefix QQ, which HMRC never issues (its own example is QQ123456C).

Vectorised and seeded: one draw per person (re-referred people keep theirs), the same for a seed."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

# fmt: off
FEMALE = (
    "Amelia", "Olivia", "Ayesha", "Sarah", "Emma", "Chloé", "Zoë", "Siân", "Aoife", "Fatima", "Priya",
    "Grace", "Megan", "Rhiannon", "Eilidh", "Nia", "Hannah", "Jessica", "Lauren", "Sophie", "Charlotte",
    "Amina", "Maryam", "Agnieszka", "Oksana", "Chiamaka", "Adaeze", "Mei", "Renée", "Niamh", "Shona",
    "Karen", "Julie", "Tracey", "Michelle", "Nicola", "Leanne", "Kelly", "Danielle", "Bethan", "Ffion",
    "Zainab", "Harpreet", "Simran", "Joanna", "Lucy", "Amy", "Rebecca", "Gemma", "Stacey",
)
MALE = (
    "Mohammed", "Oliver", "Jack", "Harry", "James", "José", "Ciarán", "Dafydd", "Rhys", "Callum", "Hamish",
    "Connor", "Liam", "Daniel", "Thomas", "Ryan", "Jamal", "Kwame", "Chinedu", "Tomasz", "Piotr", "Andrei",
    "Imran", "Bilal", "Arjun", "Rohan", "Gurpreet", "Wei", "Minh", "Darren", "Lee", "Craig", "Gareth",
    "Stuart", "Paul", "Mark", "Wayne", "Dean", "Kieran", "Aled", "Iwan", "Ewan", "Fraser", "Seán", "Kyle",
    "Ahmed", "Yusuf", "Mateusz", "Nathan", "Jordan",
)
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Roberts",
    "Johnson", "Lewis", "Walker", "Robinson", "Wood", "Thompson", "Wright", "Green", "Hughes", "Edwards",
    "Khan", "Patel", "Ali", "Hussain", "Begum", "Ahmed", "Singh", "Kaur", "Shah", "Akhtar", "Nowak",
    "Kowalski", "Wiśniewski", "Popescu", "Okafor", "Mensah", "Adeyemi", "Osei", "Nguyen", "Chen", "Wong",
    "MacDonald", "Campbell", "Stewart", "MacLeod", "O'Neill", "Murphy", "Ó Briain", "Llewellyn", "Pryce",
    "Jenkins", "Price", "Griffiths", "Morgan", "Ferreira", "Núñez", "Müller", "Yılmaz", "Clarke", "Hall",
    "Turner", "Cooper", "Bailey", "Kelly", "Bennett", "Shaw", "Lloyd", "Ellis", "Fox", "Armstrong",
)
# fmt: on
PREFERRED = ("Jay", "Sam", "Alex", "Jo", "Chris", "Charlie", "Robin", "Frankie", "Billie", "Max", "Ash")
DOMAINS = ("example.org", "example.com")
SHARES = {"preferred": 0.08, "phone": 0.9, "email": 0.7, "nino": 0.93}


def _ascii(name: str) -> str:
    """ "Ó Briain" -> "obriain": the email's local part."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _pick(values, codes: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)[codes]


def person_columns(rng: np.random.Generator, male: np.ndarray, persons: np.ndarray, contract: int) -> dict:
    """referrals.csv's personal columns for rows of `persons` (a person number per row; rows of one person
    get the same values), `male` per row. `contract` keeps numbers apart between contracts."""
    n = int(persons.max()) + 1 if len(persons) else 0
    first_row = np.zeros(n, dtype=np.int64)
    first_row[persons[::-1]] = np.arange(len(persons))[::-1]  # each person's first referral
    given = np.where(
        male[first_row],
        rng.integers(0, len(MALE), size=n) + len(FEMALE),
        rng.integers(0, len(FEMALE), size=n),
    )
    surname = rng.integers(0, len(SURNAMES), size=n)
    firsts = (*FEMALE, *MALE)
    has = {name: rng.random(n) < share for name, share in SHARES.items()}
    preferred = np.where(has["preferred"], _pick(PREFERRED, rng.integers(0, len(PREFERRED), size=n)), "")
    drama = [f"07700 900{k:03d}" for k in range(1000)]
    phone = np.where(has["phone"], _pick(drama, rng.integers(0, 1000, n)), "")
    local = (
        _pick([_ascii(name) for name in firsts], given)
        + "."
        + _pick([_ascii(name) for name in SURNAMES], surname)
        + pd.Series(np.arange(n) % 97).astype(str).to_numpy(dtype=object)
        + "@"
        + _pick(DOMAINS, rng.integers(0, len(DOMAINS), size=n))
    )
    email = np.where(has["email"], local, "")
    digits = pd.Series((contract * 100_003 + np.arange(n)) % 1_000_000).astype(str).str.zfill(6)
    nino = "QQ" + digits.to_numpy(dtype=object) + _pick(list("ABCD"), np.arange(n) % 4)
    columns = {
        "first_name": _pick(firsts, given),
        "last_name": _pick(SURNAMES, surname),
        "preferred_name": preferred,
        "phone": phone,
        "email": email,
        "nino": np.where(has["nino"], nino, ""),
    }
    return {
        name: pd.Categorical(values[persons]) if name in ("first_name", "last_name") else values[persons]
        for name, values in columns.items()
    }
