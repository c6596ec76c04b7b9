"""The roles of DOMAIN.md section 1 as Django groups with their model permissions.

Groups are (re)built after every migrate, so a new permission reaches its roles without a hand edit.
Scoping (what rows a role sees) is `visible_to`; this module only says what each role may do.
"""

from django.contrib.auth.models import Group, Permission

from .models import Role

# Per role: (app_label, codename prefix or full codename) pairs. "view_" on an app = view every model there.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    Role.KEY_WORKER: [
        ("participants", "view_"),
        ("participants", "add_journeyevent"),
        ("participants", "change_referral"),
        ("compliance", "view_"),
        ("performance", "view_"),
    ],
    Role.PERFORMANCE_MANAGER: [
        ("participants", "view_"),
        ("participants", "add_journeyevent"),
        ("participants", "change_referral"),
        ("participants", "add_importrun"),
        ("compliance", "view_"),
        ("compliance", "delete_standard"),
        ("compliance", "change_"),
        ("compliance", "add_"),
        ("performance", "view_"),
        ("performance", "change_"),
        ("performance", "add_"),
    ],
    Role.PARTNERSHIPS_MANAGER: [
        ("participants", "view_"),
        ("compliance", "view_"),
        ("performance", "view_"),
        ("performance", "add_"),
        ("performance", "change_"),
    ],
    Role.CONTRACT_MANAGER: [
        ("participants", "view_"),
        ("participants", "add_importrun"),
        ("participants", "change_contract"),
        ("compliance", "view_"),
        ("compliance", "add_"),
        ("compliance", "delete_standard"),
        ("compliance", "change_"),
        ("performance", "view_"),
        ("performance", "add_"),
        ("performance", "change_"),
        ("regimes", "view_"),
        ("regimes", "add_"),
        ("regimes", "change_"),
    ],
    Role.CLAIMS_OFFICER: [
        ("participants", "view_"),
        ("compliance", "view_"),
        ("performance", "view_"),
    ],
    Role.DWP_CONTACT: [
        ("participants", "view_contract"),
        ("compliance", "view_"),
        ("performance", "view_"),
        ("regimes", "view_"),
    ],
}


def sync_role_groups(**_kwargs) -> None:
    """Create or refresh one Django group per role with exactly its permissions."""
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=Role(role).label)
        wanted = Permission.objects.none()
        for app_label, code in grants:
            wanted = wanted | Permission.objects.filter(
                content_type__app_label=app_label, codename__startswith=code
            )
        group.permissions.set(wanted)


def group_for(role: str) -> Group:
    return Group.objects.get(name=Role(role).label)
