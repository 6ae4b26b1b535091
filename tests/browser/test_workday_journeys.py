"""Each role starts on its home page and reaches its work by the queue links only; every page on the way is
axe clean and no wider than the window at 320 px and 1,280 px (the test asserts scrollWidth <= clientWidth)."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import SCREENSHOTS, allow_second_sign_in, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.flushes]

JOURNEYS = [
    ("london.manager", "referrals"),
    ("london.officer", "my-people"),
    ("partner.probation", "agency-actions"),
    ("national.analyst", "calibration-open"),
    ("inspector", "heavy-readers"),
]


def fits(page: Page, width: int, name: str) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"workday-{name}-{width}.png"), full_page=True)
    wide = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return [] if wide[0] <= wide[1] else [f"{page.url} at {width}px is {wide[0]}px wide"]


def test_each_role_follows_its_queue_from_the_home_page(page: Page, live_server, demo_data):
    problems: list[str] = []
    for username, key in JOURNEYS:
        page.context.clear_cookies()
        allow_second_sign_in(username)
        sign_in(page, live_server, username)
        expect(page.locator("#work-queues")).to_be_visible()
        problems += [f"{username} home: {v}" for v in serious_violations(run_axe(page))]
        for width in (320, 1280):
            problems += fits(page, width, f"{username}-home")
        page.locator(f"#queue-{key} a").click()
        expect(page).to_have_url(f"{live_server.url}/work/{key}/")
        problems += [f"{username} queue: {v}" for v in serious_violations(run_axe(page))]
        for width in (320, 1280):
            problems += fits(page, width, f"{username}-{key}")
        first = page.locator("#queue-table a").first
        if first.count():
            first.click()
            page.wait_for_load_state()
            problems += [f"{username} item: {v}" for v in serious_violations(run_axe(page))]
            for width in (320, 1280):
                problems += fits(page, width, f"{username}-{key}-item")
    assert not problems, "\n".join(problems)
