"""The roles of DOMAIN.md section 1: what each may do (`ROLE_ACTIONS`, the one table of it), and the Django
groups carrying the model permissions those actions imply (`ACTION_PERMISSIONS`), derived from that table so
the two can never disagree.

Groups are (re)built after every migrate, so a new permission reaches its roles without a hand edit.
Scoping (what rows a role sees) is `visible_to`; `participants.access` asks both for every request. No view
asks for a model permission: they exist for the admin's own bookkeeping and for reports of who holds what.
"""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .choices import Role


class Action(StrEnum):
    """What a user may do to a thing in their scope."""

    VIEW = "view"  # see it: pages, the API, exports
    RECORD_JOURNEY = "record_journey"  # the workspace: appointments, plans, PSGs, jobs, evidence, notes
    CHECK_CLAIMS = "check_claims"  # claim checklists before a claim goes to DWP
    MANAGE_CONTRACT = "manage_contract"  # standards, validation rounds, assurance records, regime records
    IMPORT = "import"  # upload bundles
    MANAGE_SUBCONTRACTORS = "manage_subcontractors"  # subcontractor performance, PIPs and measures
    RECORD_DECISION = "record_decision"  # DWP's regime decisions (a DWP contact named on the contract)
    RECORD_DECISION_FOR_DWP = "record_decision_for_dwp"  # a decision DWP sent by letter (the prime's side)
    VIEW_NINO = "view_nino"  # the participant's National Insurance number unmasked (each view is logged)
    ADMINISTER = "administer"  # the admin site: support staff (superusers) only, no role holds it


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.KEY_WORKER: frozenset({Action.VIEW, Action.RECORD_JOURNEY, Action.VIEW_NINO}),
    Role.PERFORMANCE_MANAGER: frozenset(
        {Action.VIEW, Action.RECORD_JOURNEY, Action.MANAGE_CONTRACT, Action.IMPORT, Action.VIEW_NINO}
    ),
    Role.PARTNERSHIPS_MANAGER: frozenset({Action.VIEW, Action.MANAGE_SUBCONTRACTORS}),
    Role.CONTRACT_MANAGER: frozenset(
        {Action.VIEW, Action.MANAGE_CONTRACT, Action.IMPORT, Action.RECORD_DECISION_FOR_DWP}
    ),
    Role.CLAIMS_OFFICER: frozenset({Action.VIEW, Action.CHECK_CLAIMS, Action.VIEW_NINO}),
    Role.DWP_CONTACT: frozenset({Action.VIEW, Action.RECORD_DECISION}),
}
# Roles at a prime whose view of a contract's figures (performance page and API) is the slice of their
# referral scope's organisations, not the whole contract (participants.access.figure_organisations):
# partnerships managers see their own organisation's and their assigned subcontractors' figures.
SLICED_FIGURE_ROLES = frozenset({Role.PARTNERSHIPS_MANAGER})

# Taken only on the user's own prime's contracts: a subcontractor's managers never manage or import.
PRIME_ACTIONS = frozenset({Action.MANAGE_CONTRACT, Action.IMPORT, Action.RECORD_DECISION_FOR_DWP})

# What the key workers write in the workspace (participants/models/workspace.py), by model name.
_WORKSPACE_MODELS = (
    "appointment",
    "followuptask",
    "actionplan",
    "smartgoal",
    "actionplanversion",
    "actionplanreview",
    "jobdetail",
    "supportrecord",
    "inworksupportcontact",
    "evidencedocument",
    "note",
)

# The model permissions each action implies: (app_label, codename or codename prefix). "view_" on an app is
# every model there, so a model added later reaches the roles that see it.
ACTION_PERMISSIONS: dict[Action, tuple[tuple[str, str], ...]] = {
    Action.VIEW: tuple((app, "view_") for app in ("participants", "compliance", "performance", "regimes")),
    Action.RECORD_JOURNEY: (
        ("participants", "add_journeyevent"),
        ("participants", "change_referral"),
        ("participants", "change_participant"),  # names and contact details
        *(("participants", f"{verb}_{model}") for model in _WORKSPACE_MODELS for verb in ("add", "change")),
    ),
    Action.CHECK_CLAIMS: (("participants", "add_claimchecklist"), ("participants", "change_claimchecklist")),
    Action.MANAGE_CONTRACT: (
        ("participants", "change_contract"),
        ("participants", "add_validationround"),
        ("participants", "change_validationround"),
        ("compliance", "add_"),
        ("compliance", "change_"),
        ("compliance", "delete_standard"),
        ("performance", "add_"),
        ("performance", "change_"),
        ("regimes", "add_"),
        ("regimes", "change_"),
    ),
    Action.IMPORT: (("participants", "add_importrun"),),
    # Internal PIPs live in performance, subcontractor measures in regimes (STYLE.md, the house).
    Action.MANAGE_SUBCONTRACTORS: (
        ("performance", "add_"),
        ("performance", "change_"),
        ("regimes", "add_subcontractor"),
        ("regimes", "change_subcontractor"),
    ),
    Action.RECORD_DECISION: (("regimes", "add_decision"), ("regimes", "change_recommendation")),
    Action.RECORD_DECISION_FOR_DWP: (("regimes", "add_decision"), ("regimes", "change_recommendation")),
    Action.VIEW_NINO: (),  # no model permission: a field of a model every role views, asked of access.can
    Action.ADMINISTER: (),
}


def role_permissions(role: Role):
    """The model permissions of a role: those of each of its actions (a queryset of Permission)."""
    grants = Q(pk__in=[])
    for action in ROLE_ACTIONS[role]:
        for app_label, code in ACTION_PERMISSIONS[action]:
            grants |= Q(content_type__app_label=app_label, codename__startswith=code)
    return Permission.objects.filter(grants)


def sync_role_groups(**_kwargs) -> None:
    """Create or refresh one Django group per role with exactly its permissions."""
    for role in ROLE_ACTIONS:
        group, _ = Group.objects.get_or_create(name=role.label)
        group.permissions.set(role_permissions(role))


def group_for(role: str) -> Group:
    return Group.objects.get(name=Role(role).label)
