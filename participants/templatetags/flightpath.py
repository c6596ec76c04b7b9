from django import template

from participants import access
from participants.choices import Stage

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    """The readable name of a derived journey stage."""
    try:
        return Stage(value).label
    except ValueError:
        return value


@register.filter
def can(user, action: str) -> bool:
    """`{% if user|can:"import" %}`: may the user take the action somewhere (participants.access), for menus.
    Buttons on one object are decided in the view, with the object (`access.can(user, action, obj)`)."""
    return access.can(user, access.Action(action))
