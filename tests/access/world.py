"""The access matrix's world: three organisations that must not see each other (a prime P, its
subcontractor S, another prime Q), a login per role, and at each organisation one of every object a URL
can name (contract-level ones on the contract that organisation delivers).

- P delivers contract CP with its subcontractor S; Q holds contract CQ alone (both WP: every API endpoint,
  the quarterly review's included, answers for them).
- The six roles work at P (the DWP contact is named on CP); S has a performance manager and a key worker;
  the partnerships manager at P is assigned S.
- `sides["P"]`, `sides["S"]`, `sides["Q"]`: the objects of each organisation, by the name a URL gives them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.models import CmoSample, CmoSampleRecord, PatRating, Standard
from participants import models
from participants.workspace import services as workspace
from performance.kpis import definitions
from performance.models import KpiDefinition, KpiRating, Pip
from regimes import models as regimes
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFERRED = dt.date(2025, 1, 6)
TENDER_CODE = "TS1"  # each contract's own standard (WP ships none: DOMAIN.md 15.19)

# Each persona's organisation (its "own" side); the other side is always Q's.
PERSONA_SIDE = {
    "anonymous": "P",
    "key_worker": "P",
    "performance_manager": "P",
    "partnerships_manager": "P",
    "contract_manager": "P",
    "claims_officer": "P",
    "dwp_contact": "P",
    "sub_performance_manager": "S",
    "sub_key_worker": "S",
    "superuser": "P",
}
PERSONAS = tuple(PERSONA_SIDE)


@dataclass
class Side:
    """One organisation's objects."""

    contract: models.Contract
    referral: models.Referral
    participant: models.Participant
    appointment: models.Appointment
    follow_up: models.FollowUpTask
    evidence: models.EvidenceDocument
    claim: models.JourneyEvent  # a JOB_OUTCOME, which has a claim checklist
    job: models.JobDetail
    tender: Standard
    sample: CmoSample
    record: CmoSampleRecord  # the sample's record of this side's referral
    pat: PatRating
    round: models.ValidationRound
    import_run: models.ImportRun
    plan: regimes.ProviderActionPlan  # approved: its acceptance letter exists
    cpr: regimes.Cpr
    question: regimes.KeyQuestion
    action_point: regimes.ActionPoint
    deep_dive: regimes.DeepDive
    notice: regimes.IssueNotice  # a NORMAL one, not sent yet (DRAFT)
    rating: KpiRating  # P: the contract's (CONTRACT level); S: its organisation's (ORGANISATION level)
    pip: Pip  # raised from that rating
    subcontractor: models.Organisation  # whose ladder of measures the side's URL names (P and S: S; Q: Q)
    definition: KpiDefinition  # a KPI definition of the contract's prime (P and S: P's; Q: Q's)


@dataclass
class AccessWorld:
    users: dict[str, object]  # persona -> user (anonymous: None)
    sides: dict[str, Side]


def _staff(username: str, role: str, organisation, **extra) -> models.Staff:
    return f.StaffFactory(
        user__username=username,
        name=username.replace(".", " ").title(),
        role=role,
        organisation=organisation,
        **extra,
    )


def _referral_objects(contract, ref: str, organisation, site, key_worker) -> dict:
    referral = f.ReferralFactory(
        contract=contract,
        ref=ref,
        group="PG1",
        organisation=organisation,
        site=site,
        key_worker=key_worker,
        referral_date=REFERRED,
    )
    f.JourneyEventFactory(referral=referral, code=models.EventCode.STARTED, event_date=REFERRED)
    claim = f.JourneyEventFactory(
        referral=referral, code=models.EventCode.JOB_OUTCOME, event_date=dt.date(2025, 6, 2)
    )
    appointment = f.AppointmentFactory(referral=referral)
    job = models.JobDetail.objects.create(
        referral=referral, employer="Acme", hours_per_week=20, start_date=dt.date(2025, 3, 3)
    )
    follow_up = models.FollowUpTask.objects.create(
        referral=referral, description="Call back", due_date=dt.date(2025, 1, 20)
    )
    models.ActionPlan.objects.create(
        referral=referral, version=1, agreed_on=REFERRED, next_review_due=dt.date(2025, 2, 6)
    )
    evidence = workspace.upload_evidence(
        referral=referral, uploaded_file=SimpleUploadedFile("p.pdf", PDF), kind="PAYSLIP", user=None
    )
    return {
        "referral": referral,
        "participant": referral.participant,
        "appointment": appointment,
        "follow_up": follow_up,
        "evidence": evidence,
        "claim": claim,
        "job": job,
    }


