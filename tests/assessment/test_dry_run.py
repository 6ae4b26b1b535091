"""Method change dry runs: re-score the cohort with a candidate, show who would change tier and why,
and change nothing about anyone."""

import random

import pytest

from marsoc.assessment import services
from marsoc.assessment.method import DEFAULT_METHOD_FILE, load_default_method, load_method, score
from marsoc.assessment.method.differences import method_differences
from marsoc.assessment.method.scoring import score_only
from marsoc.assessment.models import Assessment, DryRunChange, MethodDryRun, PriorityStatus
from marsoc.core.errors import PermissionDenied
from marsoc.core.models import AuditEvent, AuditSubject
from marsoc.core.vocabulary import Role

from ..conftest import make_nominal, make_user, signed_in

pytestmark = pytest.mark.django_db

V1 = DEFAULT_METHOD_FILE.read_text(encoding="utf-8")


def candidate_text(*, version: int = 2) -> str:
    """v1 with tiers 2-4 moved down: tier 2 from 30, tier 3 from 15."""
    text = (
        V1.replace("version = 1", f"version = {version}", 1)
        .replace("min = 40\nmax = 60", "min = 30\nmax = 60", 1)
        .replace("min = 20\nmax = 40", "min = 15\nmax = 30", 1)
        .replace("min = 0\nmax = 20", "min = 0\nmax = 15", 1)
    )
    assert text.count("min = 30\nmax = 60") == 1 and "min = 0\nmax = 15" in text
    return text


def with_extra_factor(text: str) -> str:
    """A candidate that adds a Likelihood factor nobody has been assessed on yet."""
    block = (
        '\n[[factors]]\ncode = "breach_history"\nname = "Breach history"\ngroup = "likelihood"\n'
        'description = "Breaches of orders and licence."\n[factors.scale]\n'
        '0 = "None known."\n1 = "One breach."\n2 = "Repeated breaches."\n'
    )
    anchor = '[[factors]]\ncode = "network_reach"'
    assert anchor in text
    return text.replace(anchor, block.lstrip("\n") + "\n" + anchor, 1)


def uniform(level: int) -> dict[str, int]:
    return {f.code: level for f in load_default_method().factors}


