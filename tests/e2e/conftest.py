"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live_server.

Fixtures for every e2e test:
- `browser`: one headless Chromium per test session (CHROMIUM_PATH, default /usr/bin/chromium;
  Playwright never downloads a browser here);
- `page`: a fresh browser context and page per test, with `page.base_url` set to the live server;
- `logged_in_page(staff, next_url="/")`: logs the staff member's user in through the real login
  form at /inloggen (factories' password) and returns the page.

live_server serves static files through Django's finders (vendor/ assets from node_modules
included). Tests get a transactional database with serialized rollback, so the data that
migrations load (code lists, ZRM versions) is there in every test. Mark tests @pytest.mark.e2e.
"""
import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# test body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "geheim-wachtwoord-123"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return path if os.path.exists(path) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser(django_db_setup):
    path = _chromium_path()
    if not path:
        pytest.skip("Chromium not found: install Debian's chromium or set CHROMIUM_PATH")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps connections per async context; once Playwright's loop runs, the test code sees
    # new connection objects. Hand them the migration data serialized at set-up, for serialized rollback.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def live_app(live_server, django_db_serialized_rollback):
    """The live server, with migration-loaded data restored for this test."""
    return live_server


@pytest.fixture
def page(browser, live_app):
    context = browser.new_context(base_url=live_app.url, locale="nl-NL", viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.base_url = live_app.url
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors
    yield pg
    context.close()


def sign_in(page, staff, next_url: str = "/") -> None:
    """Sign out whoever is signed in, then sign `staff` in through the login form."""
    page.context.clear_cookies()
    page.goto(f"/inloggen?next={next_url}")
    page.fill("input[name=username]", staff.user.get_username())
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/inloggen" not in page.url, "login failed"


@pytest.fixture
def logged_in_page(page):
    """logged_in_page(staff, next_url="/") -> the page, signed in through the login form."""

    def _login(staff, next_url: str = "/"):
        sign_in(page, staff, next_url)
        return page

    return _login


AXE_URL = "/static/vendor/axe-core/axe.min.js"  # axe-core from npm, a static file: the CSP forbids inline scripts


def serious_violations(page) -> list[tuple]:
    """Run axe-core on the current page; the serious and critical violations as (id, impact, first targets)."""
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core"  # axe really ran
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
