"""An assessor scores a calibration vignette in Chromium, blind, and the database holds exactly that."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from marsoc.assessment.method import score
from marsoc.assessment.models import CalibrationExercise, CalibrationResponse
from marsoc.assessment.services import method_spec
from marsoc.core.models import AuditEvent
from marsoc.demo.calibration import CLOSED_NAME, OPEN_NAME

from .conftest import SCREENSHOTS, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def test_an_assessor_scores_a_vignette_blind(page: Page, live_server) -> None:
    exercise = CalibrationExercise.objects.get(name=OPEN_NAME)
    spec = method_spec(exercise.method)
    first, second = exercise.vignettes.order_by("position")[:2]
    others_scored = CalibrationResponse.objects.filter(vignette=first).exclude(
        assignment__assessor__username="london.officer"
    )
    assert others_scored.exists(), "the demo has another assessor's scores on this vignette"

    sign_in(page, live_server, "london.officer")
    page.get_by_role("link", name="Calibration", exact=True).first.click()
    page.get_by_role("link", name=OPEN_NAME).click()
    expect(page.locator("#own-sheet")).to_contain_text("Not started")
    page.get_by_role("link", name=f"1. {first.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    expect(page.locator("#narrative")).to_contain_text(first.narrative[:40])
    # Blind: nothing is pre-selected from anyone else's sheet, and no results are offered.
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    expect(page.get_by_role("link", name="See the results")).to_have_count(0)
    # Each level is labelled with its anchored descriptor.
    physical = spec.factor("physical")
    expect(page.locator("label[for=id_level_physical_3]")).to_have_text(f"3 – {physical.descriptor(3)}")
    violations = serious_violations(run_axe(page))
    assert not violations, "\n".join(violations)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "calibration-score.png"), full_page=False)

    levels = {f.code: 2 for f in spec.factors} | {"physical": 3, "weapons": 1}
    for code, level in levels.items():
        page.locator(f"input[name=level_{code}][value='{level}']").check()
    page.get_by_role("button", name=f"Save and go to vignette {second.position}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Vignette {first.position} saved")
    saved = CalibrationResponse.objects.get(vignette=first, assignment__assessor__username="london.officer")
    assert saved.levels == levels
    assert saved.score == Decimal(str(score(spec, levels).score))
    assert saved.assignment.submitted_at is None
    assert AuditEvent.objects.filter(
        action="calibration.scores.save", actor_id=saved.assignment.assessor_id, object_id=str(exercise.pk)
    ).exists()

    page.get_by_role("link", name="Back to your score sheet").click()
    expect(page.locator("#own-sheet tbody tr").first).to_contain_text("Scored")
    page.goto(f"{live_server.url}/calibration/{exercise.pk}/results/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Calibration results")


def test_the_national_analyst_reads_the_results(page: Page, live_server) -> None:
    exercise = CalibrationExercise.objects.get(name=CLOSED_NAME)
    sign_in(page, live_server, "national.analyst")
    page.get_by_role("link", name="Calibration", exact=True).first.click()
    page.get_by_role("link", name=CLOSED_NAME).click()
    page.get_by_role("link", name="See the results").click()
    expect(page).to_have_url(f"{live_server.url}/calibration/{exercise.pk}/results/")
    expect(page.locator("#overall-alpha")).to_contain_text(re.compile(r"0\.\d{3}"))
    expect(page.locator("#hub-offsets tbody tr")).to_have_count(6)
    expect(page.locator("#disagreements tbody tr")).to_have_count(8)
    expect(page.locator("#assessor-scores tbody tr")).to_have_count(9)  # national median + 8 assessors
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "calibration-results.png"), full_page=True)
    violations = serious_violations(run_axe(page))
    assert not violations, "\n".join(violations)
    assert AuditEvent.objects.filter(action="calibration.results.view", object_id=str(exercise.pk)).exists()
