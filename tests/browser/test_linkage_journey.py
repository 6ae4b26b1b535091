"""Identity resolution in Chromium: review a pair with its explanation, merge, undo the merge."""

import pytest
from django.db.models import F
from playwright.sync_api import Page, expect

from marsoc.demo.linkage import generate_linkage
from marsoc.linkage.models import CandidatePair, Merge, PairStatus, SourceRecord

from .conftest import run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def test_review_merge_and_undo(page: Page, live_server, settings, tmp_path) -> None:
    settings.LINKAGE_STAGING_DIR = tmp_path
    generate_linkage(seed=3, people=120)
    # The demo data already holds one reviewer's merge; this journey makes and undoes another.
    pair = (
        CandidatePair.objects.filter(status=PairStatus.PENDING)
        .exclude(left__person=F("right__person"))
        .order_by("-match_probability", "id")
        .first()
    )
    assert pair is not None
    left, right = SourceRecord.objects.get(pk=pair.left_id), SourceRecord.objects.get(pk=pair.right_id)
    assert left.person_id != right.person_id
    before = dict(SourceRecord.objects.values_list("pk", "person_id"))

    sign_in(page, live_server, "london.manager")
    page.get_by_role("link", name="Identity resolution").click()
    page.get_by_role("link", name="Review queue").click()
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="Are these the same person?")).to_be_visible()
    expect(page.locator("#explanation")).to_contain_text("Date of birth")  # the reader's words ...
    expect(page.locator("#explanation")).not_to_contain_text("dob")  # ... not the model's column
    problems = serious_violations(run_axe(page))
    page.get_by_label("Yes, the same person (merge them)").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Your decision is recorded")).to_be_visible()
    merge = Merge.objects.get(pair=pair)  # the demo data has its own merge too (another pair)
    assert SourceRecord.objects.get(pk=right.pk).person_id == merge.survivor_id

    page.goto(f"{live_server.url}/linkage/people/{merge.survivor_id}/")
    problems += serious_violations(run_axe(page))
    page.get_by_role("button", name="Undo this merge").click()
    expect(page.get_by_text("The merge is undone")).to_be_visible()
    assert dict(SourceRecord.objects.values_list("pk", "person_id")) == before
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING
    assert not problems, "\n".join(problems)


def test_run_linkage_from_the_page(page: Page, live_server, settings, tmp_path) -> None:
    # The test settings' task backend runs the queued run inside the request, so the page that
    # follows shows it finished; on the real worker it shows "queued" first (see test_runs.py).
    from marsoc.linkage.models import LinkageRun, RunStatus

    settings.LINKAGE_STAGING_DIR = tmp_path
    generate_linkage(seed=3, people=120)
    sign_in(page, live_server, "national.manager")
    page.get_by_role("link", name="Identity resolution").click()
    expect(page.locator("#linkage-runs")).to_contain_text("Last run")
    page.get_by_role("button", name="Run linkage now").click()
    run = LinkageRun.objects.order_by("-id").first()
    assert run is not None and run.status == RunStatus.FINISHED and run.started_by is not None
    expect(page.get_by_text(f"Linkage run {run.pk}: finished")).to_be_visible()
    expect(page.locator("#linkage-runs")).to_contain_text(f"Run {run.pk}, finished")
    expect(page.locator("#linkage-runs")).to_contain_text(f"{run.summary['records']} records in")
    problems = serious_violations(run_axe(page))
    assert not problems, "\n".join(problems)
