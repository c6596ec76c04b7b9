"""The participants app's tables, one module per concern; imported from here (`participants.models`)."""

from .audit import AccessLog
from .contracts import CohortBasis, Contract, Nation, Organisation, Programme, Role, Site, Staff, Team
from .journey import (
    EventCode,
    JourneyEvent,
    Participant,
    PeerSupportGroup,
    Referral,
    ReferralAssignment,
)
from .outbox import OutboxMessage, RecomputeRequest
from .records import Complaint, EligibilityCheck, PlacementSourced
from .reference import KpiCode, KpiLevel, KpiTarget, MplProfile, MplTarget, ValidationRound
from .runs import ImportRun, JobRun
from .workspace import (
    ActionPlan,
    ActionPlanReview,
    ActionPlanVersion,
    Appointment,
    ClaimChecklist,
    EvidenceDocument,
    FollowUpTask,
    InWorkSupportContact,
    JobDetail,
    Note,
    SmartGoal,
    WorkspaceSettings,
    evidence_storage,
)

__all__ = [
    "KpiTarget",
    "KpiLevel",
    "KpiCode",
    "PlacementSourced",
    "EligibilityCheck",
    "Complaint",
    "AccessLog",
    "ActionPlan",
    "ActionPlanReview",
    "ActionPlanVersion",
    "Appointment",
    "ClaimChecklist",
    "CohortBasis",
    "Contract",
    "EventCode",
    "EvidenceDocument",
    "FollowUpTask",
    "ImportRun",
    "InWorkSupportContact",
    "JobDetail",
    "JobRun",
    "JourneyEvent",
    "MplProfile",
    "MplTarget",
    "Nation",
    "Note",
    "Organisation",
    "OutboxMessage",
    "Participant",
    "PeerSupportGroup",
    "Programme",
    "RecomputeRequest",
    "Referral",
    "ReferralAssignment",
    "Role",
    "Site",
    "SmartGoal",
    "Staff",
    "Team",
    "ValidationRound",
    "WorkspaceSettings",
    "evidence_storage",
]
