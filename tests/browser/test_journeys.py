"""Journeys through the real pages in Chromium, each checked against the database.

Every test builds its own data (reference data, the demo users and 60 synthetic nominals, then a
few deliberate rows) through the `demo_data` fixture; the live server sees it because the tests
run with transactional database access.
"""

import re

import pytest
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import Page, expect

from marsoc.accounts.models import Agency, Hub, User
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Classification
from marsoc.nominals.models import Identifier, Nominal, Participation
from marsoc.nominals.vocabulary import MembershipState

from .conftest import SCREENSHOTS, leading_number, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

OFFICIAL_SENSITIVE_OR_BELOW = [Classification.OFFICIAL, Classification.OFFICIAL_SENSITIVE]


def table_rows(page: Page, selector: str) -> list[list[str]]:
    """The text of every cell (th and td) of every body row."""
    return page.locator(f"{selector} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )


def cleared_for_official_sensitive(username: str) -> User:
    user = User.objects.get(username=username)
    assert user.clearance == Classification.OFFICIAL_SENSITIVE, "the expectations below assume this clearance"
    return user


def visible_london_nominal() -> Nominal:
    return (
        Nominal.objects.filter(owner_hub__code="london", classification__in=OFFICIAL_SENSITIVE_OR_BELOW)
        .order_by("id")
        .first()
    )


def test_hub_officer_sees_only_their_hub(page: Page, live_server) -> None:
    cleared_for_official_sensitive("london.officer")
    london = Hub.objects.get(code="london")
    # One London record above the officer's clearance, which must not be listed.
    secret = visible_london_nominal()
    Nominal.objects.filter(pk=secret.pk).update(classification=Classification.SECRET)
    expected = set(
        Nominal.objects.filter(owner_hub=london, classification__in=OFFICIAL_SENSITIVE_OR_BELOW).values_list(
            "id", flat=True
        )
    )
    assert expected, "the seed should give London some nominals"
    assert Nominal.objects.exclude(owner_hub=london).exists(), "the seed should give other hubs nominals too"

    sign_in(page, live_server, "london.officer")
    page.get_by_role("link", name="Cohort", exact=True).first.click()
    expect(page).to_have_url(f"{live_server.url}/cohort/")
    expect(page.locator("#cohort-table")).to_be_visible()

    assert leading_number(page.locator("#result-count").inner_text()) == len(expected)
    rows = table_rows(page, "#cohort-table")
    assert len(rows) == min(len(expected), 50)
    assert {row[3] for row in rows} == {"London hub"}, "a row from another hub is listed"
    shown = {row[1] for row in rows}
    assert shown <= {f"MH{pk:07d}" for pk in expected}
    assert f"MH{secret.pk:07d}" not in shown
    # The first cell links to the record.
    first_href = (
        page.locator("#cohort-table tbody tr").first.locator("td").first.locator("a").get_attribute("href")
    )
    assert re.fullmatch(r"/cohort/\d+/", first_href)
    assert int(first_href.split("/")[2]) in expected

    # The page is styled by GOV.UK Frontend (the stylesheet loaded) before it is photographed.
    header_colour = page.locator(".govuk-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header_colour not in ("rgba(0, 0, 0, 0)", "transparent"), "GOV.UK Frontend CSS did not load"
    assert page.locator("#cohort-table").evaluate("e => getComputedStyle(e).borderCollapse") == "collapse"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "cohort.png"), full_page=True)


