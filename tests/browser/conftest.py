"""Browser journeys: the system Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API keeps an asyncio event loop in the test thread, which trips Django's
"async-unsafe" guard on every ORM call made by the test itself; the guard is switched off here.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from marsoc.accounts.reference import load_reference_data
from marsoc.assessment.services import method_install_default
from marsoc.demo.generate import DEMO_PASSWORD, ensure_users, generate

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
TIMEOUT_MS = 10_000
SEED = 3


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); it is missing.",
            pytrace=False,
        )
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


def _new_context(browser: Browser, live_server, **options) -> BrowserContext:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh browser profile (no cookies) per test, with the site's Content-Security-Policy enforced."""
    context = _new_context(browser, live_server)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo_data(transactional_db) -> None:
    """Reference data, every demo user and 60 synthetic nominals.

    The reference rows come from a data migration, and a transactional test's flush removes them,
    so they are loaded again (idempotently) for each test.
    """
    load_reference_data()
    method_install_default()  # also emptied by the flush
    ensure_users(SEED)
    generate(nominals=60, seed=SEED, with_users=False)


def totp_code(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return f"{token:06d}"


def allow_second_sign_in(username: str) -> None:
    """django-otp refuses a code from a time step already used; forget the last one."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    device.last_t = -1
    device.save()


def sign_in(page: Page, live_server, username: str) -> None:
    """Password, then the authenticator code; ends on the home page."""
    page.goto(f"{live_server.url}/sign-in/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/code/")
    page.locator("input[name=code]").fill(totp_code(username))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#signed-in-as")).to_be_visible()


def run_axe(page: Page) -> list[dict]:
    """axe-core's violations on the current page, as the browser renders it under the site's CSP.

    `page.add_script_tag` would insert an inline <script>, which the CSP (script-src 'self') blocks;
    bypassing the CSP instead would let the page's blocked inline styles apply and change what is
    checked. Evaluating the library through the DevTools protocol is not subject to the CSP.
    """
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate("async () => (await axe.run()).violations")


def serious_violations(violations: list[dict]) -> list[str]:
    """One line per offending element (up to five per rule) of each critical or serious violation."""
    lines = []
    for violation in violations:
        if violation.get("impact") not in ("critical", "serious"):
            continue
        for node in violation["nodes"][:5]:
            detail = "; ".join(check["message"] for check in node.get("any", []) + node.get("all", []))
            lines.append(
                f"[{violation['impact']}] {violation['id']} ({violation['help']}) at {node['target']}: {detail}"
            )
    return lines


def page_problems(page: Page, name: str) -> list[str]:
    """axe's serious violations on the page as shown, then whether it is wider than the window at 320 px
    and 1,280 px (the screenshots kept as `name`-width.png for people to look at)."""
    problems = [f"{name}: {v}" for v in serious_violations(run_axe(page))]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        wide = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if wide[0] > wide[1]:
            problems.append(f"{name}: {page.url} at {width}px is {wide[0]}px wide")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def leading_number(text: str) -> int:
    match = re.match(r"\s*(\d+)\s", text)
    assert match, f"no count at the start of {text!r}"
    return int(match.group(1))
