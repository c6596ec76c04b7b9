"""The one rule (participants.access, roles.py): groups derived from ROLE_ACTIONS, no second system in the
views, a partnerships manager's assignment, the admin for support staff only, and the referral list's
drop-downs scoped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from demo.people import create_demo_people
from demo.specs import PRIME_REF, SUB1, SUB2, SUB3
from participants import access
from participants.admin import StaffForm
from participants.models import Organisation, Referral, Role, Staff
from participants.roles import ROLE_ACTIONS, Action, group_for
from tests import factories as f

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def codenames(role: Role) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group_for(role).permissions.all()}


def test_each_groups_model_permissions_follow_its_roles_actions():
    key_worker, claims = codenames(Role.KEY_WORKER), codenames(Role.CLAIMS_OFFICER)
    contract_manager = codenames(Role.CONTRACT_MANAGER)
    # Recording journeys: the workspace's rows, which key workers write and claims officers do not.
    assert {
        "participants.add_appointment",
        "participants.add_actionplan",
        "participants.add_note",
    } <= key_worker
    assert not {"participants.add_journeyevent", "participants.add_appointment"} & claims
    assert {"participants.add_claimchecklist", "participants.change_claimchecklist"} <= claims
    assert "participants.add_claimchecklist" not in contract_manager
    assert not {"compliance.add_standard", "participants.add_importrun"} & key_worker
    assert {"compliance.add_standard", "participants.add_importrun"} <= contract_manager
    assert "participants.add_journeyevent" not in codenames(Role.PARTNERSHIPS_MANAGER)
    assert not any(
        name.split(".")[1].startswith(("add_", "change_", "delete_"))
        for name in codenames(Role.DWP_CONTACT) - {"regimes.add_decision", "regimes.change_recommendation"}
    )


def test_a_role_without_an_action_holds_none_of_its_permissions():
    for role, actions in ROLE_ACTIONS.items():
        held = set(group_for(role).permissions.values_list("pk", flat=True))
        if Action.IMPORT not in actions:
            assert Permission.objects.get(codename="add_importrun").pk not in held, role
        if Action.MANAGE_CONTRACT not in actions:
            assert not Permission.objects.filter(pk__in=held, codename="delete_standard").exists(), role


def test_no_view_asks_for_a_model_permission_or_a_role():
    """One system: every check of a view goes through participants.access (never has_perm or staff.role)."""
    offenders = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", "benchmarks") or ".venv" in relative.parts:
            continue
        if path.name == "views.py" or "api" in relative.parts:
            text = path.read_text()
            for needle in ("has_perm", "permission_required", ".role", "is_staff"):
                if needle in text:
                    offenders.append(f"{relative}: {needle}")
    assert not offenders, offenders


def test_partnerships_manager_sees_their_organisation_and_the_assigned_subcontractors_only():
    prime = f.OrganisationFactory(ref="PM-PRIME")
    assigned = f.SubcontractorFactory(ref="PM-SUB1", parent=prime)
    unassigned = f.SubcontractorFactory(ref="PM-SUB2", parent=prime)
    elsewhere = f.SubcontractorFactory(ref="PM-OTHER-SUB", parent=f.OrganisationFactory(ref="PM-OTHER"))
    contract = f.ContractFactory(ref="PM-C", prime=prime)
    for organisation, ref in ((prime, "R-PRIME"), (assigned, "R-SUB1"), (unassigned, "R-SUB2")):
        f.ReferralFactory(contract=contract, ref=ref, organisation=organisation)
    f.ReferralFactory(ref="R-ELSEWHERE", organisation=elsewhere)
    manager = f.StaffFactory(role=Role.PARTNERSHIPS_MANAGER, organisation=prime)
    # A stray assignment to another prime's subcontractor (written past the admin's check) widens nothing.
    manager.managed_organisations.set([assigned, elsewhere])
    visible = sorted(Referral.objects.visible_to(manager.user).values_list("ref", flat=True))
    assert visible == ["R-PRIME", "R-SUB1"]


def test_staff_form_accepts_only_the_managers_own_subcontractors():
    prime = f.OrganisationFactory(ref="SF-PRIME")
    own = f.SubcontractorFactory(ref="SF-SUB", parent=prime)
    foreign = f.SubcontractorFactory(ref="SF-FOREIGN", name="Foreign Sub", parent=f.OrganisationFactory())

    def errors(role, organisations):
        data = {
            "ref": "SF-1",
            "role": role,
            "organisation": prime.pk,
            "managed_organisations": [o.pk for o in organisations],
        }
        form = StaffForm(data=data)
        form.is_valid()
        return form.errors.get("managed_organisations", [])

    assert errors(Role.PARTNERSHIPS_MANAGER, [own]) == []
    assert errors(Role.PARTNERSHIPS_MANAGER, [foreign]) == [
        f"Not subcontractors of {prime.name}: Foreign Sub."
    ]
    assert errors(Role.KEY_WORKER, [own]) == ["Only a partnerships manager is assigned subcontractors."]
    assert errors(Role.PARTNERSHIPS_MANAGER, [prime])  # a prime is not a choice at all


def test_demo_partnerships_manager_is_assigned_two_of_the_three_subcontractors():
    prime = f.OrganisationFactory(ref=PRIME_REF)
    for ref in (SUB1, SUB2, SUB3):
        f.SubcontractorFactory(ref=ref, parent=prime)
    create_demo_people(password="demo-password")
    staff = Staff.objects.get(user__username="partnerships")
    assert sorted(staff.managed_organisations.values_list("ref", flat=True)) == [SUB1, SUB2]


def test_admin_is_for_support_staff_only_whatever_the_model_permissions(client):
    manager = f.StaffFactory(role=Role.CONTRACT_MANAGER)
    manager.user.is_staff = True
    manager.user.save()
    manager.user.user_permissions.set(Permission.objects.all())
    client.force_login(manager.user)
    for url in (reverse("admin:index"), reverse("admin:participants_contract_changelist")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), url
    assert "Admin" not in client.get(reverse("home")).content.decode()
    client.force_login(f.UserFactory(username="support", is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:participants_contract_changelist")).status_code == 200


def test_referral_list_offers_only_the_sites_staff_and_organisations_in_scope(client):
    prime = f.OrganisationFactory(ref="DD-PRIME", name="Prime Dropdown")
    sub = f.SubcontractorFactory(ref="DD-SUB", name="Sub Dropdown", parent=prime)
    other = f.OrganisationFactory(ref="DD-OTHER", name="Other Prime Dropdown")
    contract = f.ContractFactory(ref="DD-C", prime=prime)
    named = {}
    for organisation in (prime, sub, other):
        site = f.SiteFactory(name=f"Site of {organisation.ref}", organisation=organisation)
        worker = f.StaffFactory(name=f"Worker of {organisation.ref}", organisation=organisation)
        on = contract if organisation != other else f.ContractFactory(prime=other)
        f.ReferralFactory(contract=on, organisation=organisation, site=site, key_worker=worker)
        named[organisation.ref] = (site.name, worker.name, organisation.name)
    sub_manager = f.StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=sub)
    client.force_login(sub_manager.user)
    html = client.get(reverse("referral-list")).content.decode()
    assert all(name in html for name in named["DD-SUB"])
    for ref in ("DD-PRIME", "DD-OTHER"):
        assert not any(name in html for name in named[ref]), ref
    # A value outside the scope is a form error, not a filter that quietly matches nothing.
    site_elsewhere = Organisation.objects.get(ref="DD-OTHER").sites.get()
    response = client.get(reverse("referral-list"), {"site": site_elsewhere.pk})
    assert "Select a valid choice" in response.content.decode()


def test_team_caseload_offers_only_the_key_workers_in_scope(client):
    prime = f.OrganisationFactory(ref="TC-PRIME")
    contract = f.ContractFactory(ref="TC-C", prime=prime)
    mine = f.StaffFactory(name="Worker Mine", organisation=prime)
    f.ReferralFactory(contract=contract, key_worker=mine, referral_date=dt.date(2025, 1, 6))
    theirs = f.StaffFactory(name="Worker Theirs", organisation=f.OrganisationFactory(ref="TC-OTHER"))
    f.ReferralFactory(key_worker=theirs, organisation=theirs.organisation)
    leader = f.StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=prime)
    client.force_login(leader.user)
    html = client.get(reverse("team-caseload"), {"show": "all"}).content.decode()
    assert "Worker Mine" in html and "Worker Theirs" not in html


def test_a_subcontractors_manager_may_not_import_or_manage_even_with_the_role():
    sub = f.SubcontractorFactory(ref="RU-SUB", parent=f.OrganisationFactory(ref="RU-PRIME"))
    manager = f.StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=sub)
    assert access.may(manager.user, Action.IMPORT)  # the role's, but:
    assert not access.can(manager.user, Action.IMPORT)
    contract = f.ContractFactory(prime=sub.parent)
    contract.delivery_organisations.set([sub])
    assert not access.can(manager.user, Action.MANAGE_CONTRACT, contract)
