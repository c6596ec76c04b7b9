"""The referral list's search box (and the caseload's): a referral or participant reference beginning with
what was typed, any case, within what the user may see."""

from __future__ import annotations

import pytest

from participants import querysets
from participants.models import Referral
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals():
    contract = f.ContractFactory(ref="CS-1")

    def referral(ref, participant):
        person = f.ParticipantFactory(prime=contract.prime, ref=participant)
        return f.ReferralFactory(contract=contract, ref=ref, participant=person)

    return {
        "alpha": referral("AB1001", "ZX-77"),
        "beta": referral("AB1002", "QQ-1"),
        "gamma": referral("CD2001", "zx-78"),
    }


def refs(queryset) -> set[str]:
    return set(queryset.values_list("ref", flat=True))


def test_a_reference_prefix_finds_referrals_any_case(referrals):
    assert refs(Referral.objects.search("ab100")) == {"AB1001", "AB1002"}
    assert refs(Referral.objects.search("AB1002")) == {"AB1002"}


def test_a_participant_reference_prefix_finds_their_referrals(referrals):
    assert refs(Referral.objects.search("zx-7")) == {"AB1001", "CD2001"}
    assert refs(Referral.objects.search("nothing")) == set()


def test_a_broad_participant_match_gives_the_same_answer_as_a_narrow_one(referrals, monkeypatch):
    monkeypatch.setattr(querysets, "SEARCH_IDS", 1)  # more matches than the id list holds: one query
    assert refs(Referral.objects.search("zx-")) == {"AB1001", "CD2001"}


def test_the_referral_list_searches_only_what_the_user_may_see(referrals, client):
    admin = f.UserFactory(is_superuser=True)
    client.force_login(admin)
    html = client.get("/referrals/", {"q": "zx-7"}).content.decode()
    assert "AB1001" in html and "CD2001" in html and "AB1002" not in html
    outsider = f.StaffFactory(role="KEY_WORKER").user
    client.force_login(outsider)
    assert "AB1001" not in client.get("/referrals/", {"q": "AB1"}).content.decode()
