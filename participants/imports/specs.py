"""What an import bundle holds (DATA.md "Import bundle"): its files in the order they are validated,
reported and written, their columns and keys, the longest value each model field takes, and the codes a
column may hold. Read by the reading, the validation and the COPY writer of the bundle."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import EventCode, KpiCode, KpiLevel, PeerSupportGroup

EVENT_CODES = frozenset(EventCode.values) - {EventCode.REFERRED}  # REFERRED is implicit in referrals.csv
PSG_VALUES = frozenset(PeerSupportGroup.values)
JOB_OUTCOME_DETAILS = frozenset({"", "self_employed"})
# The participant's personal columns of referrals.csv (DATA.md), Participant fields of the same names.
PERSON_COLUMNS = ("first_name", "last_name", "preferred_name", "phone", "email", "nino")
KPI_CODES = frozenset(KpiCode.values)
KPI_LEVELS = frozenset(KpiLevel.values)


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    max_lengths: dict[str, int] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


# DATA.md, in the order files are validated, reported and written. Lengths are the model fields'.
SPECS: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec(
            "contracts.csv",
            (
                "contract_ref",
                "programme",
                "name",
                "prime_ref",
                "prime_name",
                "cpa",
                "nation",
                "start_date",
                "end_date",
            ),
            ("year_start_month",),
            key=("contract_ref",),
            max_lengths={"contract_ref": 50, "name": 200, "prime_ref": 50, "prime_name": 200, "cpa": 50},
        ),
        FileSpec(
            "organisations.csv",
            ("org_ref", "name", "kind", "parent_ref"),
            key=("org_ref",),
            max_lengths={"org_ref": 50, "name": 200},
        ),
        FileSpec(
            "referrals.csv",
            ("contract_ref", "referral_ref", "participant_ref", "referral_date", "group"),
            (
                "delivery_org_ref",
                "site_ref",
                "key_worker",
                "date_of_birth",
                "gender",
                "disability",
                "ethnicity",
                "postcode_district",
                "dda",
                *PERSON_COLUMNS,
            ),
            key=("contract_ref", "referral_ref"),
            max_lengths={
                "referral_ref": 50,
                "participant_ref": 50,
                "site_ref": 50,
                "key_worker": 80,
                "gender": 20,
                "disability": 20,
                "ethnicity": 50,
                "postcode_district": 10,
                "dda": 50,
                "first_name": 100,
                "last_name": 100,
                "preferred_name": 100,
                "phone": 30,
                "email": 254,
            },
        ),
        FileSpec(
            "events.csv",
            ("contract_ref", "referral_ref", "event", "event_date"),
            ("amount", "detail"),
            key=("contract_ref", "referral_ref", "event", "event_date"),
            max_lengths={"detail": 100},
        ),
        FileSpec(
            "mpl_profiles.csv",
            ("contract_ref", "group", "month", "cumulative_pct"),
            key=("contract_ref", "group", "month"),
        ),
        FileSpec(
            "validation_rounds.csv",
            ("contract_ref", "round", "period_start", "period_end", "invalid_pct", "status"),
            key=("contract_ref", "round"),
        ),
        FileSpec(
            "mpl_targets.csv",
            ("contract_ref", "group", "period_start", "period_end", "required_outcomes"),
            key=("contract_ref", "group", "period_start", "period_end"),
        ),
        FileSpec(
            "kpi_targets.csv",
            ("contract_ref", "level", "ref", "kpi", "month", "target"),
            key=("contract_ref", "level", "ref", "kpi", "month"),
            max_lengths={"ref": 80},
        ),
    )
}
REQUIRED_FILES = ("referrals.csv", "events.csv")  # DATA.md: the rest only when the contract is new
