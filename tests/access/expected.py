"""The one table of expected answers of the access matrix (test_matrix.py), keyed by URL name.

A row gives, for each HTTP method tried, a rule: for each persona (the six roles at the prime P, the
subcontractor S's performance manager and key worker, the superuser, anonymous) the answer on an object of
their own organisation and on one of another organisation (Q). Answers:

- "200", "302", "400", "405": the request got through (a form error is a 200 or a 400: allowed, bad data);
- "403": in scope, but the role may not (participants.access); "404": outside the user's scope;
- "login": sent to a login page (anonymous users; every non-superuser at the admin);
- "admitted": anything but "login" or a server error (the superuser at the admin, whose pages answer 200,
  a redirect, a 404 for the placeholder objects the matrix names, or a 403 where a model's admin is
  read-only); the admin's index says 200.

The rules are written out, not derived from `ROLE_ACTIONS`: the matrix checks the rule against this table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .world import PERSONAS, Side

Rule = dict[str, tuple[str, str]]  # persona -> (answer on their own organisation's object, on another's)

EVERYONE = frozenset(PERSONAS) - {"anonymous", "superuser"}
# DOMAIN.md 1: who records journeys, checks claims, manages the contract and imports.
RECORDERS = frozenset({"key_worker", "performance_manager", "sub_performance_manager", "sub_key_worker"})
CLAIMS = frozenset({"claims_officer"})
MANAGERS = frozenset({"performance_manager", "contract_manager"})
# Issue 13: who sees a National Insurance number unmasked (participants.roles VIEW_NINO).
NINO_VIEWERS = frozenset(
    {"key_worker", "performance_manager", "sub_performance_manager", "sub_key_worker", "claims_officer"}
)  # the prime's, never the subcontractor's
IMPORTERS = MANAGERS
DWP = frozenset({"dwp_contact"})  # named on the contract they decide for
REVIEWERS = MANAGERS | DWP  # CPRs, deep dives and go-look-sees
# DOMAIN.md 17.2: the DWP contact named on the contract decides; the prime's contract manager records for DWP.
DECIDERS = frozenset({"dwp_contact", "contract_manager"})

SAFE = ("GET",)
UNSAFE = ("POST",)
API_UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def rule(
    allowed: Iterable[str] = EVERYONE,
    ok: str = "200",
    *,
    refused: str = "403",
    outside: str = "404",
    anonymous: str = "login",
    role_first: bool = False,
) -> Rule:
    """Personas in `allowed` answer `ok` on their own organisation's object and `outside` on another's;
    the others answer `refused` there (and `outside` on another's object, or `refused` again when the
    role is checked before the scope). The superuser answers `ok` everywhere."""
    allowed = frozenset(allowed)
    table: Rule = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            table[persona] = (anonymous, anonymous)
        elif persona == "superuser":
            table[persona] = (ok, ok)
        elif persona in allowed:
            table[persona] = (ok, outside)
        else:
            table[persona] = (refused, refused if role_first else outside)
    return table


def same(answer: str, *, anonymous: str | None = None) -> Rule:
    """Everyone, anonymous users included unless said otherwise, gets `answer`."""
    return rule(EVERYONE, answer, outside=answer, anonymous=answer if anonymous is None else anonymous)


@dataclass(frozen=True)
class Row:
    """What the matrix tries at one URL: a rule per method; `pk` names the Side object a `pk` argument is;
    `data` the POST body (built from the side): by default a field no form has, so that every form is bound
    and answers its errors (an empty body leaves `Form(request.POST or None)` unbound)."""

    methods: dict[str, Rule]
    pk: str | None = None
    data: Callable[[Side], dict] = field(default=lambda side: {"submitted": "yes"})


def page(allowed: Iterable[str] = EVERYONE, ok: str = "200", **options) -> dict[str, Rule]:
    """A read-only page: POST answers as GET does (the views ignore the method)."""
    return {"GET": rule(allowed, ok, **options), "POST": rule(allowed, ok, **options)}


def form(allowed: Iterable[str], posted: str, **options) -> dict[str, Rule]:
    """A form: GET shows it to `allowed`; a POST of nothing it knows answers them `posted` (a form error,
    or a redirect where nothing is required)."""
    return {"GET": rule(allowed, **options), "POST": rule(allowed, posted, **options)}


def post_only(allowed: Iterable[str], posted: str) -> dict[str, Rule]:
    """A view that takes POST only: GET is a 405 to any login, before anything is looked up."""
    return {"GET": rule(EVERYONE, "405", outside="405"), "POST": rule(allowed, posted)}


def api(ok: str) -> dict[str, Rule]:
    """An MI API endpoint: read-only (405 for the unsafe methods once authenticated); no credentials: 403."""
    methods = {"GET": rule(EVERYONE, ok, anonymous="403")}
    methods.update({m: rule(EVERYONE, "405", outside="405", anonymous="403") for m in API_UNSAFE})
    return methods


WORKSPACE_FORM = form(RECORDERS, "200")  # the form again, with its errors

# KPI ratings and PIPs (DOMAIN.md 11): the matrix's ratings are the contract's (P) and the subcontractor's
# (S). Key workers see only their own rating, partnerships managers their subcontractors' units; the prime's
# managers act on them (a subcontractor's managers never do).
KPI_VIEWERS = frozenset(
    {"performance_manager", "contract_manager", "claims_officer", "dwp_contact", "sub_performance_manager"}
)


LADDER_VIEWERS = frozenset({"partnerships_manager", "contract_manager", "sub_performance_manager"})
# KPI targets (issue 12): the prime's managers set every unit's, a partnerships manager their
# subcontractors' (performance.kpis.targets.selectors.settable); a POST without an action or a file: 400.
TARGET_SETTERS = MANAGERS | {"partnerships_manager"}


def kpi_action(posted: str) -> dict[str, Rule]:
    """A POST the prime's managers may make on a rating or PIP they see; other viewers 403, the rest 404."""
    table = {**rule(KPI_VIEWERS, "403", refused="404"), "superuser": (posted, posted)}
    table.update({persona: (posted, "404") for persona in MANAGERS})
    return table


