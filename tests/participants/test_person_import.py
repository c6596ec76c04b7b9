"""The participant's personal columns of referrals.csv (DATA.md): written through the import, an empty cell
clearing a value, an absent column leaving it alone, a bad NINO, email or telephone named by file and line."""

from __future__ import annotations

import pytest

from participants.imports.checks import BundleRejected
from participants.imports.services import import_bundle
from participants.models import Participant

from .import_support import SMALL, small

pytestmark = pytest.mark.django_db

HEADER = (
    "contract_ref,referral_ref,participant_ref,referral_date,group,delivery_org_ref,site_ref,key_worker,"
    "date_of_birth,gender,disability,ethnicity,postcode_district,dda"
)
PERSON = ",first_name,last_name,preferred_name,phone,email,nino"


def referrals(*rows: str, person: bool = True) -> str:
    return HEADER + (PERSON if person else "") + "\n" + "".join(row + "\n" for row in rows)


R1 = "T-1,R1,P1,2025-01-06,LTU,T-PRIME,S1,KW1,1980-01-01,F,N,WHITE,M1,DDA-GM"
R2 = "T-1,R2,P2,2025-01-07,DISABILITY,T-SUB,S2,KW2,1990-05-05,M,Y,OTHER,M2,"
R3 = "T-1,R3,P1,2025-02-03,EARLY_ENTRY,T-SUB,S2,KW2,1980-01-01,F,N,WHITE,M1,DDA-LCR"


def person(ref: str) -> Participant:
    return Participant.objects.get(ref=ref)


def test_names_and_contact_details_are_imported_with_their_history(tmp_path):
    rows = referrals(
        R1 + ",Ayesha,Khan,,07700 900123,ayesha.khan@example.org,qq 12 34 56 c",
        R2 + ",José,Núñez,Pepe,,,",
        R3 + ",Ayesha,Khan,,07700 900123,ayesha.khan@example.org,QQ123456C",
    )
    import_bundle(path=small(tmp_path / "b", **{"referrals.csv": rows}))
    khan, nunez = person("P1"), person("P2")
    assert (khan.first_name, khan.last_name, khan.phone, khan.email, khan.nino) == (
        "Ayesha",
        "Khan",
        "07700 900123",
        "ayesha.khan@example.org",
        "QQ123456C",
    )
    assert (nunez.preferred_name, nunez.display_name, nunez.search_name) == (
        "Pepe",
        "Pepe Núñez",
        "jose pepe nunez",
    )
    assert khan.history.latest().first_name == "Ayesha"
    assert khan.history.latest().history_change_reason.startswith("import ")


def test_an_empty_cell_clears_and_an_absent_column_keeps(tmp_path):
    import_bundle(
        path=small(
            tmp_path / "a",
            **{
                "referrals.csv": referrals(
                    R1 + ",Ayesha,Khan,,,a@example.org,QQ123456C",
                    R2 + ",,,,,,",
                    R3 + ",Ayesha,Khan,,,a@example.org,QQ123456C",
                )
            },
        )
    )
    # An empty email clears it; the NINO is kept as the row repeats it.
    import_bundle(
        path=small(
            tmp_path / "b",
            **{
                "referrals.csv": referrals(
                    R1 + ",Ayesha,Khan,,,,QQ123456C", R2 + ",,,,,,", R3 + ",Ayesha,Khan,,,,QQ123456C"
                )
            },
        )
    )
    assert (person("P1").email, person("P1").nino) == ("", "QQ123456C")
    # Without the personal columns nothing personal changes.
    import_bundle(path=small(tmp_path / "c", **{"referrals.csv": SMALL["referrals.csv"]}))
    assert (person("P1").first_name, person("P1").nino) == ("Ayesha", "QQ123456C")


def test_bad_personal_values_reject_the_bundle_naming_file_line_and_field(tmp_path):
    rows = referrals(
        R1 + ",Ayesha,Khan,,not a phone,ayesha.khan@example.org,ZZ99",
        R2 + ",José,Núñez,,,no-at-sign,",
        R3 + ",Ayesha,Khan,,,,",
    )
    with pytest.raises(BundleRejected) as caught:
        import_bundle(path=small(tmp_path / "b", **{"referrals.csv": rows}))
    errors = caught.value.errors
    assert (
        "referrals.csv:2: nino: not a National Insurance number "
        "(two letters, six digits, a letter A-D: AB123456C)" in errors
    )
    assert any(e.startswith("referrals.csv:2: phone: not a telephone number") for e in errors)
    assert "referrals.csv:3: email: not an email address" in errors
    assert not any("ZZ99" in e for e in errors)  # a NINO is never quoted back
    assert not Participant.objects.exists()
