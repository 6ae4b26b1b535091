"""Each role starts on its home page and completes its top task by the queue links only (and the controls
of the pages they lead to); every page on the way is axe clean and no wider than the window at 320 px and
1,280 px (the test asserts scrollWidth <= clientWidth). Each journey checks the task was really done: the
record changed and the home page's count moved.

- Hub manager: decides the oldest referral (not adopted, with a rationale).
- Hub officer: records a contact with one of their people, seen in the person's chronology.
- Partner officer: agrees a plan on behalf of the agency.
- National analyst: closes the open calibration exercise and reads its results.
- Inspector: follows a heavy reader into the audit log and exports that user's entries as evidence.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from marsoc.accounts.models import User
from marsoc.assessment.models import CalibrationExercise, CalibrationStatus
from marsoc.casework.models import CaseNote
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import MembershipState
from marsoc.plans.models import Agreement

from .conftest import allow_second_sign_in, leading_number, page_problems, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.flushes]

PROBLEMS: list[str] = []


def checked(page: Page, name: str) -> None:
    """axe on the page as shown, then its width at 320 px and 1,280 px (screenshots kept for people)."""
    PROBLEMS.extend(page_problems(page, f"workday-{name}"))


def start(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    allow_second_sign_in(username)
    sign_in(page, live_server, username)
    expect(page.locator("#work-queues")).to_be_visible()
    checked(page, f"{username}-home")


def count(page: Page, key: str) -> int:
    return leading_number(page.locator(f"#queue-{key}").inner_text())


def open_queue(page: Page, live_server, username: str, key: str) -> None:
    page.locator(f"#queue-{key} a").click()
    expect(page).to_have_url(f"{live_server.url}/work/{key}/")
    checked(page, f"{username}-{key}")


def first_item(page: Page) -> None:
    page.locator("#queue-table a").first.click()
    page.wait_for_load_state()


def state_purpose(page: Page, purpose: str = "case_management") -> None:
    """The s.62 purpose asked before a person's record opens (once per record and session)."""
    if "/purpose/" in page.url:
        page.locator(f"input[name=purpose][value={purpose}]").check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def take_first(page: Page, live_server, username: str, key: str) -> int:
    """Home page, the queue, its oldest item (stating a purpose if asked); the count before."""
    start(page, live_server, username)
    before = count(page, key)
    assert before > 0, f"the demo gives {username} something in {key}"
    open_queue(page, live_server, username, key)
    first_item(page)
    state_purpose(page)
    return before


def person_id(page: Page) -> int:
    found = re.search(r"/cohort/(\d+)/", page.url)
    assert found, page.url
    return int(found.group(1))


def back_home(page: Page, live_server) -> None:
    page.get_by_role("link", name="MARSOC Hub").click()
    expect(page).to_have_url(f"{live_server.url}/")


def hub_manager_decides_a_referral(page: Page, live_server) -> None:
    before = take_first(page, live_server, "london.manager", "referrals")
    expect(page).to_have_url(re.compile(r"/cohort/\d+/membership/$"))
    pk = person_id(page)
    checked(page, "london.manager-decide")
    page.get_by_label("Exited", exact=True).check()
    page.get_by_label("Reason for exit").select_option(label="Referral not adopted")
    page.get_by_label("Rationale").fill(
        "Below the threshold for the cohort after the hub's review (synthetic)."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("membership has been changed")
    person = Nominal.objects.get(pk=pk)
    assert person.membership_state == MembershipState.EXITED
    assert person.membership_changes.filter(
        to_state=MembershipState.EXITED, exit_reason="not_adopted"
    ).exists()
    back_home(page, live_server)
    assert count(page, "referrals") == before - 1


def hub_officer_records_a_contact(page: Page, live_server) -> None:
    take_first(page, live_server, "london.officer", "my-people")
    expect(page.locator("#person-subnav")).to_be_visible()
    person = Nominal.objects.get(pk=person_id(page))
    checked(page, "london.officer-person")
    page.locator("#notes-link").click()
    page.locator("#record-contact").click()
    checked(page, "london.officer-record-contact")
    page.get_by_label("Licence appointment").check()
    today = page.evaluate(
        "() => { const d = new Date(); return [d.getDate(), d.getMonth() + 1, d.getFullYear()] }"
    )
    page.get_by_label("Day").fill(str(today[0]))
    page.get_by_label("Month").fill(str(today[1]))
    page.get_by_label("Year").fill(str(today[2]))
    page.get_by_label("Attended").check()
    page.get_by_label("What happened").fill(
        "Attended on time; discussed the curfew and a new job offer (synthetic)."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    note = CaseNote.objects.filter(nominal=person, author__username="london.officer").order_by("-pk").first()
    assert note is not None and "new job offer" in note.text
    page.locator("#chronology-link").click()
    expect(page.locator("main")).to_contain_text("new job offer")
    checked(page, "london.officer-chronology")


def partner_agrees_a_plan(page: Page, live_server) -> None:
    before = take_first(page, live_server, "partner.probation", "agency-agreements")
    expect(page).to_have_url(re.compile(r"/cohort/\d+/plan/agree/$"))
    checked(page, "partner.probation-agree")
    page.get_by_role("button", name=re.compile(r"^Agree version")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("You have agreed version")
    probation = User.objects.get(username="partner.probation")
    assert Agreement.objects.filter(agency_id=probation.agency_id, representative=probation).exists()
    back_home(page, live_server)
    assert count(page, "agency-agreements") == before - 1


def national_analyst_closes_a_calibration(page: Page, live_server) -> None:
    start(page, live_server, "national.analyst")
    assert count(page, "calibration-open") > 0
    open_queue(page, live_server, "national.analyst", "calibration-open")
    first_item(page)
    exercise = CalibrationExercise.objects.get(pk=int(re.search(r"/calibration/(\d+)/", page.url).group(1)))  # type: ignore[union-attr]
    checked(page, "national.analyst-exercise")
    page.get_by_role("button", name="Close the exercise").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("the results are ready")
    exercise.refresh_from_db()
    assert exercise.status == CalibrationStatus.CLOSED
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("results")
    checked(page, "national.analyst-results")
    back_home(page, live_server)
    assert count(page, "calibration-open") == 0


def inspector_exports_a_heavy_readers_entries(page: Page, live_server) -> None:
    start(page, live_server, "inspector")
    assert count(page, "heavy-readers") > 0, "the demo starts with an audit anomaly to look into"
    assert count(page, "reused-purposes") > 0
    open_queue(page, live_server, "inspector", "heavy-readers")
    first_item(page)
    expect(page).to_have_url(re.compile(r"/audit/\?user="))
    checked(page, "inspector-audit-log")
    who = {cells.inner_text() for cells in page.locator("#audit-table tbody tr td:nth-child(5)").all()}
    assert len(who) == 1, f"the log filtered by the anomaly's user shows {who}"
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows, "the export holds the user's entries"
    assert {r["Who"] for r in rows} == who
    assert all(r["Action"] and r["Action"] != r["Action code"] for r in rows), "actions in words"


def test_each_role_completes_its_top_task_from_the_home_page(page: Page, live_server, demo_data):
    PROBLEMS.clear()
    hub_manager_decides_a_referral(page, live_server)
    hub_officer_records_a_contact(page, live_server)
    partner_agrees_a_plan(page, live_server)
    national_analyst_closes_a_calibration(page, live_server)
    inspector_exports_a_heavy_readers_entries(page, live_server)
    assert not PROBLEMS, "\n".join(PROBLEMS)