EXPECTED: dict[str, Row] = {
    # The site.
    "health": Row({"GET": same("200"), "POST": same("200")}),
    "login": Row({"GET": same("200"), "POST": same("200")}),
    "logout": Row({"GET": same("405"), "POST": same("login")}),
    # The schema and its documentation: signed-in callers only (the schema answers 403, the docs send a
    # visitor to the login page).
    "schema": Row({"GET": same("200", anonymous="403"), "POST": same("405", anonymous="403")}),
    "api-docs": Row({"GET": same("200", anonymous="login"), "POST": same("405", anonymous="login")}),
    "home": Row(page()),
    "contract-list": Row(page()),
    "contract-detail": Row(page()),
    "referral-list": Row(page()),
    "caseload": Row(page()),
    "team-caseload": Row(page()),
    # Participants and the workspace (DOMAIN.md 1: key workers and performance managers record).
    "participant-detail": Row(page(), pk="participant"),
    "participant-section": Row(page(), pk="participant"),
    "evidence-download": Row(page(), pk="evidence"),
    # The person (issue 13): the recorders edit names and contact details; the NINO to those who need it.
    "participant-edit": Row(form(RECORDERS, "302"), pk="participant"),  # every field optional: saves
    "participant-nino": Row(page(NINO_VIEWERS), pk="participant"),
    "contract-support": Row(page()),
    "support-record": Row(WORKSPACE_FORM),
    "job-end": Row(WORKSPACE_FORM, pk="job"),
    "job-change": Row(WORKSPACE_FORM, pk="job"),
    "exit-record": Row(WORKSPACE_FORM),
    "exit-report": Row(WORKSPACE_FORM),
    "action-plan": Row(page()),
    "action-plan-pdf": Row(page()),
    "appointment-book": Row(WORKSPACE_FORM),
    "appointment-rebook": Row(WORKSPACE_FORM, pk="appointment"),
    "appointment-cancel": Row(WORKSPACE_FORM, pk="appointment"),
    "appointment-outcome": Row(WORKSPACE_FORM, pk="appointment"),
    "follow-up-done": Row(WORKSPACE_FORM, pk="follow_up"),
    "psg-move": Row(WORKSPACE_FORM),
    "job-start": Row(WORKSPACE_FORM),
    "earnings-milestone": Row(WORKSPACE_FORM),
    "in-work-contact": Row(WORKSPACE_FORM),
    "note-add": Row(WORKSPACE_FORM),
    "evidence-upload": Row(WORKSPACE_FORM),
    "complaint-record": Row(WORKSPACE_FORM),
    "eligibility-check-record": Row(WORKSPACE_FORM),
    "placement-sourced-record": Row(WORKSPACE_FORM),
    "action-plan-edit": Row(WORKSPACE_FORM),
    "action-plan-review": Row(post_only(RECORDERS, "200")),
    # Claims officers check claims; a checklist with nothing ticked saves and returns to the page.
    "claim-checklist": Row(form(CLAIMS, "302")),
    # Imports: the role is asked before the run is looked up.
    "import-list": Row(page(IMPORTERS, role_first=True)),
    "import-new": Row(form(IMPORTERS, "200", role_first=True)),
    "import-detail": Row(page(IMPORTERS, role_first=True), pk="import_run"),
    # Compliance: everyone in scope reads; the prime's managers write (empty forms: 400).
    "compliance:standards": Row(page()),
    "compliance:standing": Row(page()),
    "compliance:failing-items": Row(page()),
    "compliance:due-soon": Row(page()),
    "compliance:assurance": Row(page()),
    "compliance:tender-standard-new": Row(form(MANAGERS, "400")),
    "compliance:tender-standard-edit": Row(form(MANAGERS, "400"), pk="tender"),
    "compliance:tender-standard-delete": Row(post_only(MANAGERS, "302"), pk="tender"),
    "compliance:cmo-sample-new": Row(form(MANAGERS, "400")),
    "compliance:cmo-sample": Row(
        {"GET": rule(), "POST": rule(MANAGERS, "302")},
        pk="sample",
        data=lambda side: {"record": side.record.pk},
    ),
    "compliance:cmo-sample-export": Row(page(), pk="sample"),
    "compliance:pat-new": Row(form(MANAGERS, "400")),
    "compliance:pat-edit": Row(form(MANAGERS, "400"), pk="pat"),
    "compliance:round-new": Row(form(MANAGERS, "400")),
    "compliance:round-edit": Row(form(MANAGERS, "400"), pk="round"),
    # Performance: the drill-down without a measure is a 400, after the scope.
    "performance:contract": Row(page()),
    "performance:standing": Row(page()),
    "performance:units": Row(page()),
    "performance:referrals": Row(page(ok="400")),
    # Provider action plans (DOMAIN.md 17.8): everyone in scope reads, the prime's managers write, the DWP
    # contact named on the contract decides. The matrix's plan is approved: submitting it again is refused
    # with a message (302 back to the plan).
    "regimes:plans": Row(page()),
    "regimes:plan": Row(page(), pk="plan"),
    "regimes:plan-letter": Row(page(), pk="plan"),
    "regimes:plan-new": Row(form(MANAGERS, "400")),
    "regimes:plan-action-new": Row(form(MANAGERS, "400"), pk="plan"),
    "regimes:plan-flight-path": Row(form(MANAGERS, "400"), pk="plan"),
    "regimes:plan-meeting": Row(form(MANAGERS, "400"), pk="plan"),
    "regimes:plan-submit": Row(post_only(MANAGERS, "302"), pk="plan"),
    "regimes:plan-decide": Row(form(DWP, "400"), pk="plan"),
    "regimes:release-new": Row(form(MANAGERS, "400")),
    # CPRs and deep dives: kept by the DWP contact named on the contract or the prime's managers.
    "regimes:cpr": Row(page(), pk="cpr"),
    "regimes:cpr-report": Row(page(), pk="cpr"),
    "regimes:cpr-new": Row(form(REVIEWERS, "400")),
    "regimes:cpr-edit": Row(form(REVIEWERS, "400"), pk="cpr"),
    "regimes:cpr-hold": Row(post_only(REVIEWERS, "302"), pk="cpr"),
    "regimes:cpr-question": Row(form(REVIEWERS, "400"), pk="cpr"),
    "regimes:cpr-action-point": Row(form(REVIEWERS, "400"), pk="cpr"),
    "regimes:question-answer": Row(form(REVIEWERS, "400"), pk="question"),
    "regimes:action-point": Row(form(REVIEWERS, "400"), pk="action_point"),
    "regimes:deep-dive": Row(page(), pk="deep_dive"),
    "regimes:deep-dive-letter": Row(page(), pk="deep_dive"),
    "regimes:deep-dive-new": Row(form(REVIEWERS, "400")),
    "regimes:deep-dive-edit": Row(form(REVIEWERS, "400"), pk="deep_dive"),
    "regimes:deep-dive-follow-up": Row(form(REVIEWERS, "400"), pk="deep_dive"),
    # Regimes: everyone in scope reads; the deciders decide and dismiss (empty forms: 400). The calendar
    # feed needs no login: its token is the key (an unknown one: 404 for everyone).
    "regimes:regime": Row(page()),
    "regimes:standing": Row(page()),
    "regimes:decide": Row(post_only(DECIDERS, "400")),
    "regimes:dismiss": Row(post_only(DECIDERS, "400")),
    "regimes:due-contract": Row(page()),
    "regimes:timeline": Row(page()),
    "regimes:due-mine": Row(page()),
    "regimes:feed-rotate": Row(post_only(EVERYONE, "302")),
    "regimes:feed": Row({"GET": same("404"), "POST": same("404")}),
    "api-contract-regime": Row(api("200")),
    "api-contract-recommendations": Row(api("200")),
    "api-contract-obligations": Row(api("200")),
    "api-contract-decisions": Row(
        {
            "GET": rule(EVERYONE, "405", outside="405", anonymous="403"),
            "POST": rule(DECIDERS, "400", anonymous="403"),
            **{m: rule(EVERYONE, "405", outside="405", anonymous="403") for m in ("PUT", "PATCH", "DELETE")},
        }
    ),
    "performance:kpi-ratings": Row(page()),
    "performance:kpi-scores": Row(page()),
    # Everyone who sees the contract lists the PIPs they look after; its managers (a partnerships manager:
    # for their subcontractors) raise one by hand, an empty form being a 400.
    "performance:pip-list": Row(
        {
            "GET": rule(),
            "POST": {
                **rule(EVERYONE, "403"),
                "superuser": ("400", "400"),
                **{persona: ("400", "404") for persona in (*MANAGERS, "partnerships_manager")},
            },
        }
    ),
    "performance:kpi-rating": Row(page(KPI_VIEWERS, refused="404"), pk="rating"),
    "performance:kpi-referrals": Row(page(KPI_VIEWERS, "400", refused="404"), pk="rating"),
    "performance:kpi-rating-accept": Row(
        {"GET": rule(EVERYONE, "405", outside="405"), "POST": kpi_action("302")}, pk="rating"
    ),
    "performance:kpi-rating-dismiss": Row(
        {"GET": rule(EVERYONE, "405", outside="405"), "POST": kpi_action("400")}, pk="rating"
    ),
    "performance:pip-detail": Row(
        {"GET": rule(KPI_VIEWERS, refused="404"), "POST": kpi_action("400")}, pk="pip"
    ),
    # The prime's KPI definitions (issue 12): everyone in scope reads them, the prime's managers add and edit.
    "performance:kpi-definitions": Row({"GET": rule(), "POST": rule(MANAGERS, "400")}),
    "performance:kpi-definition-edit": Row(form(MANAGERS, "400"), pk="definition"),
    "performance:kpi-targets": Row(form(TARGET_SETTERS, "400")),
    "performance:kpi-targets-upload": Row(post_only(TARGET_SETTERS, "400")),
    # The MI API: required parameters left out are 400s, after the scope.
    "api-contract-list": Row(api("200")),
    "api-contract-standards": Row(api("400")),
    "api-contract-standard-failures": Row(api("400")),
    "api-contract-performance": Row(api("400")),
    "api-contract-cohorts": Row(api("200")),
    "api-contract-assessments": Row(api("400")),
    "api-contract-kpis": Row(api("400")),
    # The subcontractor ladder: those who see the subcontractor's units; its partnerships manager acts.
    "regimes:subcontractor-measures": Row(
        {
            "GET": rule(LADDER_VIEWERS, refused="404"),
            "POST": {
                **rule(LADDER_VIEWERS, "403", refused="404"),
                "partnerships_manager": ("400", "404"),
                "superuser": ("400", "400"),
            },
        },
        pk="subcontractor",
    ),
    # The imports API (DATA.md): the prime's managers only, the role asked first; no credentials: 403.
    "api-import-list": Row(
        {
            "GET": rule(IMPORTERS, role_first=True, anonymous="403"),
            "POST": rule(IMPORTERS, "400", role_first=True, anonymous="403"),
        }
    ),
    "api-import-detail": Row(
        {
            "GET": rule(IMPORTERS, role_first=True, anonymous="403"),
            "POST": rule(IMPORTERS, "405", outside="405", role_first=True, anonymous="403"),
        },
        pk="import_run",
    ),
    # Issue notices (DOMAIN.md 12): everyone in scope reads them; the prime's managers write, send and resend.
    "regimes:notices": Row(page()),
    "regimes:notice-new": Row(form(MANAGERS, "400")),
    "regimes:notice": Row(page(), pk="notice"),
    "regimes:notice-send": Row(post_only(MANAGERS, "302"), pk="notice"),
    "regimes:notice-resend": Row(post_only(MANAGERS, "302"), pk="notice"),
    "api-contract-notices": Row(
        {
            "GET": rule(EVERYONE, anonymous="403"),
            "POST": rule(MANAGERS, "400", anonymous="403"),
            **{m: rule(EVERYONE, "405", outside="405", anonymous="403") for m in ("PUT", "PATCH", "DELETE")},
        }
    ),
    "api-contract-notice": Row(api("200"), pk="notice"),
    # Signing in: every login's own security page; its forms answer an empty post with their errors.
    "two-factor": Row({"GET": rule(ok="302"), "POST": rule(ok="302")}),
    "security": Row(page()),
    "security-enrol": Row(post_only(EVERYONE, "302")),
    "security-confirm": Row(post_only(EVERYONE, "400")),
    "security-remove": Row(post_only(EVERYONE, "400")),
    "password-change": Row(form(EVERYONE, "200")),
}

