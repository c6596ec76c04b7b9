import pytest


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
