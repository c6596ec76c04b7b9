"""Pure rules of the key workers' workspace (DOMAIN.md 1, 4, 11): plain values in, plain values out, no ORM.

Services, selectors, views, the PDF and the tests all call these, so each rule lives in one place.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from ..calendar import calendar_for

# What a plan revision's goals look like as plain data (the ActionPlanVersion.goals snapshot).
GOAL_FIELDS = ("goal", "measure", "owner", "due_date", "status")
GOAL_FIELD_LABELS = {
    "goal": "Goal",
    "measure": "Measure",
    "owner": "Owner",
    "due_date": "Due",
    "status": "Status",
}

# A claims officer ticks every item before an outcome claim goes to DWP (DOMAIN.md 1, claims officer).
# Configuration, like the CMO checklist: settings.FLIGHTPATH_CLAIM_CHECKLIST (key -> label) replaces these
# (selectors.claim_checklist_items); a saved checklist keeps the answers it was given.
DEFAULT_CLAIM_CHECKLIST: dict[str, str] = {
    "identity": "Participant identity and eligibility confirmed",
    "evidence": "Evidence document on file supports the claimed outcome",
    "dates": "Dates on the evidence match the recorded job and outcome dates",
    "earnings": "Earnings or hours meet the outcome threshold",
    "not_claimed": "Outcome not already claimed for this referral",
}

# Content signatures of the evidence types (DOMAIN.md 4: evidence documents for claims).
EVIDENCE_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EVIDENCE_EXTENSIONS = {"pdf": ("pdf",), "jpeg": ("jpg", "jpeg"), "png": ("png",), "docx": ("docx",)}


def fta_follow_up_due(nation: str, fta_date: dt.date, working_days: int) -> dt.date:
    """A failure to attend is followed up within `working_days` working days (DOMAIN.md 3 deadline rule)."""
    return calendar_for(nation).deadline(fta_date, working_days).astype(dt.date)


def next_review_due(last_review_or_agreement: dt.date, interval_months: int) -> dt.date:
    """A plan is reviewed at least every `interval_months` months (DOMAIN.md 4: at least monthly)."""
    return last_review_or_agreement + relativedelta(months=interval_months)


def sniff_evidence_type(head: bytes, data: bytes | None = None) -> str | None:
    """The evidence type a file's content shows ('pdf', 'jpeg', 'png', 'docx'), or None.

    `head` is the first bytes; a DOCX is a zip holding word/document.xml, so `data` (the whole file) is
    opened as a zip to tell it from any other zip."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04") and data is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


@dataclass(frozen=True)
class GoalChange:
    kind: str  # "added", "removed" or "changed"
    goal: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)


def _shown(name: str, value: str, status_labels: dict[str, str]) -> str:
    if name == "due_date" and value:
        return f"{dt.date.fromisoformat(value):%-d %b %Y}"
    if name == "status":
        return status_labels.get(value, value)
    return value


def plan_changes(
    before: list[dict], after: list[dict], status_labels: dict[str, str] | None = None
) -> list[GoalChange]:
    """A readable difference between two revisions' goals, matched by goal key: added, removed, changed
    (with each changed field's before and after, dates and statuses as people read them)."""
    labels = status_labels or {}
    old = {goal["key"]: goal for goal in before}
    new = {goal["key"]: goal for goal in after}
    changes = []
    for key, goal in new.items():
        if key not in old:
            changes.append(GoalChange("added", goal["goal"]))
            continue
        fields = [
            (
                GOAL_FIELD_LABELS[name],
                _shown(name, str(old[key].get(name, "")), labels),
                _shown(name, str(goal.get(name, "")), labels),
            )
            for name in GOAL_FIELDS
            if str(old[key].get(name, "")) != str(goal.get(name, ""))
        ]
        if fields:
            changes.append(GoalChange("changed", goal["goal"], fields))
    changes.extend(GoalChange("removed", goal["goal"]) for key, goal in old.items() if key not in new)
    return changes
