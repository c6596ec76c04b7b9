import re
from urllib.parse import urlsplit

import pytest

# Recorded in every page of every browser context before the page's own scripts run: a content security
# policy violation becomes a report to the test (exposed binding below), whatever page it happens on.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__reportCspViolation(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} `
    + `on ${e.documentURI} (${e.sourceFile || "?"}:${e.lineNumber}) ${e.sample || ""}`);
});
"""
# The browser logs an HTTP answer of 4xx to a fetch as an error: a test that expects one (a refused upload,
# a 403) checks the answer itself. A 4xx for a static file, or any 5xx, is still a failure.
EXPECTED_HTTP_ERROR = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


def _watch(context, problems: list[str]) -> None:
    context.expose_binding("__reportCspViolation", lambda _source, text: problems.append(f"CSP: {text}"))
    context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if EXPECTED_HTTP_ERROR.search(message.text) and not urlsplit(url).path.startswith("/static/"):
            return
        problems.append(f"console error: {message.text} at {url}")

    context.on("console", on_console)
    context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))


@pytest.fixture(autouse=True)
def browser_problems(browser, monkeypatch):
    """Fail any browser test whose pages broke the content security policy, logged an error to the console
    or threw: every context the test opens (pytest-playwright's `page`, or `browser.new_context()`) is
    watched."""
    problems: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        _watch(context, problems)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield problems
    assert not problems, "the browser reported:\n" + "\n".join(problems)


@pytest.fixture
def login(page, live_server):
    """Log in through the real login form; returns the page."""

    def _login(username: str, password: str = "pass"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return _login


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    """Let a test's page finish what it asked the live server for (an htmx section still loading) before
    the fixtures are torn down: a request still running while the database is flushed can deadlock it."""
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if page is not None and not page.is_closed():
        try:
            page.wait_for_load_state("networkidle", timeout=5_000)
        except Exception:  # noqa: BLE001 - a page that never settles is the test's own failure, not teardown's
            pass
    yield
