"""The person's details (issue 13): how a National Insurance number is checked, normalised and masked, and
the name search's normalisation. Pure functions, shared by the import, the forms, the pages and the API."""

from __future__ import annotations

import re

# HMRC's format: two prefix letters, six digits, a suffix letter A-D ("QQ123456C" is the documented example
# of a number never issued). Only the format is checked: the import and the form cannot know what HMRC issued.
NINO = re.compile(r"^[A-Z]{2}[0-9]{6}[A-D]$")
NINO_REASON = "not a National Insurance number (two letters, six digits, a letter A-D: AB123456C)"
MASK = "••"


def normalise_nino(value: str) -> str:
    """Upper case without spaces: "qq 12 34 56 c" -> "QQ123456C" (how people write it)."""
    return re.sub(r"\s+", "", value or "").upper()


def is_nino(value: str) -> bool:
    return bool(NINO.match(value))


def mask_nino(value: str) -> str:
    """ "QQ123456C" -> "QQ •• •• •• C": the prefix and suffix tell two numbers apart on a page, the digits
    stay hidden. Empty stays empty."""
    if not value:
        return ""
    if len(value) != 9:
        return f"{MASK} {MASK} {MASK}"
    return f"{value[:2]} {MASK} {MASK} {MASK} {value[-1]}"
