"""visible_to: three users who must not see each other's data, on querysets, pages and the API alike."""

import pytest
from django.urls import reverse

from participants.models import Contract, Participant, Referral
from tests.scoping import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def refs(queryset):
    return sorted(queryset.values_list("ref", flat=True))


def test_key_worker_sees_only_her_caseload(world):
    assert refs(Referral.objects.visible_to(world.alice)) == ["RA-ALICE"]


def test_subcontractor_staff_see_only_their_organisations_referrals(world):
    assert refs(Referral.objects.visible_to(world.bob)) == ["RA-SUB"]


def test_dwp_contact_sees_only_the_contracts_they_are_named_on(world):
    assert refs(Referral.objects.visible_to(world.charlie)) == ["RB-1"]
    assert refs(Contract.objects.visible_to(world.charlie)) == ["CB-1"]


def test_staff_see_the_contracts_their_organisation_delivers(world):
    assert refs(Contract.objects.visible_to(world.alice)) == ["CA-1"]
    assert refs(Contract.objects.visible_to(world.bob)) == ["CA-1"]


def test_participants_follow_their_referrals(world):
    assert list(Participant.objects.visible_to(world.alice)) == [world.alice_referral.participant]


def test_anonymous_and_unlinked_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    loner = django_user_model.objects.create_user("loner", password="pass")
    for user in (AnonymousUser(), loner):
        assert not Referral.objects.visible_to(user).exists()
        assert not Contract.objects.visible_to(user).exists()


def test_superuser_sees_everything(world, admin_user):
    assert Referral.objects.visible_to(admin_user).count() == 4


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_participant_page_outside_scope_is_404_inside_is_200(world, client, who):
    user = getattr(world, who)
    client.force_login(user)
    visible = set(Referral.objects.visible_to(user).values_list("participant_id", flat=True))
    for referral in (world.alice_referral, world.prime_referral, world.sub_referral, world.b_referral):
        response = client.get(reverse("participant-detail", args=[referral.participant_id]))
        assert response.status_code == (200 if referral.participant_id in visible else 404), referral.ref


@pytest.mark.parametrize(
    "who,contract,status",
    [
        ("alice", "CA-1", 200),
        ("alice", "CB-1", 404),
        ("bob", "CB-1", 404),
        ("charlie", "CA-1", 404),
        ("charlie", "CB-1", 200),
    ],
)
def test_contract_page_scoped(world, client, who, contract, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("contract-detail", args=[contract])).status_code == status


@pytest.mark.parametrize(
    "who,expected", [("alice", ["RA-ALICE"]), ("bob", ["RA-SUB"]), ("charlie", ["RB-1"])]
)
def test_referral_list_and_csv_export_are_scoped(world, client, who, expected):
    client.force_login(getattr(world, who))
    page = client.get(reverse("referral-list"))
    assert page.status_code == 200
    shown = [r.ref for r in page.context["table"].page.object_list.data]
    assert shown == expected
    export = client.get(reverse("referral-list"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("contract_ref,referral_ref,participant_ref")
    assert sorted(line.split(",")[1] for line in lines[1:]) == expected


@pytest.mark.parametrize("who,expected", [("alice", ["CA-1"]), ("bob", ["CA-1"]), ("charlie", ["CB-1"])])
def test_api_contract_list_is_scoped(world, client, who, expected):
    client.force_login(getattr(world, who))
    body = client.get("/api/v1/contracts/").json()
    assert [c["contract_ref"] for c in body["results"]] == expected
    assert body["count"] == len(expected)
