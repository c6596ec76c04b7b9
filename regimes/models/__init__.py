"""The regimes app's tables, one module per concern; imported from here (`regimes.models`)."""

from .decisions import Decision, Epr, Level, Pican, Pin
from .measures import SubcontractorMeasure
from .notices import IssueNotice
from .obligations import CalendarFeed, Obligation
from .plans import DashboardRelease, FlightPathMonth, PlanAction, ProviderActionPlan
from .recommendations import Recommendation
from .reviews import ActionPoint, Cpr, DeepDive, KeyQuestion

__all__ = [
    "ActionPoint",
    "CalendarFeed",
    "Cpr",
    "DashboardRelease",
    "Decision",
    "DeepDive",
    "Epr",
    "FlightPathMonth",
    "IssueNotice",
    "KeyQuestion",
    "Level",
    "Obligation",
    "Pican",
    "Pin",
    "PlanAction",
    "ProviderActionPlan",
    "Recommendation",
    "SubcontractorMeasure",
]
