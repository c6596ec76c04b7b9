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
from .reference import MplProfile, MplTarget, ValidationRound
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
    JobEndReason,
    Note,
    SmartGoal,
    SupportRecord,
    WorkspaceSettings,
    evidence_storage,
)

__all__ = [
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
    "JobEndReason",
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
    "SupportRecord",
    "Team",
    "ValidationRound",
    "WorkspaceSettings",
    "evidence_storage",
]