def test_partner_officer_sees_only_nominals_their_agency_takes_part_in(page: Page, live_server) -> None:
    cleared_for_official_sensitive("partner.probation")
    probation = Agency.objects.get(code="probation-london")
    nca = Agency.objects.get(code="nca")
    candidates = iter(Nominal.objects.filter(participations__isnull=True).order_by("id"))
    in_london, elsewhere, ended, nca_only, secret = (next(candidates) for _ in range(5))
    Nominal.objects.filter(pk=in_london.pk).update(
        owner_hub=Hub.objects.get(code="london"), classification=Classification.OFFICIAL_SENSITIVE
    )
    Nominal.objects.filter(pk=elsewhere.pk).update(
        owner_hub=Hub.objects.get(code="wales"), classification=Classification.OFFICIAL_SENSITIVE
    )
    Nominal.objects.filter(pk=secret.pk).update(classification=Classification.SECRET)
    for nominal in (in_london, elsewhere, secret):
        Participation.objects.create(nominal=nominal, agency=probation, rationale="Browser test")
    Participation.objects.create(
        nominal=ended, agency=probation, rationale="Browser test", ended_at=timezone.now()
    )
    Participation.objects.create(nominal=nca_only, agency=nca, rationale="Browser test")

    expected = set(
        Nominal.objects.filter(
            participations__agency=probation,
            participations__ended_at__isnull=True,
            classification__in=OFFICIAL_SENSITIVE_OR_BELOW,
        ).values_list("id", flat=True)
    )
    assert {in_london.pk, elsewhere.pk} <= expected
    assert not {ended.pk, nca_only.pk, secret.pk} & expected
    # The partner works for a London agency, but owning-hub records without participation stay hidden.
    assert Nominal.objects.filter(owner_hub__code="london").exclude(pk__in=expected).exists()

    sign_in(page, live_server, "partner.probation")
    page.goto(f"{live_server.url}/cohort/")
    expect(page.locator("#cohort-table")).to_be_visible()
    assert leading_number(page.locator("#result-count").inner_text()) == len(expected)
    assert {row[1] for row in table_rows(page, "#cohort-table")} == {f"MH{pk:07d}" for pk in expected}

    # A record the agency no longer takes part in cannot be opened by guessing its address.
    response = page.goto(f"{live_server.url}/cohort/{ended.pk}/")
    assert response is not None and response.status == 404