def _contract_objects(contract, referrals, importer) -> dict:
    tender = Standard.objects.create(
        contract=contract,
        code=TENDER_CODE,
        measure="deadline",
        start_event="REFERRED",
        end_events=["STARTED"],
        limit_working_days=5,
        target=90,
    )
    # Checked in the past, so its sample list can be exported today.
    sample = CmoSample.objects.create(
        contract=contract,
        seed=1,
        size=len(referrals),
        period_start=REFERRED,
        period_end=REFERRED,
        population_size=len(referrals),
        check_date=dt.date(2025, 3, 3),
    )
    records = {
        referral.pk: CmoSampleRecord.objects.create(sample=sample, referral=referral, position=number)
        for number, referral in enumerate(referrals, start=1)
    }
    pat = PatRating.objects.create(contract=contract, date=dt.date(2025, 3, 1), rating="REASONABLE")
    round_ = models.ValidationRound.objects.create(
        contract=contract,
        round=1,
        period_start=dt.date(2024, 4, 1),
        period_end=dt.date(2024, 9, 30),
        invalid_pct=5,
        status="PROVISIONAL",
    )
    run = models.ImportRun.objects.create(
        user=importer, source="test", status="SUCCEEDED", contract_refs=[contract.ref]
    )
    plan = regimes.ProviderActionPlan.objects.create(
        contract=contract,
        version=1,
        title="Plan",
        first_month=dt.date(2025, 3, 1),
        status="APPROVED",
        submitted_on=dt.date(2025, 2, 24),
        decided_on=dt.date(2025, 2, 26),
    )
    cpr = regimes.Cpr.objects.create(
        contract=contract, month=dt.date(2025, 2, 1), meeting_on=dt.date(2025, 3, 12)
    )
    notice = regimes.IssueNotice.objects.create(
        contract=contract,
        summary="A late start",
        urgency=regimes.IssueNotice.Urgency.NORMAL,
        remedial_action="Called",
        avoid_repetition="Rota",
        people_told="The manager",
        due_by=dt.date(2025, 3, 10),
    )
    return {
        "notice": notice,
        "plan": plan,
        "cpr": cpr,
        "question": regimes.KeyQuestion.objects.create(cpr=cpr, question="Why?", sent_on=dt.date(2025, 3, 5)),
        "action_point": regimes.ActionPoint.objects.create(
            cpr=cpr, what="Review", owner="PM", due_date=dt.date(2025, 4, 1)
        ),
        "deep_dive": regimes.DeepDive.objects.create(
            contract=contract, subject="PG1", visit_on=dt.date(2025, 3, 20), letter="We will visit."
        ),
        "tender": tender,
        "sample": sample,
        "records": records,
        "pat": pat,
        "round": round_,
        "import_run": run,
    }


