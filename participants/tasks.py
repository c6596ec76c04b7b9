"""Celery entry points of the participants app.

After an import commits, each affected contract is recomputed by the tasks named in
settings.FLIGHTPATH_RECOMPUTE_TASKS (by name: the participants app never imports the apps above it).
"""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)


def enqueue_recompute(contract_ids_to_months: dict[int, list[str] | None]) -> list[tuple[str, int]]:
    """Send every recompute task for each contract with args (contract_id, months); months is the sorted
    "YYYY-MM" list the import touched, or None for everything. Returns what was sent."""
    sent: list[tuple[str, int]] = []
    if not contract_ids_to_months:
        return sent
    current_app.loader.import_default_modules()  # autodiscovered task modules, in web processes too
    for name in settings.FLIGHTPATH_RECOMPUTE_TASKS:
        if name not in current_app.tasks:
            logger.warning("recompute task %s is not registered; skipped", name)
            continue
        for contract_id, months in sorted(contract_ids_to_months.items()):
            current_app.signature(name, args=(contract_id, months)).apply_async()
            sent.append((name, contract_id))
    return sent
