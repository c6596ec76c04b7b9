"""The regimes app's tables, one module per concern; imported from here (`regimes.models`)."""

from .notices import IssueNotice
from .obligations import Obligation
from .plans import DashboardRelease, FlightPathMonth, PlanAction, ProviderActionPlan
from .reviews import ActionPoint, Cpr, DeepDive, KeyQuestion

__all__ = [
    "ActionPoint",
    "Cpr",
    "DashboardRelease",
    "DeepDive",
    "FlightPathMonth",
    "IssueNotice",
    "KeyQuestion",
    "Obligation",
    "PlanAction",
    "ProviderActionPlan",
]