def test_board_member_sees_aggregates_and_no_person(page: Page, live_server) -> None:
    sign_in(page, live_server, "board.member")
    expect(page.locator("#board-table")).to_be_visible()
    expect(page.locator("#cohort-table")).to_have_count(0)
    expect(page.get_by_role("link", name="Cohort", exact=True)).to_have_count(0)
    expect(page.locator("a[href^='/cohort/']")).to_have_count(0)

    # The table holds the counts by hub and state, with counts under 5 suppressed.
    states = list(MembershipState.values)
    counts: dict[str, dict[str, int]] = {}
    # The board member's clearance; a person whose processing is restricted (s.47) is left out of
    # every surface, the aggregates included (rights app).
    from marsoc.rights.models import PersonRestriction

    restricted = PersonRestriction.objects.filter(lifted_at__isnull=True).values("nominal_id")
    visible = Nominal.objects.filter(classification__in=OFFICIAL_SENSITIVE_OR_BELOW).exclude(
        pk__in=restricted
    )
    for row in visible.values("owner_hub__name", "membership_state").annotate(n=Count("id")):
        counts.setdefault(row["owner_hub__name"], {})[row["membership_state"]] = row["n"]

    def shown(n: int) -> str:
        return "fewer than 5" if 0 < n < 5 else str(n)

    expected = [[hub] + [shown(counts[hub].get(s, 0)) for s in states] for hub in sorted(counts)]
    assert table_rows(page, "#board-table") == expected

    for path in ("/cohort/", f"/cohort/{Nominal.objects.order_by('id').first().pk}/", "/cohort/refer/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 404, path
        expect(page.locator("#cohort-table")).to_have_count(0)


def test_opening_a_nominal_asks_for_a_purpose_and_records_it(page: Page, live_server) -> None:
    officer = User.objects.get(username="london.officer")
    nominal = visible_london_nominal()
    # Only this journey's reads: other journeys sharing the database may have opened the same person.
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    consultations = AuditEvent.objects.filter(operation="consultation", nominal_id=nominal.pk, pk__gt=since)

    sign_in(page, live_server, "london.officer")
    page.goto(f"{live_server.url}/cohort/")
    page.locator(f"#cohort-table a[href='/cohort/{nominal.pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/cohort/{nominal.pk}/purpose/\?next=%2Fcohort%2F{nominal.pk}%2F$"))
    expect(page.get_by_text(nominal.reference)).to_be_visible()
    assert not consultations.exists(), "the record was consulted before a purpose was given"

    # Without a choice the form says what is missing and shows nothing of the record.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why you are opening this record")
    expect(page.get_by_role("heading", name="Identifiers")).to_have_count(0)
    assert not consultations.exists()

    page.locator("input[name=purpose][value=case_management]").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/cohort/{nominal.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{nominal.family_name.upper()}, {nominal.given_names}"
    )
    for heading in ("Identifiers", "Custody timeline", "Cohort membership history", "Participating agencies"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    for identifier in Identifier.objects.filter(nominal=nominal):
        expect(page.locator("main")).to_contain_text(identifier.value)

    entries = list(consultations)
    assert len(entries) == 1, [str(e) for e in entries]
    assert entries[0].actor_id == officer.pk
    assert entries[0].justification == "Case management of this person"
    assert (entries[0].action, entries[0].details["surface"]) == ("nominal.view", "profile")


def test_refer_with_a_wrong_pnc_check_letter_is_refused(page: Page, live_server) -> None:
    nominals_before = Nominal.objects.count()
    sign_in(page, live_server, "london.officer")
    page.goto(f"{live_server.url}/cohort/refer/")
    page.locator("input[name=given_names]").fill("Browser")
    page.locator("input[name=family_name]").fill("Referral")
    page.locator("input[name=date_of_birth_day]").fill("27")
    page.locator("input[name=date_of_birth_month]").fill("3")
    page.locator("input[name=date_of_birth_year]").fill("1985")
    page.locator("input[name=sex][value=M]").check()
    page.locator("select[name=data_subject_category]").select_option("convicted")
    page.locator("input[name=pnc]").fill("2001/0123456A")
    page.locator("textarea[name=rationale]").fill("Browser test referral")
    expect(page.locator("select[name=owner_hub] option:checked")).to_have_text("London hub")
    page.get_by_role("button", name="Refer", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/cohort/refer/")
    message = "The check letter of PNC ID 2001/0123456A is wrong: it should be F"
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    # The PNC is the only problem: the rest of the form was valid.
    expect(summary.locator("li")).to_have_count(1)
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#id_pnc")
    expect(page.locator("#id_pnc-error")).to_contain_text(message)
    expect(page.locator("input[name=pnc]")).to_have_value("2001/0123456A")
    expect(page.locator("input[name=family_name]")).to_have_value("Referral")

    assert Nominal.objects.count() == nominals_before
    assert not Nominal.objects.filter(family_name="Referral").exists()
    assert not Identifier.objects.filter(value__contains="0123456").exists()
    assert not AuditEvent.objects.filter(action="nominal.refer").exists()


def test_pages_have_no_serious_accessibility_violations(page: Page, live_server) -> None:
    nominal = visible_london_nominal()
    found: dict[str, list[str]] = {}

    page.goto(f"{live_server.url}/sign-in/")
    found["sign-in"] = serious_violations(run_axe(page))

    sign_in(page, live_server, "london.officer")
    page.goto(f"{live_server.url}/cohort/")
    expect(page.locator("#cohort-table")).to_be_visible()
    found["cohort list"] = serious_violations(run_axe(page))

    page.goto(f"{live_server.url}/cohort/{nominal.pk}/")
    expect(page).to_have_url(re.compile(r"/purpose/"))
    found["purpose"] = serious_violations(run_axe(page))
    page.locator("input[name=purpose][value=case_management]").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Identifiers", exact=True)).to_be_visible()
    found["profile"] = serious_violations(run_axe(page))

    problems = {name: lines for name, lines in found.items() if lines}
    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())
