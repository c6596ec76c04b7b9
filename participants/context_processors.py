"""Navigation by role: what the base layout shows in its menu."""

from .querysets import staff_of


def navigation(request):
    user = getattr(request, "user", None)
    staff = staff_of(user) if user is not None else None
    return {
        "current_staff": staff,
        "current_role": staff.role if staff else ("ADMIN" if user and user.is_superuser else None),
    }
