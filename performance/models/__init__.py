"""The performance app's tables: the engine's snapshots and recommendations, and the provider's own KPIs,
quarterly ratings and PIPs (DOMAIN.md 11, 17.12-15)."""

from .kpis import KpiDefinition, KpiRating, Pip, PipAction, PipReview
from .snapshots import (
    AssessmentSnapshot,
    CohortSnapshot,
    PerformanceSnapshot,
    Period,
    ProjectionSnapshot,
)

__all__ = [
    "AssessmentSnapshot",
    "CohortSnapshot",
    "KpiDefinition",
    "KpiRating",
    "PerformanceSnapshot",
    "Period",
    "Pip",
    "PipAction",
    "PipReview",
    "ProjectionSnapshot",
]