# The admin is for support staff only (participants.adminsite): one rule for every page of it, so a model
# registered later is covered as it appears. Its login and logout pages are everyone's.
ADMIN_ONLY = {method: rule((), "admitted", refused="login", outside="login") for method in ("GET", "POST")}
LOGOUT = {"GET": "405", "POST": "login"}
ADMIN_ROWS: list[tuple[re.Pattern, Row]] = [
    (
        re.compile(r"^admin:login$"),
        Row({"GET": {**same("200"), "superuser": ("302", "302")}, "POST": same("200")}),
    ),
    # Logging out of the admin: the superuser (GET: 405, POST: out, to the login page); anyone else is sent
    # to the admin's index, which sends them on to its login page.
    (
        re.compile(r"^admin:logout$"),
        Row({m: {**same("302"), "superuser": (a, a)} for m, a in LOGOUT.items()}),
    ),
    (
        re.compile(r"^admin:index$"),
        Row({"GET": {**ADMIN_ONLY["GET"], "superuser": ("200", "200")}, "POST": ADMIN_ONLY["POST"]}),
    ),
    (re.compile(r"^admin:"), Row(ADMIN_ONLY)),  # named pages: index, app lists, every model's views
    (re.compile(r"^admin/"), Row(ADMIN_ONLY)),  # unnamed: an object's short URL, the catch-all
]


def row_for(key: str) -> Row | None:
    """The row of a URL pattern (its name, or its route when it has none)."""
    if key in EXPECTED:
        return EXPECTED[key]
    return next((row for pattern, row in ADMIN_ROWS if pattern.search(key)), None)
