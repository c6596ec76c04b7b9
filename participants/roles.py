"""The roles of DOMAIN.md section 1: what each may do (`ROLE_ACTIONS`, the one table of it), and the Django
groups carrying the matching model permissions for the admin.

Groups are (re)built after every migrate, so a new permission reaches its roles without a hand edit.
Scoping (what rows a role sees) is `visible_to`; `participants.access` asks both for every request.
"""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission

from .choices import Role


class Action(StrEnum):
    """What a user may do to a thing in their scope."""

    VIEW = "view"  # see it: pages, the API, exports
    RECORD_JOURNEY = "record_journey"  # the workspace: appointments, plans, PSGs, jobs, evidence, notes
    CHECK_CLAIMS = "check_claims"  # claim checklists before a claim goes to DWP
    MANAGE_CONTRACT = "manage_contract"  # standards, validation rounds, assurance records, regime records
    IMPORT = "import"  # upload bundles
    MANAGE_SUBCONTRACTORS = "manage_subcontractors"  # subcontractor performance, PIPs and measures
    RECORD_DECISION = "record_decision"  # DWP's regime decisions


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.KEY_WORKER: frozenset({Action.VIEW, Action.RECORD_JOURNEY}),
    Role.PERFORMANCE_MANAGER: frozenset(
        {Action.VIEW, Action.RECORD_JOURNEY, Action.MANAGE_CONTRACT, Action.IMPORT}
    ),
    Role.PARTNERSHIPS_MANAGER: frozenset({Action.VIEW, Action.MANAGE_SUBCONTRACTORS}),
    Role.CONTRACT_MANAGER: frozenset({Action.VIEW, Action.MANAGE_CONTRACT, Action.IMPORT}),
    Role.CLAIMS_OFFICER: frozenset({Action.VIEW, Action.CHECK_CLAIMS}),
    Role.DWP_CONTACT: frozenset({Action.VIEW, Action.RECORD_DECISION}),
}
# Taken only on the user's own prime's contracts: a subcontractor's managers never manage or import.
PRIME_ACTIONS = frozenset({Action.MANAGE_CONTRACT, Action.IMPORT})

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
