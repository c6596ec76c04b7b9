"""The customer service standards shipped with the programme templates (DOMAIN.md 9 table).

Seeded into compliance.Standard by migration 0002; editable there (configuration as data). WP ships none
(DOMAIN.md 15.19). Contracts add their own tender standards as contract-specific rows.
"""

from __future__ import annotations

RESOLUTION = ["STARTED", "DID_NOT_START", "FAILED_TO_ATTEND"]

SHIPPED_STANDARDS: list[dict] = [
    {"programme": "WHP", "code": "CSS1a", "measure": "deadline", "start_event": "REFERRED",
     "end_events": RESOLUTION, "limit_working_days": 10, "target": 100, "started_only": False,
     "name": "Referrals started, DNS or FTA within 10 working days"},
    {"programme": "WHP", "code": "CSS1b", "measure": "deadline", "start_event": "REFERRED",
     "end_events": ["PRAP_RECORDED"], "limit_working_days": 15, "target": 100, "started_only": False,
     "name": "Start, DNS or FTA recorded on PRaP within 15 working days"},
    {"programme": "WHP", "code": "CSS2", "measure": "deadline", "start_event": "REFERRED",
     "end_events": ["ACKNOWLEDGED"], "limit_working_days": 2, "target": 100, "started_only": False,
     "name": "Referrals acknowledged within 2 working days"},
    {"programme": "WHP", "code": "CSS3", "measure": "backlog_share", "start_event": "REFERRED",
     "end_events": RESOLUTION, "limit_working_days": 15, "target": 4, "started_only": False,
     "name": "Unresolved referrals older than 15 working days: at most 4%"},
    {"programme": "WHP", "code": "CSS4", "measure": "backlog_max", "start_event": "REFERRED",
     "end_events": RESOLUTION, "limit_working_days": 25, "target": 0, "started_only": False,
     "name": "No unresolved referral older than 25 working days"},
    {"programme": "WHP", "code": "CSS5", "measure": "deadline", "start_event": "REFERRED",
     "end_events": ["ACTION_PLAN_AGREED"], "limit_working_days": 20, "target": 100, "started_only": True,
     "name": "Action plan agreed within 20 working days of referral (started referrals)"},
    {"programme": "WHP", "code": "CSS6", "measure": "deadline", "start_event": "ESF_FORM_SIGNED",
     "end_events": ["ESF_FORM_SENT"], "limit_working_days": 5, "target": 100, "started_only": False,
     "name": "ESF1420 form sent to DWP within 5 working days of signing"},
    {"programme": "CAP", "code": "CAP1", "measure": "deadline", "start_event": "REFERRED",
     "end_events": ["ENGAGED"], "limit_working_days": 10, "target": 100, "started_only": False,
     "name": "First face-to-face engagement within 10 working days of referral"},
    {"programme": "CAP", "code": "CAP2", "measure": "deadline", "start_event": "ENGAGED",
     "end_events": ["PRAP_RECORDED"], "limit_working_days": 1, "target": 100, "started_only": False,
     "name": "Engagement recorded on PRaP within 1 working day"},
    {"programme": "CAP", "code": "CAP3", "measure": "deadline", "start_event": "REFERRED",
     "end_events": ["STARTED"], "limit_working_days": 15, "target": 100, "started_only": False,
     "name": "Referrals started within 15 working days"},
    {"programme": "CAP", "code": "CAP4", "measure": "deadline", "start_event": "NON_COMPLIANCE",
     "end_events": ["SANCTION_DOUBT_RAISED"], "limit_working_days": 2, "target": 100, "started_only": False,
     "name": "Sanction doubt raised within 2 working days of non-compliance"},
    {"programme": "CAP", "code": "CAP5", "measure": "deadline", "start_event": "EXITED",
     "end_events": ["EXIT_REPORT_SENT"], "limit_working_days": 10, "target": 100, "started_only": False,
     "name": "Exit report returned to JCP within 10 working days of exit"},
]
