"""Template tags of the workspace pages (`{% load workspace %}`, registered in TEMPLATES' libraries)."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..choices import Stage
from ..models import PeerSupportGroup

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


@register.simple_tag
def caseload_cells(record, table) -> str:
    """One caseload row's cells. Built in Python because a whole caseload (150+ rows) through template
    variable lookups and filters cost most of the page's time (benchmarks/bench_workspace.py)."""
    today = table.today
    flags = []
    if record.open_follow_up_due:
        due = record.open_follow_up_due.strftime("%-d %b")
        if record.open_follow_up_due < today:
            flags.append(
                format_html(
                    '<span class="badge text-bg-danger">FTA follow-up {}'
                    '<span class="visually-hidden"> (overdue)</span></span>',
                    due,
                )
            )
        else:
            flags.append(format_html('<span class="badge text-bg-warning">FTA follow-up due {}</span>', due))
    if record.no_contact:
        seen = record.last_contact
        flags.append(
            format_html(
                '<span class="badge text-bg-secondary">No contact since {}</span>',
                seen.strftime("%-d %b" if seen.year == today.year else "%-d %b %Y"),
            )
        )
    badge = {
        "overdue": '<span class="badge text-bg-danger">Overdue</span> ',
        "due": '<span class="badge text-bg-warning">Due</span> ',
    }.get(record.review_state, "")
    review = (
        format_html("{}{}", mark_safe(badge), record.review_due.strftime("%-d %b %Y"))
        if record.review_due
        else "No plan"
    )
    appointment = (
        timezone.localtime(record.next_appointment).strftime("%a %-d %b, %H:%M")
        if record.next_appointment
        else "None booked"
    )
    psg = psg_label(record.psg) if record.psg else "—"
    cells = [
        format_html('<td><a href="{}">{}</a></td>', table.participant_url(record.participant_id), record.ref),
        format_html(
            '<td><div class="d-flex flex-column align-items-start gap-1">{}</div></td>',
            mark_safe("".join(flags)) if flags else "—",
        ),  # each flag built by format_html
        format_html('<td class="text-nowrap">{}</td>', review),
        format_html('<td class="text-nowrap">{}</td>', appointment),
        format_html('<td class="text-nowrap">{}</td>', Stage(record.stage).label),
        format_html("<td>{}</td>", psg),
        format_html(
            '<td class="text-end">{}</td>', (today - record.started_on).days if record.started_on else "—"
        ),
    ]
    if table.team:
        cells.append(format_html("<td>{}</td>", record.key_worker_name or "—"))
    cells += [
        format_html('<td class="d-none d-xxl-table-cell">{}</td>', value)
        for value in (record.participant.ref, record.contract.ref, record.group)
    ]
    return mark_safe("".join(cells))
