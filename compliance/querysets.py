"""QuerySet methods of the compliance models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from participants.models import Contract

    from .models import Standard


class StandardQuerySet(models.QuerySet):
    def for_contract(self, contract: Contract) -> list[Standard]:
        """The contract's standards: its programme's, with a contract row replacing the programme row of the
        same code (tender standards, DOMAIN.md 9), in display order."""
        rows = self.filter(
            Q(programme_id=contract.programme_id, contract__isnull=True) | Q(contract=contract)
        )
        by_code: dict[str, Standard] = {}
        for row in sorted(rows, key=lambda s: s.contract_id is not None):  # contract rows last: they win
            by_code[row.code] = row
        return sorted(by_code.values(), key=lambda s: (s.position, s.code))
