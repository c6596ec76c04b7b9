"""What the demo holds (DOMAIN.md section 16): the prime, its subcontractors and sites, the three demo
contracts with their programmes' journey parameters, and the distributions the generator draws from.

Data only: demo.generator turns these into a bundle. The journey shares and working-day delays are set so
most referrals are resolved within the customer service standards (DOMAIN.md 9) with a realistic share
late; the MPL profiles a little under the generated performance, above it for PG1 and DISABILITY.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SEED = 2011  # the Work Programme's first referrals (DOMAIN.md 16)
DEFAULT_REFERRALS = 3_000
YEARS_OF_DATA = 2

PRIME_REF, SUB1, SUB2, SUB3 = "DEMO-PRIME", "DEMO-SUB1", "DEMO-SUB2", "DEMO-SUB3"
PRIME = (PRIME_REF, "Northgate Employment Services Ltd")
SUBCONTRACTORS = (
    (SUB1, "Aire Valley Works CIC"),
    (SUB2, "Tayside Pathways Ltd"),
    (SUB3, "Cymru Community Action"),
)
# The five sites: the prime's in Leeds (WP) and Glasgow (WHP), one per subcontractor.
LEEDS, GLASGOW = "DEMO-PRIME-LEEDS", "DEMO-PRIME-GLASGOW"
BRADFORD, DUNDEE, CARDIFF = "DEMO-SUB1-BRADFORD", "DEMO-SUB2-DUNDEE", "DEMO-SUB3-CARDIFF"


@dataclass(frozen=True)
class SiteSpec:
    ref: str
    org_ref: str
    share: float  # of its contract's referrals
    postcodes: tuple[str, ...]
    dda: str = ""  # devolution deal area of the site's referrals (WHP Scotland)


@dataclass(frozen=True)
class ContractSpec:
    """One demo contract and the journey parameters of its programme (calendar days unless `_wd`)."""

    ref: str
    programme: str
    name: str
    cpa: str
    nation: str
    share: float  # of all referrals
    groups: dict[str, float]  # group -> share of referrals (DOMAIN.md 2; WP mix from section 16)
    job_start_rate: dict[str, float]  # group -> share of starters entering work
    sites: tuple[SiteSpec, ...]
    job_lag_mean: float  # start -> job start
    outcome_share: float  # of job starts reaching a job outcome
    outcome_lag: tuple[int, int]  # job start (WP, CAP) or £1,000 earnings (WHP) -> job outcome
    outcome_amount: float
    sustainment_amount: float
    max_sustainments: int
    provision_days: int
    non_compliance_rate: float
    profile_months: int
    profile_tau: float  # months: how fast expected outcomes build up after the first
    # group -> (cumulative % expected by the last profile month, months on programme before the first);
    # set a little under the generated performance, above it for PG1 and DISABILITY (MPL not met)
    profile: dict[str, tuple[float, int]]


CONTRACTS = (
    ContractSpec(
        ref="DEMO-WP-ENG",
        programme="WP",
        name="Work Programme, West Yorkshire",
        cpa="CPA 6 West Yorkshire",
        nation="ENG",
        share=0.45,
        groups={
            "PG1": 0.18,
            "PG2": 0.40,
            "PG3": 0.05,
            "PG4": 0.03,
            "PG5": 0.03,
            "PG6A": 0.11,
            "PG6B": 0.06,
            "PG7": 0.04,
            "PG8": 0.06,
            "PG9": 0.04,
        },
        job_start_rate={
            "PG1": 0.55,
            "PG2": 0.48,
            "PG3": 0.48,
            "PG4": 0.41,
            "PG5": 0.38,
            "PG6A": 0.31,
            "PG6B": 0.19,
            "PG7": 0.17,
            "PG8": 0.26,
            "PG9": 0.14,
        },
        sites=(
            SiteSpec(LEEDS, PRIME_REF, 0.6, ("LS1", "LS6", "LS9", "LS11", "LS14", "LS28")),
            SiteSpec(BRADFORD, SUB1, 0.4, ("BD1", "BD3", "BD5", "BD8", "BD10")),
        ),
        job_lag_mean=230,
        outcome_share=0.72,
        outcome_lag=(91, 182),
        outcome_amount=1200.0,
        sustainment_amount=280.0,
        max_sustainments=20,
        provision_days=730,
        non_compliance_rate=0.18,
        profile_months=24,
        profile_tau=8.0,
        profile={
            "PG1": (33.0, 7),
            "PG2": (23.5, 7),
            "PG3": (23.0, 7),
            "PG4": (19.0, 7),
            "PG5": (18.0, 7),
            "PG6A": (14.5, 4),
            "PG6B": (10.5, 4),
            "PG7": (8.5, 4),
            "PG8": (13.5, 4),
            "PG9": (6.0, 4),
        },
    ),
    ContractSpec(
        ref="DEMO-WHP-SCT",
        programme="WHP",
        name="Work and Health Programme, Central Scotland",
        cpa="CPA 12 Central Scotland",
        nation="SCT",
        share=0.30,
        groups={"DISABILITY": 0.75, "EARLY_ENTRY": 0.15, "LTU": 0.10},
        job_start_rate={"DISABILITY": 0.27, "EARLY_ENTRY": 0.35, "LTU": 0.32},
        sites=(
            SiteSpec(
                GLASGOW, PRIME_REF, 0.65, ("G1", "G3", "G20", "G31", "G40", "G51"), dda="Glasgow City Region"
            ),
            SiteSpec(DUNDEE, SUB2, 0.35, ("DD1", "DD2", "DD3", "DD4")),
        ),
        job_lag_mean=220,
        outcome_share=0.80,
        outcome_lag=(0, 28),
        outcome_amount=1500.0,
        sustainment_amount=300.0,
        max_sustainments=6,
        provision_days=456,
        non_compliance_rate=0.02,
        profile_months=21,
        profile_tau=7.0,
        profile={"DISABILITY": (19.0, 5), "EARLY_ENTRY": (23.0, 5), "LTU": (19.5, 5)},
    ),
    ContractSpec(
        ref="DEMO-CAP-WLS",
        programme="CAP",
        name="Community Action Programme, South Wales",
        cpa="CPA 14 Wales",
        nation="WLS",
        share=0.25,
        groups={"ALL": 1.0},
        job_start_rate={"ALL": 0.22},
        sites=(SiteSpec(CARDIFF, SUB3, 1.0, ("CF3", "CF5", "CF10", "CF11", "CF24")),),
        job_lag_mean=90,
        outcome_share=0.68,
        outcome_lag=(56, 105),
        outcome_amount=500.0,
        sustainment_amount=300.0,
        max_sustainments=6,
        provision_days=182,
        non_compliance_rate=0.35,
        profile_months=12,
        profile_tau=3.0,
        profile={"ALL": (10.0, 2)},
    ),
)

# Journey order, used to sort a referral's events of one day (DOMAIN.md 4).
CODES = (
    "ACKNOWLEDGED",
    "ENGAGED",
    "STARTED",
    "DID_NOT_START",
    "FAILED_TO_ATTEND",
    "ESF_FORM_SIGNED",
    "PRAP_RECORDED",
    "ESF_FORM_SENT",
    "ACTION_PLAN_AGREED",
    "PSG_CHANGED",
    "NON_COMPLIANCE",
    "SANCTION_DOUBT_RAISED",
    "JOB_START",
    "EARNINGS_START",
    "EARNINGS_1000",
    "JOB_OUTCOME",
    "EARNINGS_2000",
    "SUSTAINMENT",
    "OUTCOME_INVALIDATED",
    "EXITED",
    "EXIT_REPORT_SENT",
)
PSG_LEVELS = ("PRE_CONTEMPLATION", "CONTEMPLATION", "PREPARATION", "CANDIDATE_POOL")
DETAILS = ("", "self_employed", *PSG_LEVELS)
RESOLUTION_SHARES = (0.81, 0.08, 0.11)  # the worked examples' mix: about 4 in 5 referrals start
ETHNICITIES = ("WHITE", "ASIAN", "BLACK", "MIXED", "OTHER", "NOT_KNOWN")
ETHNICITY_SHARES = (0.80, 0.08, 0.04, 0.03, 0.02, 0.03)
ESA_GROUPS = ("PG6A", "PG6B", "PG7", "PG8", "PG9", "DISABILITY")
YOUNG_GROUPS = ("PG1",)  # JSA 18-24
CASELOAD = 150  # referrals per key worker over the two years

# Working-day delays: value -> weight. Most inside the section 9 limits, a realistic tail outside them.
# A few referrals stall for two or three months (CSS4's backlog over 25 working days).
RESOLUTION_DELAY_WD = {
    **dict(zip(range(1, 11), (4, 9, 12, 13, 12, 11, 10, 9, 8, 7), strict=True)),
    **dict.fromkeys(range(11, 16), 0.5),
    **dict.fromkeys(range(16, 36), 0.06),
    **dict.fromkeys(range(40, 61), 0.02),
}
ACK_DELAY_WD = {0: 45, 1: 38, 2: 16, 3: 0.6, 4: 0.3, 5: 0.1}
PRAP_DELAY_WD = {0: 50, 1: 25, 2: 12, 3: 7, 4: 3, 5: 1.5, 8: 1, 12: 0.5}
ACTION_PLAN_DELAY_WD = {**dict.fromkeys(range(0, 9), 11), **dict.fromkeys(range(9, 15), 1), 18: 0.6, 25: 0.4}
ESF_SENT_DELAY_WD = {0: 30, 1: 30, 2: 15, 3: 10, 4: 6, 5: 5, 7: 2.5, 10: 1.5}
SANCTION_DOUBT_DELAY_WD = {0: 40, 1: 35, 2: 17, 3: 5, 5: 3}
EXIT_REPORT_DELAY_WD = {**dict.fromkeys(range(0, 11), 8.5), 12: 4, 15: 2, 20: 0.5}
CAP_PRAP_AFTER_ENGAGED_WD = {0: 60, 1: 33, 2: 4, 3: 2, 4: 1}
