"""Helpers for the import tests: small bundles written as CSV text; the known state of an empty database."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from participants.imports.validation import KnownState
from tests.golden import FIXTURES

PROGRAMMES = {
    "WP": ["PG1", "PG2", "PG3", "PG4", "PG5", "PG6A", "PG6B", "PG7", "PG8", "PG9"],
    "WHP": ["DISABILITY", "EARLY_ENTRY", "LTU"],
    "CAP": ["ALL"],
}

# A minimal valid WHP bundle: one contract, a prime and a subcontractor, three referrals, their events.
SMALL = {
    "contracts.csv": (
        "contract_ref,programme,name,prime_ref,prime_name,cpa,nation,start_date,end_date,year_start_month\n"
        "T-1,WHP,Test contract,T-PRIME,Test Prime Ltd,CPA1,ENG,2024-04-01,2028-03-31,4\n"
    ),
    "organisations.csv": (
        "org_ref,name,kind,parent_ref\nT-PRIME,Test Prime Ltd,PRIME,\n"
        "T-SUB,Test Sub Ltd,SUBCONTRACTOR,T-PRIME\n"
    ),
    "referrals.csv": (
        "contract_ref,referral_ref,participant_ref,referral_date,group,delivery_org_ref,site_ref,key_worker,"
        "date_of_birth,gender,disability,ethnicity,postcode_district,dda\n"
        "T-1,R1,P1,2025-01-06,LTU,T-PRIME,S1,KW1,1980-01-01,F,N,WHITE,M1,DDA-GM\n"
        "T-1,R2,P2,2025-01-07,DISABILITY,T-SUB,S2,KW2,1990-05-05,M,Y,OTHER,M2,\n"
        "T-1,R3,P1,2025-02-03,EARLY_ENTRY,T-SUB,S2,KW2,1980-01-01,F,N,WHITE,M1,DDA-LCR\n"
    ),
    "events.csv": (
        "contract_ref,referral_ref,event,event_date,amount,detail\n"
        "T-1,R1,ACKNOWLEDGED,2025-01-07,,\n"
        "T-1,R1,STARTED,2025-01-10,,\n"
        "T-1,R1,JOB_OUTCOME,2025-06-02,500.00,self_employed\n"
        "T-1,R2,FAILED_TO_ATTEND,2025-01-20,,\n"
        "T-1,R3,PSG_CHANGED,2025-02-10,,CONTEMPLATION\n"
    ),
}


def write_bundle(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def small(folder: Path, **changes: str) -> Path:
    """The small bundle with some files replaced (pass None-like "" to drop nothing; use `drop` below)."""
    return write_bundle(folder, {**SMALL, **changes})


def with_rows(name: str, *rows: str) -> dict[str, str]:
    """SMALL's file `name` with extra rows appended."""
    return {name: SMALL[name] + "".join(row + "\n" for row in rows)}


def copy_fixture(name: str, folder: Path) -> Path:
    shutil.copytree(FIXTURES / name, folder)
    return folder


def empty_state() -> KnownState:
    return KnownState.empty(PROGRAMMES)


def zip_bytes(files: dict[str, str], *, compression: int = zipfile.ZIP_DEFLATED, folder="bundle") -> bytes:
    """A .zip of a bundle folder, as a person would make one (the files inside a folder)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}/{name}", text)
    return buffer.getvalue()


def damaged_zip(files: dict[str, str] = SMALL) -> bytes:
    """The bundle stored (not compressed) in a .zip, then one byte of events.csv's data changed: the .zip's
    directory is intact but that file's data fail their CRC-32 checksum."""
    data = zip_bytes(files, compression=zipfile.ZIP_STORED)
    assert b"T-1,R1,ACKNOWLEDGED" in data
    return data.replace(b"T-1,R1,ACKNOWLEDGED", b"T-1,R1,ACKNOWLEDGEX", 1)
