from django import template

from participants.choices import Stage

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    """The readable name of a derived journey stage."""
    try:
        return Stage(value).label
    except ValueError:
        return value
