"""The regimes app's tables, one module per concern; imported from here (`regimes.models`)."""

from .notices import IssueNotice
from .obligations import Obligation

__all__ = ["IssueNotice", "Obligation"]
