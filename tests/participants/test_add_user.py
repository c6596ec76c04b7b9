"""`manage.py add_user` (DATA.md "Command line") over participants.users.add_user: creates or updates a login
with one role, its organisation, a DWP contact's contracts, its sites and the imported staff record it is;
every mistake names the option and writes nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from participants.models import Contract, Referral, Role, Staff
from participants.roles import group_for
from tests.factories import ContractFactory, OrganisationFactory, ReferralFactory, SiteFactory, StaffFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def world():
    prime = OrganisationFactory(ref="PRIME-A")
    other = OrganisationFactory(ref="PRIME-B")
    kw = StaffFactory(ref="KW-7", user=None, organisation=prime, name="")  # as an import leaves it
    contract = ContractFactory(ref="CA-1", prime=prime)
    ReferralFactory(contract=contract, key_worker=kw)
    return {
        "prime": prime,
        "contract": contract,
        "other_contract": ContractFactory(ref="CB-1", prime=other),
        "leeds": SiteFactory(ref="LEEDS", organisation=prime),
        "york": SiteFactory(ref="YORK", organisation=prime),
        "glasgow": SiteFactory(ref="GLASGOW", organisation=other),
        "kw": kw,
    }


def add_user(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue().splitlines()


def test_a_key_worker_becomes_the_imported_staff_record_with_their_caseload(world, monkeypatch, client):
    monkeypatch.setenv("FLIGHTPATH_PASSWORD", "a long enough passphrase")
    lines = add_user(
        "kim",
        "--role",
        "KEY_WORKER",
        "--organisation",
        "PRIME-A",
        "--site",
        "LEEDS",
        "--staff-ref",
        "KW-7",
        "--email",
        "kim@example.org",
    )
    user = User.objects.get(username="kim")
    assert lines[0] == "Created login kim: Key worker at PRIME-A, staff record KW-7"
    assert user.staff == world["kw"] and user.email == "kim@example.org"
    assert list(user.groups.all()) == [group_for(Role.KEY_WORKER)]
    assert list(user.staff.sites.all()) == [world["leeds"]]
    assert Referral.objects.visible_to(user).count() == 1  # the record's caseload came with it
    assert User.objects.get(username="kim").check_password("a long enough passphrase")


def test_without_flightpath_password_a_new_login_has_an_unusable_password(world, monkeypatch):
    monkeypatch.delenv("FLIGHTPATH_PASSWORD", raising=False)
    lines = add_user("pat", "--role", "CONTRACT_MANAGER", "--organisation", "PRIME-A")
    user = User.objects.get(username="pat")
    assert not user.has_usable_password() and lines[-1].startswith("No password: set FLIGHTPATH_PASSWORD")
    assert user.staff.ref == "login:pat" and user.staff.role == Role.CONTRACT_MANAGER


def test_a_dwp_contact_is_named_on_the_contracts_given_and_sees_only_those(world):
    add_user("dee", "--role", "DWP_CONTACT", "--contract", "CA-1", "CB-1")
    user = User.objects.get(username="dee")
    assert set(user.dwp_contracts.values_list("ref", flat=True)) == {"CA-1", "CB-1"}
    assert (user.staff.role, user.staff.organisation) == (Role.DWP_CONTACT, None)
    add_user("dee", "--role", "DWP_CONTACT", "--contract", "CB-1")  # the contracts given replace those held
    assert list(Contract.objects.visible_to(user).values_list("ref", flat=True)) == ["CB-1"]


def test_with_token_the_last_line_is_the_users_api_token(world):
    lines = add_user("api", "--role", "PERFORMANCE_MANAGER", "--organisation", "PRIME-A", "--token")
    user = User.objects.get(username="api")
    assert lines[-1] == Token.objects.get(user=user).key
    assert add_user("api", "--role", "PERFORMANCE_MANAGER", "--token")[-1] == lines[-1]  # the same token


def test_running_it_again_updates_the_login_and_keeps_what_is_not_given(world, monkeypatch):
    monkeypatch.setenv("FLIGHTPATH_PASSWORD", "a long enough passphrase")
    add_user(
        "sam", "--role", "KEY_WORKER", "--organisation", "PRIME-A", "--site", "LEEDS", "--email", "s@x.io"
    )
    monkeypatch.delenv("FLIGHTPATH_PASSWORD")
    lines = add_user("sam", "--role", "PERFORMANCE_MANAGER", "--site", "LEEDS", "YORK")
    user = User.objects.get(username="sam")
    assert lines[0] == (
        "Updated login sam: Team leader / performance manager at PRIME-A, staff record login:sam"
    )
    assert list(user.groups.all()) == [group_for(Role.PERFORMANCE_MANAGER)]
    assert set(user.staff.sites.values_list("ref", flat=True)) == {"LEEDS", "YORK"}
    assert user.email == "s@x.io" and user.check_password("a long enough passphrase")
    assert User.objects.filter(username="sam").count() == 1 and Staff.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "BOSS"], "--role: unknown role 'BOSS' (one of KEY_WORKER, PERFORMANCE_MANAGER,"),
        (["--role", "KEY_WORKER", "--organisation", "NOPE"], "--organisation: no organisation 'NOPE'"),
        (["--role", "KEY_WORKER"], "--organisation: a key worker needs an organisation"),
        (["--role", "DWP_CONTACT", "--organisation", "PRIME-A"], "--organisation: a DWP contact belongs"),
        (["--role", "DWP_CONTACT", "--contract", "CA-1", "NOPE"], "--contract: no contract 'NOPE'"),
        (
            ["--role", "CONTRACT_MANAGER", "--organisation", "PRIME-A", "--contract", "CA-1"],
            "--contract: only a DWP contact is named on contracts",
        ),
        (["--role", "KEY_WORKER", "--organisation", "PRIME-A", "--site", "NOPE"], "--site: no site 'NOPE'"),
        (
            ["--role", "KEY_WORKER", "--organisation", "PRIME-A", "--site", "GLASGOW"],
            "--site: site 'GLASGOW' is PRIME-B's, not PRIME-A's",
        ),
        (["--role", "KEY_WORKER", "--staff-ref", "KW-NOPE"], "--staff-ref: no staff record 'KW-NOPE'"),
        (["--role", "KEY_WORKER", "--organisation", "PRIME-A", "--email", "nope"], "--email: Enter a valid"),
    ],
)
def test_every_mistake_names_its_option_and_writes_nothing(world, args, message):
    with pytest.raises(CommandError) as caught:
        add_user("newcomer", *args)
    assert str(caught.value).startswith(message)
    assert not User.objects.filter(username="newcomer").exists()


def test_a_staff_record_that_is_another_login_is_refused(world):
    add_user("kim", "--role", "KEY_WORKER", "--staff-ref", "KW-7")
    with pytest.raises(CommandError, match="--staff-ref: staff record 'KW-7' is already the login 'kim'"):
        add_user("ken", "--role", "KEY_WORKER", "--staff-ref", "KW-7")


def test_a_weak_password_is_refused_naming_the_variable(world, monkeypatch):
    monkeypatch.setenv("FLIGHTPATH_PASSWORD", "abc")
    with pytest.raises(CommandError, match="^FLIGHTPATH_PASSWORD: This password is too short"):
        add_user("weak", "--role", "KEY_WORKER", "--organisation", "PRIME-A")
    assert not User.objects.filter(username="weak").exists()