@pytest.fixture
def analyst(db):
    return make_user("nat.analyst", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc")


@pytest.fixture
def cohort(london_officer):
    """Three people at uniform levels 1, 2 and 3: v1 scores 12.1 (tier 4), 31.9 (tier 3), 60.7 (tier 1)."""
    people = {}
    for level in (1, 2, 3):
        nominal = make_nominal(london_officer, family=f"Level{level}")
        services.assessment_submit(actor=london_officer, nominal=nominal, levels=uniform(level))
        people[level] = nominal
    return people


def test_score_only_gives_exactly_the_full_score():
    spec = load_default_method()
    rng = random.Random(7)
    for _ in range(300):
        levels = {f.code: rng.randint(0, f.max_level) for f in spec.factors}
        full = score(spec, levels)
        assert score_only(spec, levels) == (full.score, full.tier)


def test_method_differences_name_the_changes():
    found = method_differences(load_default_method(), load_method(with_extra_factor(candidate_text())))
    assert "tier 2: 40-60 became 30-60" in found
    assert "tier 4: 0-20 became 0-15" in found
    assert any(d.startswith("factors added: breach_history") for d in found)
    assert method_differences(load_default_method(), load_default_method()) == []


def test_dry_run_finds_who_changes_and_changes_nothing(analyst, cohort):
    candidate = services.method_load(actor=analyst, text=candidate_text())
    before = list(
        PriorityStatus.objects.order_by("pk").values_list("score", "computed_tier", "assessment_id")
    )
    assessments = Assessment.objects.count()
    run = services.dry_run_request(actor=analyst, candidate=candidate)  # immediate backend in tests
    run.refresh_from_db()
    assert run.status == "done" and run.error == ""
    assert (run.rescored, run.changed, run.incomplete, run.not_assessed) == (3, 1, 0, 0)
    assert run.transitions == {"1": {"1": 1}, "3": {"2": 1}, "4": {"4": 1}}
    change = DryRunChange.objects.get(dry_run=run)
    assert change.nominal_id == cohort[2].pk
    assert (str(change.old_score), change.old_tier, str(change.new_score), change.new_tier) == (
        "31.9",
        "3",
        "31.9",
        "2",
    )
    assert change.direction == "up" and change.missing_factors == []
    assert str(run.mean_abs_change) == "0.00"  # only thresholds moved: no score changes
    # Nothing about any person changed.
    assert (
        list(PriorityStatus.objects.order_by("pk").values_list("score", "computed_tier", "assessment_id"))
        == before
    )
    assert Assessment.objects.count() == assessments
    assert AuditEvent.objects.filter(action="method.dry_run.request", object_id=str(run.pk)).exists()


def test_a_factor_the_candidate_adds_counts_as_not_assessed(analyst, cohort):
    candidate = services.method_load(actor=analyst, text=with_extra_factor(candidate_text()))
    run = services.dry_run_request(actor=analyst, candidate=candidate)
    run.refresh_from_db()
    assert run.status == "done" and run.rescored == 3 and run.incomplete == 3
    spec = services.method_spec(candidate)
    for level, nominal in cohort.items():
        levels = {**uniform(level), "breach_history": 0}
        expected = score(spec, levels)
        row = DryRunChange.objects.filter(dry_run=run, nominal=nominal).first()
        old_tier = PriorityStatus.objects.get(nominal=nominal).computed_tier
        if expected.tier.code != old_tier:
            assert row is not None and row.missing_factors == ["breach_history"]
            assert float(row.new_score) == expected.score
        else:
            assert row is None


def test_people_with_no_assessment_are_counted_not_dropped(analyst, cohort, london_officer):
    from marsoc.nominals.services import membership_change

    waiting = make_nominal(london_officer, family="Waiting")
    membership_change(
        actor=london_officer, nominal=waiting, to_state="under_assessment", rationale="Assess at next meeting"
    )
    candidate = services.method_load(actor=analyst, text=candidate_text())
    run = services.dry_run_request(actor=analyst, candidate=candidate)
    run.refresh_from_db()
    assert run.rescored == 3 and run.not_assessed == 1


def test_a_failing_candidate_stores_no_partial_rows(analyst, cohort):
    # Divides by (likelihood - 0.5): fine at the extremes the loader checks, a division by zero for the
    # person scored 2 of 4 on every likelihood factor.
    text = candidate_text().replace(
        "* (0.5 + 0.5 * likelihood)\n",
        "* (0.5 + 0.5 * likelihood) * (likelihood - 0.5) / (likelihood - 0.5)\n",
        1,
    )
    assert text != candidate_text()
    candidate = services.method_load(actor=analyst, text=text)
    services.dry_run_request(actor=analyst, candidate=candidate)  # the task fails; the run says why
    run = MethodDryRun.objects.get(candidate=candidate)
    assert run.status == "failed" and "divides by zero" in run.error
    assert f"of nominal {cohort[2].pk}" in run.error
    assert not DryRunChange.objects.filter(dry_run=run).exists()


def test_only_the_national_team_can_run_or_read_a_dry_run(analyst, cohort, london_manager):
    candidate = services.method_load(actor=analyst, text=candidate_text())
    with pytest.raises(PermissionDenied):
        services.dry_run_request(actor=london_manager, candidate=candidate)
    run = services.dry_run_request(actor=analyst, candidate=candidate)
    hub_client = signed_in(london_manager)
    assert hub_client.get(f"/methods/dry-runs/{run.pk}/").status_code == 404
    assert hub_client.post(f"/methods/{candidate.pk}/dry-runs/").status_code == 404
    assert hub_client.get(f"/methods/dry-runs/{run.pk + 999}/").status_code == 404
    page = signed_in(analyst).get(f"/methods/dry-runs/{run.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "LEVEL2" in body and "LEVEL3" not in body
    assert "tier 2: 40-60 became 30-60" in body
    event = AuditEvent.objects.filter(action="method.dry_run.view", actor=analyst).latest("id")
    assert set(AuditSubject.objects.filter(event=event).values_list("nominal_id", flat=True)) == {
        cohort[2].pk
    }


def test_a_low_clearance_analyst_sees_counts_but_not_people_above_it(cohort):
    from marsoc.nominals.models import Nominal

    low = make_user(
        "low.analyst",
        [Role.NATIONAL_ANALYST],
        hub_code="national",
        agency_code="hmpps-marsoc",
        clearance="OFFICIAL",
    )
    Nominal.objects.filter(pk=cohort[2].pk).update(classification="OFFICIAL-SENSITIVE")
    candidate = services.method_load(actor=low, text=candidate_text())
    run = services.dry_run_request(actor=low, candidate=candidate)
    page = signed_in(low).get(f"/methods/dry-runs/{run.pk}/")
    assert page.status_code == 200
    assert "LEVEL2" not in page.content.decode()
    assert page.context["page"].paginator.count == 0 and page.context["run"].changed == 1


def test_the_method_page_queues_a_dry_run_and_redirects_to_it(analyst, cohort):
    candidate = services.method_load(actor=analyst, text=candidate_text())
    client = signed_in(analyst)
    response = client.post(f"/methods/{candidate.pk}/dry-runs/")
    run = MethodDryRun.objects.get(candidate=candidate)
    assert response.status_code == 302 and response["Location"] == f"/methods/dry-runs/{run.pk}/"
    listing = client.get(f"/methods/{candidate.pk}/dry-runs/")
    assert listing.status_code == 200 and f"/methods/dry-runs/{run.pk}/" in listing.content.decode()
