"""The standards by Devolution Deal Area (issue 13): a set filter of the contract's referrals; an area's
figures and failing items are those of its referrals, the areas add up to the contract, bad areas are 400s."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from participants.models import Programme
from tests import factories as f

pytestmark = pytest.mark.django_db
AS_OF = "2025-03-31"


@pytest.fixture
def contract():
    contract = f.ContractFactory(
        ref="WHP-D",
        programme=Programme.objects.get(code="WHP"),
        nation="SCT",
        devolution_deal_areas=["North", "South"],
    )
    # North: 4 referrals, two started late (after 40 days); South: 2, none late; none: 1, late.
    for n, (dda, late) in enumerate(
        [("North", 1), ("North", 1), ("North", 0), ("North", 0), ("South", 0), ("South", 0), ("", 1)]
    ):
        referral = f.ReferralFactory(
            contract=contract, ref=f"D{n}", group="LTU", dda=dda, referral_date=dt.date(2025, 1, 6)
        )
        f.JourneyEventFactory(
            referral=referral,
            code="STARTED",
            event_date=dt.date(2025, 1, 6) + dt.timedelta(days=40 if late else 3),
        )
    return contract


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(f.UserFactory(username="dda-admin", is_superuser=True))
    return client


def figures(api, **query) -> dict:
    response = api.get("/api/v1/contracts/WHP-D/standards/", {"as_of": AS_OF, **query})
    assert response.status_code == 200, response.content
    return {row["code"]: row for row in response.json()["results"]}


def test_areas_add_up_to_the_contract_and_count_their_own_referrals(contract, api):
    whole, north, south = figures(api), figures(api, dda="North"), figures(api, dda="South")
    deadline = [code for code, row in whole.items() if row["measure"] == "deadline" and row["eligible"]]
    assert deadline
    for code in deadline:
        assert north[code]["eligible"] + south[code]["eligible"] + 1 == whole[code]["eligible"], code
        assert north[code]["met"] + south[code]["met"] <= whole[code]["met"]
    assert any(north[c]["eligible"] == 4 for c in deadline)


def test_failing_items_of_an_area_are_its_referrals_only(contract, api):
    code = next(
        c
        for c, row in figures(api).items()
        if row["measure"] == "deadline" and row["met"] is not None and row["met"] < row["eligible"]
    )
    url = f"/api/v1/contracts/WHP-D/standards/{code}/failures/"
    refs = {r["referral_ref"] for r in api.get(url, {"as_of": AS_OF, "dda": "North"}).json()["results"]}
    assert refs and refs <= {"D0", "D1", "D2", "D3"}
    assert not {
        r["referral_ref"] for r in api.get(url, {"as_of": AS_OF, "dda": "South"}).json()["results"]
    } & {"D6"}


def test_an_unknown_area_is_a_400_naming_the_field(contract, api):
    response = api.get("/api/v1/contracts/WHP-D/standards/", {"as_of": AS_OF, "dda": "East"})
    assert response.status_code == 400 and "dda" in response.json()
    page = Client()
    page.force_login(f.UserFactory(username="dda-admin2", is_superuser=True))
    response = page.get("/compliance/contracts/WHP-D/standards/", {"as_of": AS_OF, "dda": "East"})
    assert response.status_code == 400 and "dda: " in response.content.decode()
    shown = page.get(
        "/compliance/contracts/WHP-D/standards/", {"as_of": AS_OF, "dda": "North"}
    ).content.decode()
    assert "Devolution Deal Area North (its referrals only)" in shown
