"""The access matrix (issue 10): every URL pattern of the resolver (pages, htmx partials, exports, the API,
the admin) x every persona (the six roles, a subcontractor's staff, the superuser, anonymous) x an object of
the persona's own organisation and one of another's, for GET and the unsafe methods, against the one table
of expected answers in expected.py. A URL pattern without a row there fails the suite, naming it.

Fast by construction: the world is built once for the module (its rows kept in a transaction rolled back
at the end), each persona's client logs in once, and every request runs in a savepoint rolled back after
it, so a POST that succeeds changes nothing the next request sees.
"""

from __future__ import annotations

import copy
import re

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from .expected import EXPECTED, Row, row_for
from .world import PERSONA_SIDE, PERSONAS, TENDER_CODE, AccessWorld, Side, build_access_world

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
# Placeholders for the admin's own arguments (object ids, history versions: "0", no such row): it is one
# rule whatever the object (expected.ADMIN_ROWS).
ADMIN_ARGUMENTS = {"content_type_id": "1", "app_label": "participants", "url": "nowhere/"}
ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """(key, route, pattern) of every URL pattern, recursively: the key is the namespaced name, or the
    route for a pattern without a name."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else route.replace("^", "")), route, pattern


PATTERNS = sorted({key: (key, route, pattern) for key, route, pattern in url_patterns()}.values())


def parameters(pattern: URLPattern) -> list[str]:
    """The pattern's argument names; positional groups of a regex (simple_history's admin) as "0", "1"."""
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return list(converters)
    regex = pattern.pattern.regex
    return list(regex.groupindex) or [str(n) for n in range(regex.groups)]


def arguments(key: str, name: str, row: Row, side: Side) -> str | int:
    if key.startswith("admin"):
        return ADMIN_ARGUMENTS.get(name, "0")
    values = {
        "ref": side.contract.ref,
        "contract_ref": side.contract.ref,
        "referral_id": side.referral.pk,
        "event_id": side.claim.pk,
        "code": TENDER_CODE,
        "section": "jobs",
        "token": "no-such-feed-token",
    }
    if name == "pk":
        return getattr(side, row.pk or "referral").pk
    return values[name]


def address(key: str, route: str, pattern: URLPattern, row: Row, side: Side) -> str:
    kwargs = {name: arguments(key, name, row, side) for name in parameters(pattern)}
    if pattern.name and all(name.isdigit() for name in kwargs) and kwargs:
        return reverse(key, args=list(kwargs.values()))
    if pattern.name:
        return reverse(key, kwargs=kwargs)
    # An unnamed pattern (the admin's): its route with the arguments put in.
    filled = ROUTE_ARGUMENT.sub(lambda m: str(kwargs[m.group(1) or m.group(2)]), route)
    return "/" + filled.replace("^", "").replace("$", "")


def answer(response) -> str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        return "login" if location.split("?")[0].endswith(LOGIN_PATHS) else "302"
    return str(response.status_code)


def matches(expected: str, got: str) -> bool:
    if expected == "admitted":
        return got != "login" and not got.startswith("5")
    return expected == got


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world and a logged-in client per persona, kept for the module and rolled back after it. Sessions
    in signed cookies: a request reads no session row (the rule never looks at the session)."""
    signed = override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
    with django_db_blocker.unblock(), transaction.atomic(), signed:
        built = build_access_world()
        clients = {}
        for persona, user in built.users.items():
            clients[persona] = Client(raise_request_exception=False)
            if user is not None:
                clients[persona].force_login(user)
        yield built, clients
        transaction.set_rollback(True)


def request(client: Client, method: str, url: str, data: dict) -> str:
    """One request in a savepoint rolled back after it; the client's cookies as they were (a logout, say,
    ends nothing for the next request)."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            elif method == "POST":
                response = client.post(url, data)
            else:
                response = client.generic(method, url)
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return answer(response)


def missing_rows(patterns) -> list[str]:
    return [f"{key} ({route})" for key, route, _ in patterns if row_for(key) is None]


def test_every_url_pattern_has_a_row():
    missing = missing_rows(PATTERNS)
    assert not missing, "URL patterns without a row in tests/access/expected.py:\n" + "\n".join(missing)


def test_a_url_added_without_a_row_is_named():
    added = [path("reports/<int:pk>/", lambda request, pk: None, name="report-detail")]
    assert missing_rows(url_patterns(added)) == ["report-detail (reports/<int:pk>/)"]


def test_every_row_is_a_url_pattern():
    keys = {key for key, _, _ in PATTERNS}
    assert not sorted(set(EXPECTED) - keys), "rows for URLs that no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "route", "pattern"), PATTERNS, ids=[key for key, _, _ in PATTERNS])
def test_url_answers_every_persona_as_the_table_says(world, key, route, pattern):
    built, clients = world
    built: AccessWorld
    row = row_for(key)
    if row is None:
        pytest.fail(f"{key} ({route}) has no row in tests/access/expected.py")
    scoped = bool(parameters(pattern)) and not key.startswith("admin")
    wrong = []
    for method, table in row.methods.items():
        for persona in PERSONAS:
            sides = [(0, PERSONA_SIDE[persona]), (1, "Q")] if scoped else [(0, PERSONA_SIDE[persona])]
            for position, side_name in sides:
                side = built.sides[side_name]
                url = address(key, route, pattern, row, side)
                data = row.data(side) if method == "POST" else {}
                got = request(clients[persona], method, url, data)
                expected = table[persona][position]
                if not matches(expected, got):
                    whose = "own" if position == 0 else "other"
                    wrong.append(f"{method} {url} as {persona} ({whose}): expected {expected}, got {got}")
    assert not wrong, f"{key}:\n" + "\n".join(wrong)
