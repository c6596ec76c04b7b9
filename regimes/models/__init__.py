"""The regimes app's tables, one module per concern; imported from here (`regimes.models`)."""

from .decisions import Decision, Epr, Level, Pican, Pin
from .obligations import CalendarFeed, Obligation
from .recommendations import Recommendation

__all__ = ["CalendarFeed", "Decision", "Epr", "Level", "Obligation", "Pican", "Pin", "Recommendation"]