def build_access_world() -> AccessWorld:
    prime = f.OrganisationFactory(ref="ACC-P", name="Prime P")
    sub = f.SubcontractorFactory(ref="ACC-S", name="Sub S", parent=prime)
    other = f.OrganisationFactory(ref="ACC-Q", name="Prime Q")
    wp = models.Programme.objects.get(code="WP")
    cp = f.ContractFactory(ref="ACC-CP", prime=prime, programme=wp)
    cp.delivery_organisations.set([prime, sub])
    cq = f.ContractFactory(ref="ACC-CQ", prime=other, programme=wp)
    q_sub = f.SubcontractorFactory(ref="ACC-QS", name="Sub of Q", parent=other)
    cq.delivery_organisations.set([other, q_sub])
    site_p = f.SiteFactory(ref="ACC-P-SITE", organisation=prime)
    site_s = f.SiteFactory(ref="ACC-S-SITE", organisation=sub)
    site_q = f.SiteFactory(ref="ACC-Q-SITE", organisation=other)

    role = models.Role
    kw = _staff("acc.kw", role.KEY_WORKER, prime)
    pm = _staff("acc.pm", role.PERFORMANCE_MANAGER, prime)
    pm.sites.set([site_p])
    partnerships = _staff("acc.partnerships", role.PARTNERSHIPS_MANAGER, prime)
    partnerships.managed_organisations.set([sub])
    contract_manager = _staff("acc.contracts", role.CONTRACT_MANAGER, prime)
    claims = _staff("acc.claims", role.CLAIMS_OFFICER, prime)
    dwp = _staff("acc.dwp", role.DWP_CONTACT, None)
    cp.dwp_contacts.add(dwp.user)
    sub_pm = _staff("acc.sub.pm", role.PERFORMANCE_MANAGER, sub)
    sub_kw = _staff("acc.sub.kw", role.KEY_WORKER, sub)
    q_kw = _staff("acc.q.kw", role.KEY_WORKER, other)
    q_pm = _staff("acc.q.pm", role.PERFORMANCE_MANAGER, other)
    superuser = f.UserFactory(username="acc.support", is_superuser=True, is_staff=True)
    for organisation in (prime, other):
        definitions.seed_definitions(prime=organisation)

    at_p = _referral_objects(cp, "ACC-RP", prime, site_p, kw)
    at_s = _referral_objects(cp, "ACC-RS", sub, site_s, sub_kw)
    at_q = _referral_objects(cq, "ACC-RQ", other, site_q, q_kw)
    on_cp = _contract_objects(cp, [at_p["referral"], at_s["referral"]], pm.user)
    on_cq = _contract_objects(cq, [at_q["referral"]], q_pm.user)

    def side(contract, objects, on_contract, level: str, ref: str, subcontractor) -> Side:
        records = on_contract.pop("records")
        rating = KpiRating.objects.create(
            contract=contract,
            level=level,
            ref=ref,
            quarter_end=dt.date(2025, 6, 1),
            rag="AMBER",
            kpis=[{"kpi": "STARTS", "target": 2.0, "actual": 1, "met": False}],
            proposal=KpiRating.Proposal.PROPOSED,
        )
        pip = Pip.objects.create(
            contract=contract, level=level, ref=ref, rating=rating, reason="STARTS missed", opened_on=REFERRED
        )
        return Side(
            contract=contract,
            **objects,
            **on_contract,
            record=records[objects["referral"].pk],
            rating=rating,
            pip=pip,
            subcontractor=subcontractor,
            definition=KpiDefinition.objects.filter(prime=contract.prime).earliest("pk"),
        )

    users = {
        "anonymous": None,
        "key_worker": kw.user,
        "performance_manager": pm.user,
        "partnerships_manager": partnerships.user,
        "contract_manager": contract_manager.user,
        "claims_officer": claims.user,
        "dwp_contact": dwp.user,
        "sub_performance_manager": sub_pm.user,
        "sub_key_worker": sub_kw.user,
        "superuser": superuser,
    }
    sides = {
        "P": side(cp, at_p, dict(on_cp), "CONTRACT", cp.ref, sub),
        "S": side(cp, at_s, dict(on_cp), "ORGANISATION", sub.ref, sub),
        "Q": side(cq, at_q, dict(on_cq), "CONTRACT", cq.ref, q_sub),
    }
    return AccessWorld(users=users, sides=sides)
