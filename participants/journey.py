"""Journey rules shared by the engines, as plain data (no Django): DOMAIN.md section 4.

A referral has at most one resolution event; the engines, given more than one anyway, count the first
by date, and on the same date the first in this order.
"""

RESOLUTION_CODES: tuple[str, ...] = ("STARTED", "DID_NOT_START", "FAILED_TO_ATTEND")
