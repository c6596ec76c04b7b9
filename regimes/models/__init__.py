"""The regimes app's tables, one module per concern; imported from here (`regimes.models`)."""

from .measures import SubcontractorMeasure
from .obligations import Obligation

__all__ = ["Obligation", "SubcontractorMeasure"]
