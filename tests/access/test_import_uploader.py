"""Imports are checked against the uploader (issue 10: a subcontractor's performance manager imported a
referrals.csv that moved one of the prime's referrals into their own organisation, and events into a
contract they could not see). The pages and the service need Action.IMPORT; every contract a bundle names
must be the uploader's prime's, every organisation that prime or one of its subcontractors; a violation
rejects the whole bundle, naming file, line, field and reason, before anything is written. The command
line (no user) is not restricted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from participants.imports.checks import BundleRejected
from participants.imports.services import import_bundle
from participants.models import ImportRun, JourneyEvent, Organisation, Referral, Role
from tests import factories as f
from tests.participants.import_support import write_bundle
from tests.scoping import build_world

pytestmark = pytest.mark.django_db

REFERRALS_HEADER = (
    "contract_ref,referral_ref,participant_ref,referral_date,group,delivery_org_ref,site_ref,key_worker,"
    "date_of_birth,gender,disability,ethnicity,postcode_district,dda\n"
)
EVENTS_HEADER = "contract_ref,referral_ref,event,event_date,amount,detail\n"
ORGANISATIONS_HEADER = "org_ref,name,kind,parent_ref\n"
CONTRACTS_HEADER = (
    "contract_ref,programme,name,prime_ref,prime_name,cpa,nation,start_date,end_date,year_start_month\n"
)


@pytest.fixture
def world():
    return build_world()


def manager_at(ref: str, role: Role = Role.PERFORMANCE_MANAGER):
    return f.StaffFactory(role=role, organisation=Organisation.objects.get(ref=ref)).user


def rejected(tmp_path, user, files: dict[str, str]) -> list[str]:
    held = (Referral.objects.count(), JourneyEvent.objects.count(), Organisation.objects.count())
    with pytest.raises(BundleRejected) as caught:
        import_bundle(path=write_bundle(tmp_path / "bundle", files), user=user)
    assert (Referral.objects.count(), JourneyEvent.objects.count(), Organisation.objects.count()) == held
    assert ImportRun.objects.get().status == ImportRun.Status.REJECTED
    return caught.value.errors


def test_subcontractors_manager_may_not_import_at_all(client, world, tmp_path):
    files = {"referrals.csv": REFERRALS_HEADER + "CA-1,RA-OTHER,P9,2025-01-06,LTU,SUB-S,,,,,,,,\n"}
    with pytest.raises(PermissionDenied):
        import_bundle(path=write_bundle(tmp_path / "b", files), user=world.bob)
    assert not ImportRun.objects.exists()
    assert Referral.objects.get(ref="RA-OTHER").organisation.ref == "PRIME-A"
    client.force_login(world.bob)
    assert client.get(reverse("import-new")).status_code == 403
    assert client.get(reverse("import-list")).status_code == 403


def test_events_for_another_primes_contract_reject_the_bundle(world, tmp_path):
    errors = rejected(
        tmp_path,
        manager_at("PRIME-B"),
        {
            "referrals.csv": REFERRALS_HEADER,
            "events.csv": EVENTS_HEADER + "CA-1,RA-OTHER,ACKNOWLEDGED,2025-01-07,,\n",
        },
    )
    assert errors == [
        "events.csv:2: contract_ref: not a contract of PRIME-B (the uploader's organisation): 'CA-1'"
    ]


def test_a_referral_delivered_by_another_primes_organisation_rejects_the_bundle(world, tmp_path):
    errors = rejected(
        tmp_path,
        manager_at("PRIME-A", Role.CONTRACT_MANAGER),
        {
            "referrals.csv": REFERRALS_HEADER + "CA-1,RA-NEW,P-NEW,2025-01-06,LTU,PRIME-B,,,,,,,,\n"
            "CA-1,RA-NEW2,P-NEW2,2025-01-06,LTU,SUB-S,,,,,,,,\n",
            "events.csv": EVENTS_HEADER,
        },
    )
    assert errors == [
        "referrals.csv:2: delivery_org_ref: not PRIME-A or one of its subcontractors (the uploader's "
        "organisation): 'PRIME-B'"
    ]


def test_a_key_worker_or_site_of_another_prime_rejects_the_bundle(world, tmp_path):
    site = f.SiteFactory(ref="SITE-B", organisation=Organisation.objects.get(ref="PRIME-B"))
    worker = f.StaffFactory(ref="KW-B", organisation=site.organisation)
    errors = rejected(
        tmp_path,
        manager_at("PRIME-A"),
        {
            "referrals.csv": REFERRALS_HEADER
            + f"CA-1,RA-NEW,P-NEW,2025-01-06,LTU,PRIME-A,{site.ref},{worker.ref},,,,,,\n",
            "events.csv": EVENTS_HEADER,
        },
    )
    assert errors == [
        "referrals.csv:2: site_ref: a site outside PRIME-A and its subcontractors: 'SITE-B'",
        "referrals.csv:2: key_worker: staff outside PRIME-A and its subcontractors: 'KW-B'",
    ]


def test_organisations_and_new_contracts_must_be_the_uploaders(world, tmp_path):
    f.SubcontractorFactory(ref="SUB-OF-B", parent=Organisation.objects.get(ref="PRIME-B"))
    errors = rejected(
        tmp_path,
        manager_at("PRIME-A"),
        {
            "contracts.csv": CONTRACTS_HEADER + "CN-1,WHP,New,PRIME-B,,CPA1,ENG,2025-04-01,2029-03-31,4\n"
            "CB-1,WHP,Taken,PRIME-A,,CPA1,SCT,2024-04-01,2028-03-31,4\n",
            "organisations.csv": ORGANISATIONS_HEADER + "SUB-OF-B,Moved,SUBCONTRACTOR,PRIME-A\n"
            "NEW-SUB,New sub,SUBCONTRACTOR,PRIME-B\n"
            "NEW-PRIME,New prime,PRIME,\n"
            "SUB-S2,Ours,SUBCONTRACTOR,PRIME-A\n",
            "referrals.csv": REFERRALS_HEADER,
            "events.csv": EVENTS_HEADER,
        },
    )
    assert errors == [
        "contracts.csv:2: prime_ref: not PRIME-A: the uploader imports only their own organisation's "
        "contracts: 'PRIME-B'",
        "contracts.csv:3: contract_ref: not a contract of PRIME-A (the uploader's organisation): 'CB-1'",
        "organisations.csv:2: org_ref: not PRIME-A or one of its subcontractors (the uploader's "
        "organisation): 'SUB-OF-B'",
        "organisations.csv:3: parent_ref: not PRIME-A: a bundle adds only subcontractors of the uploader's "
        "organisation: 'PRIME-B'",
        "organisations.csv:4: org_ref: not PRIME-A or one of its subcontractors (the uploader's "
        "organisation): 'NEW-PRIME'",
    ]


def test_the_primes_manager_imports_for_its_own_contract_and_subcontractors(world, tmp_path):
    files = {
        "organisations.csv": ORGANISATIONS_HEADER
        + "PRIME-A,Prime A,PRIME,\nSUB-S2,New sub,SUBCONTRACTOR,PRIME-A\n",
        "referrals.csv": REFERRALS_HEADER + "CA-1,RA-NEW,P-NEW,2025-01-06,LTU,SUB-S2,S-NEW,KW-NEW,,,,,,\n",
        "events.csv": EVENTS_HEADER + "CA-1,RA-NEW,STARTED,2025-01-10,,\n",
    }
    result = import_bundle(path=write_bundle(tmp_path / "b", files), user=manager_at("PRIME-A"))
    assert result.run.status == ImportRun.Status.SUCCEEDED
    assert Referral.objects.get(ref="RA-NEW").organisation.ref == "SUB-S2"


def test_the_command_line_and_support_staff_are_not_restricted(world, tmp_path):
    files = {
        "referrals.csv": REFERRALS_HEADER,
        "events.csv": EVENTS_HEADER + "CB-1,RB-1,ACKNOWLEDGED,2025-02-04,,\n",
    }
    import_bundle(path=write_bundle(tmp_path / "cli", files))
    superuser = f.UserFactory(username="support", is_superuser=True)
    files["events.csv"] = EVENTS_HEADER + "CA-1,RA-OTHER,ACKNOWLEDGED,2025-01-07,,\n"
    import_bundle(path=write_bundle(tmp_path / "support", files), user=superuser)
    assert JourneyEvent.objects.filter(code="ACKNOWLEDGED").count() == 2
