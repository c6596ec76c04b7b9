"""The all-referrals search by name or reference (issue 13): a referral found by its reference and by its
participant's name is one match, the user's scope holds, and the list counts a search's matches only up to
SEARCH_COUNTED, paging on through the rest."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants import querysets, tables
from participants.models import Referral, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals():
    ours = f.ContractFactory(ref="CN-1")
    theirs = f.ContractFactory(ref="CN-2")

    def referral(contract, ref, first, last, person_ref=None):
        person = f.ParticipantFactory(prime=contract.prime, first_name=first, last_name=last)
        if person_ref:
            person.ref = person_ref
            person.save()
        # All referred the same day: the list's order is the date, then the id.
        return f.ReferralFactory(contract=contract, ref=ref, participant=person)

    return {
        "name": referral(ours, "AB-100", "Imran", "Khan"),
        "reference": referral(ours, "KHAN-7", "Jo", "Bloggs"),
        "both": referral(ours, "KHAN-8", "Sara", "Khanum"),
        "person_ref": referral(ours, "AB-300", "Ann", "Lee", person_ref="KHAN-P1"),
        "elsewhere": referral(theirs, "ZZ-1", "Ali", "Khan"),
        "unmatched": referral(ours, "AB-200", "Mary", "Smith"),
        "ours": ours,
    }


def refs(queryset) -> list[str]:
    return sorted(queryset.values_list("ref", flat=True))


KHAN = ["AB-100", "AB-300", "KHAN-7", "KHAN-8", "ZZ-1"]
ORDER = 'ORDER BY "participants_referral"."referral_date" DESC, "participants_referral"."id" DESC'


def test_a_name_and_a_reference_both_match_each_referral_once(referrals):
    # A referral's reference, its participant's reference and its participant's name, as one OR: the
    # referral matching two ways (KHAN-8, Sara Khanum) is one row, and one in the count.
    assert refs(Referral.objects.search("khan")) == KHAN
    assert Referral.objects.search("khan").count() == len(KHAN)


def test_the_id_list_and_the_subquery_give_the_same_matches(referrals, monkeypatch):
    monkeypatch.setattr(querysets, "SEARCH_IDS", 1)  # more participants than the array holds: a subquery
    assert refs(Referral.objects.search("khan")) == KHAN
    assert Referral.objects.search("khan").count() == len(KHAN)


def test_names_are_searched_from_three_characters_references_from_one(referrals):
    assert refs(Referral.objects.search("kh")) == ["AB-300", "KHAN-7", "KHAN-8"]
    assert refs(Referral.objects.search("zzzz")) == []


def test_the_participants_reach_the_referrals_as_one_array(referrals):
    with CaptureQueriesContext(connection) as captured:
        list(Referral.objects.search("khan"))
    referral_query = captured.captured_queries[-1]["sql"]
    assert "= ANY(" in referral_query and "::bigint[]" in referral_query
    assert "participants_participant" not in referral_query  # the ids, not a subquery


def test_the_search_keeps_to_the_users_scope(referrals, client):
    manager = f.StaffFactory(role=Role.CONTRACT_MANAGER, organisation=referrals["ours"].prime)
    visible = Referral.objects.visible_to(manager.user)
    assert refs(visible.search("khan")) == ["AB-100", "AB-300", "KHAN-7", "KHAN-8"]
    client.force_login(manager.user)
    html = client.get("/referrals/", {"q": "khan"}).content.decode()
    assert "4 referrals" in html
    assert "ZZ-1" not in html and "AB-200" not in html
    key_worker = f.StaffFactory(role=Role.KEY_WORKER, organisation=referrals["ours"].prime)
    assert refs(Referral.objects.visible_to(key_worker.user).search("khan")) == []


def test_the_list_counts_a_search_exactly_up_to_the_limit(referrals, client):
    client.force_login(f.UserFactory(is_superuser=True))
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/referrals/", {"q": "khan"}).content.decode()
    assert f"{len(KHAN)} referrals" in html
    counts = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"]]
    assert counts and all(f"LIMIT {tables.SEARCH_COUNTED + 1}" in sql for sql in counts)


def test_beyond_the_limit_the_list_says_more_than_and_pages_on(referrals, client, monkeypatch):
    monkeypatch.setattr(tables, "SEARCH_COUNTED", 2)
    client.force_login(f.UserFactory(is_superuser=True))
    shown = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/referrals/", {"q": "khan", "per_page": 2, "page": page}).content.decode()
        assert "More than 2 referrals match" in html
        shown += [ref for ref in KHAN if re.search(rf">\s*{ref}\s*<", html)]
        rows = [
            query["sql"]
            for query in captured.captured_queries
            if 'FROM "participants_referral"' in query["sql"]
        ]
        assert any(ORDER in sql for sql in rows)  # newest first, ties by id: one order from page to page
    assert sorted(shown) == KHAN  # every match reached, each once


def test_the_list_without_a_search_still_counts_everything(referrals, client):
    client.force_login(f.UserFactory(is_superuser=True))
    assert "6 referrals" in client.get("/referrals/").content.decode()
