import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def invalid_widget(field):
    """Render a bound field's widget marked invalid and pointing at its error text (screen readers)."""
    css = f"{field.field.widget.attrs.get('class', '')} is-invalid".strip()
    return field.as_widget(
        attrs={"class": css, "aria-invalid": "true", "aria-describedby": f"{field.auto_id}_error"}
    )


@register.filter
def psg_label(value: str) -> str:
    """A PSG_CHANGED event's detail shown as its group's name; other details unchanged."""
    from participants.models import PeerSupportGroup

    return PeerSupportGroup(value).label if value in PeerSupportGroup.values else value


@register.filter
def days_until(start, today) -> int:
    """Calendar days from `start` to `today` (days on programme)."""
    return (today - start).days


@register.filter
def person(user) -> str:
    """A user's name as shown beside what they did: full name, else username, else a dash."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def strftime(value, fmt: str) -> str:
    """Format a date or (local) datetime with strftime: several times faster than |date for a whole
    caseload's cells; the product is English only (LANGUAGE_CODE en-gb)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return value.strftime(fmt)
