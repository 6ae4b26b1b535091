"""Calibration: agreement and hub offsets against hand-worked figures, blindness before close (pages and
API), immutability after submission, who sees which individual scores, and the audit trail."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.assessment import services
from marsoc.assessment.calibration import Rating, calibration_results
from marsoc.assessment.models import CalibrationExercise, CalibrationResponse, CalibrationStatus
from marsoc.assessment.selectors import access_exercise_by_id, exercise_results
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role

from ..conftest import make_user, signed_in

pytestmark = pytest.mark.django_db


def spec():
    return services.method_spec(services.active_method())


def uniform(level):
    """Every factor at the same level. With the default method these score exactly (see docs/method-v1.md):
    level 0 -> 0.0; level 1 -> 0.25 x 0.625 x 0.775 = 0.1210… -> 12.1; level 2 -> 0.5 x 0.75 x 0.85 -> 31.9."""
    return {f.code: level for f in spec().factors}


@pytest.fixture
def people(db):
    return {
        "analyst": make_user(
            "nat.analyst", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
        ),
        "a": make_user("ldn.officer", [Role.HUB_OFFICER], hub_code="london"),
        "b": make_user("ldn.analyst", [Role.ANALYST], hub_code="london"),
        "c": make_user("yks.officer", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu"),
        "ldn_manager": make_user("ldn.manager", [Role.HUB_MANAGER], hub_code="london"),
        "yks_manager": make_user(
            "yks.manager", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu"
        ),
        "outsider": make_user("ldn.other", [Role.HUB_OFFICER], hub_code="london"),
    }


def open_exercise(people, vignettes=3):
    today = timezone.localdate()
    analyst = people["analyst"]
    exercise = services.calibration_create(
        actor=analyst, name="Test exercise", opens_on=today, closes_on=today + timedelta(days=14)
    )
    for i in range(vignettes):
        services.calibration_vignette_add(
            actor=analyst,
            exercise=exercise,
            title=f"Case {i + 1}",
            narrative=f"An invented case number {i + 1}.",
        )
    services.calibration_assign(
        actor=analyst, exercise=exercise, assessors=[people["a"], people["b"], people["c"]]
    )
    return services.calibration_open(actor=analyst, exercise=exercise)


def score_sheet(exercise, user, levels_by_position, submit=True):
    vignettes = list(exercise.vignettes.order_by("position"))
    services.calibration_scores_save(
        actor=user,
        exercise=exercise,
        responses={v.pk: uniform(level) for v, level in zip(vignettes, levels_by_position, strict=True)},
    )
    if submit:
        services.calibration_sheet_submit(actor=user, exercise=exercise)


# Uniform level per vignette per assessor: A and B in London, C in Yorkshire.
#          V1 V2 V3         scores: V1 12.1 12.1 31.9 | V2 31.9 x3 | V3 0.0 12.1 12.1
LEVELS = {"a": [1, 2, 0], "b": [1, 2, 1], "c": [2, 2, 1]}


@pytest.fixture
def closed(people):
    exercise = open_exercise(people)
    for key, levels in LEVELS.items():
        score_sheet(exercise, people[key], levels)
    return services.calibration_close(actor=people["analyst"], exercise=exercise)


def results_for(actor, exercise):
    seen = access_exercise_by_id(actor=actor, exercise_id=exercise.pk)
    return exercise_results(seen=seen, actor=actor, spec=services.method_spec(exercise.method))


def test_alpha_through_the_service_equals_the_hand_computed_value(people, closed):
    data = results_for(people["analyst"], closed)
    r = data.results
    # Every factor has levels A [1,2,0], B [1,2,1], C [2,2,1] (assessors x vignettes).
    # Units {1,1,2}, {2,2,2}, {0,1,1}: D_o = (2 + 0 + 2) / 9 = 4/9 (each differing pair of ordered
    # values counts 1 x 1/(3-1)). Values 0 x1, 1 x4, 2 x4, n = 9: D_e = 2 x sample variance = 2 x 4/8 = 1.
    # alpha = 1 - (4/9) / 1 = 5/9.
    for factor in r.factors:
        assert factor.alpha == pytest.approx(5 / 9)
    # Overall, on the scores: units {12.1,12.1,31.9}, {31.9 x3}, {0,12.1,12.1}.
    # D_o = (4 x 19.8^2 / 2 + 4 x 12.1^2 / 2) / 9 = (784.08 + 292.82) / 9 = 119.6556.
    # The 9 scores sum to 176 with squares summing to 4656.08: SS = 4656.08 - 176^2/9 = 1214.3022,
    # D_e = 2 x SS / 8 = 303.5756. alpha = 1 - 119.6556 / 303.5756 = 0.6058.
    assert r.overall_alpha == pytest.approx(1 - (1076.9 / 9) / (2 * (4656.08 - 176**2 / 9) / 8))
    assert round(r.overall_alpha, 4) == 0.6058
    assert (data.submitted, data.assigned, r.assessors, r.vignettes) == (3, 3, 3, 3)


def test_hub_offsets_on_a_constructed_case(people, closed):
    r = results_for(people["analyst"], closed).results
    v1, v2, v3 = (v.pk for v in closed.vignettes.order_by("position"))
    assert dict(r.national_median) == {v1: 12.1, v2: 31.9, v3: 12.1}
    london = r.hub("London hub")
    yorkshire = r.hub("Yorkshire and the Humber hub")
    # London's medians 12.1, 31.9, 6.05 (median of 0 and 12.1) against 12.1, 31.9, 12.1.
    assert london.by_vignette == pytest.approx({v1: 0.0, v2: 0.0, v3: -6.05})
    assert london.mean_offset == pytest.approx(-6.05 / 3)
    assert (london.min_offset, london.max_offset, london.assessors) == (pytest.approx(-6.05), 0.0, 2)
    # Yorkshire (one assessor): 31.9, 31.9, 12.1 -> +19.8, 0, 0.
    assert yorkshire.by_vignette == pytest.approx({v1: 19.8, v2: 0.0, v3: 0.0})
    assert yorkshire.mean_offset == pytest.approx(6.6)
    assert [h.hub for h in r.hub_offsets] == ["Yorkshire and the Humber hub", "London hub"]  # largest first


def test_disagreement_ranks_vignettes_by_spread(people, closed):
    r = results_for(people["analyst"], closed).results
    v1, v2, v3 = (v.pk for v in closed.vignettes.order_by("position"))
    assert [d.vignette_id for d in r.disagreements] == [v1, v3, v2]
    first = r.disagreements[0]
    # Scores 12.1, 12.1, 31.9: mean 18.7, deviations -6.6, -6.6, 13.2, SS 261.36, sd sqrt(130.68).
    assert first.spread == pytest.approx(130.68**0.5)
    assert (first.median, first.lowest, first.highest) == (12.1, 12.1, 31.9)
    assert r.disagreements[2].spread == 0.0 and r.disagreements[2].drivers == ()


def test_disagreement_names_the_factor_that_drives_it():
    method = spec()
    base = {f.code: 2 for f in method.factors}
    ratings = []
    for assessor, (weapons, money) in enumerate([(0, 2), (4, 2), (2, 3)], start=1):
        levels = base | {"weapons": weapons, "money": money}
        from marsoc.assessment.method import score

        ratings.append(Rating(assessor, f"hub{assessor}", 10, levels, score(method, levels).score))
    result = calibration_results(method, [10], ratings)
    drivers = result.disagreements[0].drivers
    # weapons normalised 0, 1, 0.5 (sd 0.5); money 0.5, 0.5, 0.75 (sd 0.1443); nothing else varies.
    assert [d.code for d in drivers] == ["weapons", "money"]
    assert drivers[0].spread == pytest.approx(0.5) and drivers[0].levels == (0, 2, 4)


def test_scores_are_blind_before_close_pages_and_api(people, token_for):
    exercise = open_exercise(people)
    score_sheet(exercise, people["a"], [4, 4, 4], submit=True)
    first = exercise.vignettes.order_by("position").first()
    # Another assessor's sheet for the same vignette shows none of A's levels.
    page = signed_in(people["c"]).get(f"/calibration/{exercise.pk}/vignettes/{first.pk}/score/")
    assert page.status_code == 200
    assert b"checked" not in page.content
    # No results for anybody while open: assessors, hub managers, the national analyst.
    for key in ("a", "c", "ldn_manager", "analyst"):
        assert signed_in(people[key]).get(f"/calibration/{exercise.pk}/results/").status_code == 404, key
        assert signed_in(people[key]).get(f"/calibration/{exercise.pk}/results.csv").status_code == 404, key
        api = signed_in(people[key]).get(
            f"/api/calibration/exercises/{exercise.pk}/results",
            HTTP_AUTHORIZATION=f"Bearer {token_for(people[key])}",
        )
        assert api.status_code == 404, key
        with pytest.raises(NotFoundOrForbidden):  # the selector refuses too, not just the views
            results_for(people[key], exercise)
    # The national team sees progress, never a score.
    detail = signed_in(people["analyst"]).get(f"/calibration/{exercise.pk}/")
    assert detail.status_code == 200
    assert b"100.0" not in detail.content and b"Submitted" in detail.content
    # The API list gives no scores either.
    listing = signed_in(people["c"]).get(
        "/api/calibration/exercises", HTTP_AUTHORIZATION=f"Bearer {token_for(people['c'])}"
    )
    row = next(e for e in listing.json() if e["id"] == exercise.pk)
    assert row["your_sheet"] == {"submitted_at": None, "scored_vignettes": 0}
    assert row["results_available"] is False and "scores" not in row


def test_a_submitted_sheet_is_immutable(people, token_for):
    exercise = open_exercise(people)
    score_sheet(exercise, people["a"], [1, 1, 1], submit=True)
    first = exercise.vignettes.order_by("position").first()
    before = list(
        CalibrationResponse.objects.filter(assignment__assessor=people["a"]).values_list("levels", "score")
    )
    with pytest.raises(services.SheetLocked):
        services.calibration_scores_save(
            actor=people["a"], exercise=exercise, responses={first.pk: uniform(4)}
        )
    with pytest.raises(services.SheetLocked):
        services.calibration_sheet_submit(actor=people["a"], exercise=exercise)
    # The page shows the submitted levels, read-only.
    shown = signed_in(people["a"]).get(f"/calibration/{exercise.pk}/vignettes/{first.pk}/score/")
    assert (
        shown.content.count(b" checked") == len(uniform(1))
        and b'<fieldset class="govuk-fieldset" disabled>' in shown.content
    )
    # The page refuses with a message and saves nothing.
    page = signed_in(people["a"]).post(
        f"/calibration/{exercise.pk}/vignettes/{first.pk}/score/", {f"level_{c}": 4 for c in uniform(4)}
    )
    assert page.status_code == 200 and b"cannot be changed" in page.content
    api = signed_in(people["a"]).post(
        f"/api/calibration/exercises/{exercise.pk}/scores",
        data={"responses": [{"vignette_id": first.pk, "levels": uniform(4)}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(people['a'])}",
    )
    assert api.status_code == 409
    after = list(
        CalibrationResponse.objects.filter(assignment__assessor=people["a"]).values_list("levels", "score")
    )
    assert after == before


def test_submission_needs_every_vignette_scored_and_partial_saves_are_kept(people):
    exercise = open_exercise(people)
    first, second, _third = exercise.vignettes.order_by("position")
    partial = uniform(2) | {"physical": None}
    services.calibration_scores_save(
        actor=people["a"], exercise=exercise, responses={first.pk: partial, second.pk: uniform(1)}
    )
    saved = CalibrationResponse.objects.get(vignette=first, assignment__assessor=people["a"])
    assert saved.score is None and "physical" not in saved.levels and len(saved.levels) == 19
    assert CalibrationResponse.objects.get(
        vignette=second, assignment__assessor=people["a"]
    ).score == Decimal("12.1")
    with pytest.raises(ValidationFailed) as error:
        services.calibration_sheet_submit(actor=people["a"], exercise=exercise)
    assert error.value.errors["sheet"] == [
        "Score every factor of vignette 1 (Case 1) before submitting",
        "Score every factor of vignette 3 (Case 3) before submitting",
    ]


def test_bad_levels_save_nothing(people):
    exercise = open_exercise(people)
    first, second, _ = exercise.vignettes.order_by("position")
    with pytest.raises(ValidationFailed) as error:
        services.calibration_scores_save(
            actor=people["a"],
            exercise=exercise,
            responses={first.pk: uniform(1), second.pk: uniform(1) | {"physical": 9}},
        )
    assert error.value.errors["level_physical"] == ["Physical harm must be a level from 0 to 4"]
    assert not CalibrationResponse.objects.exists()


def test_only_assigned_assessors_score(people):
    exercise = open_exercise(people)
    first = exercise.vignettes.first()
    for key in ("outsider", "analyst", "ldn_manager"):
        with pytest.raises(NotFoundOrForbidden):
            services.calibration_scores_save(
                actor=people[key], exercise=exercise, responses={first.pk: uniform(1)}
            )
        with pytest.raises(NotFoundOrForbidden):  # bad input from an outsider says nothing about the exercise
            services.calibration_scores_save(
                actor=people[key], exercise=exercise, responses={999999: {"x": 9}}
            )


def test_the_vignette_form_warns_about_identifiers(people):
    today = timezone.localdate()
    exercise = services.calibration_create(
        actor=people["analyst"], name="Ids", opens_on=today, closes_on=today + timedelta(days=3)
    )
    client = signed_in(people["analyst"])
    url = f"/calibration/{exercise.pk}/vignettes/add/"
    text = "Subject held at HMP X, PNC 2001/0123456F, prison number A1234BC."
    response = client.post(url, {"title": "Case", "narrative": text})
    assert response.status_code == 200
    assert (
        b"looks like an identifier" in response.content
        and b"a valid PNC ID 2001/0123456F" in response.content
    )
    assert not exercise.vignettes.exists()
    response = client.post(url, {"title": "Case", "narrative": text, "confirm_invented": "on"})
    assert response.status_code == 302 and exercise.vignettes.count() == 1
    assert services.identifier_like("no numbers here, just 12 people and 2026/27 plans") == []


def test_opening_needs_vignettes_and_assessors_from_two_hubs(people):
    today = timezone.localdate()
    exercise = services.calibration_create(
        actor=people["analyst"], name="Small", opens_on=today, closes_on=today + timedelta(days=3)
    )
    services.calibration_assign(
        actor=people["analyst"], exercise=exercise, assessors=[people["a"], people["b"]]
    )
    with pytest.raises(ValidationFailed) as error:
        services.calibration_open(actor=people["analyst"], exercise=exercise)
    assert set(error.value.errors) == {"vignettes", "assessors"}
    assert CalibrationExercise.objects.get(pk=exercise.pk).status == CalibrationStatus.DRAFT


def test_only_the_national_team_runs_exercises(people):
    today = timezone.localdate()
    for key in ("ldn_manager", "a"):
        with pytest.raises(PermissionDenied):
            services.calibration_create(actor=people[key], name="X", opens_on=today, closes_on=today)
    national_manager = make_user(
        "nat.mgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc"
    )
    assert services.calibration_create(actor=national_manager, name="X", opens_on=today, closes_on=today).pk


def test_create_page_names_the_bad_field_and_saves_nothing(people):
    response = signed_in(people["analyst"]).post(
        "/calibration/new/",
        {
            "name": "",
            "opens_on_day": "10",
            "opens_on_month": "12",
            "opens_on_year": "2026",
            "closes_on_day": "1",
            "closes_on_month": "12",
            "closes_on_year": "2026",
        },
    )
    assert response.status_code == 200
    assert b"Enter a name for the exercise" in response.content
    assert b"The closing date must be the same as or after the opening date" in response.content
    assert not CalibrationExercise.objects.exists()


def test_who_sees_which_individual_scores(people, closed):
    def named(key):
        return {row.label.split("(")[-1].rstrip(")") for row in results_for(people[key], closed).rows}

    assert named("analyst") == {"ldn.officer", "ldn.analyst", "yks.officer"}
    assert named("ldn_manager") == {"ldn.officer", "ldn.analyst"}  # own hub only
    assert named("yks_manager") == {"yks.officer"}
    assert named("c") == {"yks.officer"}  # an assessor sees only themself
    # The aggregates are the same for everyone.
    assert results_for(people["c"], closed).results == results_for(people["analyst"], closed).results
    with pytest.raises(NotFoundOrForbidden):
        access_exercise_by_id(actor=people["outsider"], exercise_id=closed.pk)  # not assigned, not a manager
    page = signed_in(people["ldn_manager"]).get(f"/calibration/{closed.pk}/results/")
    assert page.status_code == 200 and b"ldn.analyst" in page.content and b"yks.officer" not in page.content


def test_results_api_trims_names_like_the_page(people, closed, token_for):
    response = signed_in(people["ldn_manager"]).get(
        f"/api/calibration/exercises/{closed.pk}/results",
        HTTP_AUTHORIZATION=f"Bearer {token_for(people['ldn_manager'])}",
    )
    body = response.json()
    assert response.status_code == 200 and body["view"] == "hub"
    assert round(body["overall_alpha"], 4) == 0.6058
    assert sorted(a["assessor"].split("(")[-1].rstrip(")") for a in body["assessors"]) == [
        "ldn.analyst",
        "ldn.officer",
    ]
    assert {h["hub"] for h in body["hub_offsets"]} == {"London hub", "Yorkshire and the Humber hub"}


def test_api_saves_and_submits_a_sheet(people, token_for):
    exercise = open_exercise(people)
    vignettes = list(exercise.vignettes.order_by("position"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(people['c'])}"}
    client = signed_in(people["c"])
    url = f"/api/calibration/exercises/{exercise.pk}/scores"
    incomplete = client.post(
        url,
        data={"responses": [{"vignette_id": vignettes[0].pk, "levels": uniform(1)}], "submit": True},
        content_type="application/json",
        **auth,
    )
    assert incomplete.status_code == 422
    assert not CalibrationResponse.objects.exists()  # save and submit go together or not at all
    ok = client.post(
        url,
        data={"responses": [{"vignette_id": v.pk, "levels": uniform(1)} for v in vignettes], "submit": True},
        content_type="application/json",
        **auth,
    )
    assert ok.status_code == 200
    assert ok.json()["scored_vignettes"] == 3 and ok.json()["submitted_at"]
    outsider = signed_in(people["outsider"]).post(
        url,
        data={"responses": [], "submit": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(people['outsider'])}",
    )
    assert outsider.status_code == 404


def test_every_write_and_read_of_results_is_audited(people, closed):
    actions = list(
        AuditEvent.objects.filter(object_type="calibration_exercise", object_id=str(closed.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions.count("calibration.create") == 1
    assert actions.count("calibration.vignette.add") == 3
    assert actions.count("calibration.assign") == 1
    assert actions.count("calibration.open") == 1
    assert actions.count("calibration.scores.save") == 3
    assert actions.count("calibration.sheet.submit") == 3
    assert actions.count("calibration.close") == 1
    client = signed_in(people["analyst"])
    assert client.get(f"/calibration/{closed.pk}/results/").status_code == 200
    view = AuditEvent.objects.filter(action="calibration.results.view").latest("id")
    assert view.operation == "consultation" and view.actor_id == people["analyst"].pk
    export = client.get(f"/calibration/{closed.pk}/results.csv")
    assert export.status_code == 200
    event = AuditEvent.objects.filter(action="calibration.results.export").latest("id")
    assert event.operation == "disclosure" and event.recipients == [people["analyst"].display_label]
    assert event.details["view"] == "full" and len(event.details["assessors_named"]) == 3


def test_csv_export_holds_the_figures(people, closed):
    response = signed_in(people["analyst"]).get(f"/calibration/{closed.pk}/results.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    overall = next(r for r in rows if r["factor"] == "overall (scores)")
    assert overall["value"] == "0.606"
    yorkshire = next(
        r
        for r in rows
        if r["section"] == "hub_offset" and r["measure"] == "mean" and r["hub"].startswith("Yorkshire")
    )
    assert yorkshire["value"] == "6.60"
    ratings = [r for r in rows if r["section"] == "rating" and r["measure"] == "score"]
    assert len(ratings) == 9
    # A hub manager's export names only their own hub's assessors.
    hub = signed_in(people["yks_manager"]).get(f"/calibration/{closed.pk}/results.csv")
    named = {r["assessor"] for r in csv.DictReader(io.StringIO(hub.content.decode())) if r["assessor"]}
    assert named == {"Yks Tester (yks.officer)"}
    # An assessor sees the results page but cannot export.
    assert signed_in(people["c"]).get(f"/calibration/{closed.pk}/results.csv").status_code == 404


def test_demo_data_has_a_closed_exercise_with_results_and_an_open_one():
    from marsoc.demo.calibration import CLOSED_NAME, OPEN_NAME
    from marsoc.demo.generate import generate

    generate(nominals=20, seed=1, assessments=0)
    analyst = User.objects.get(username="national.analyst")
    closed = CalibrationExercise.objects.get(name=CLOSED_NAME)
    data = results_for(analyst, closed)
    assert (data.submitted, len(data.vignettes), len(data.results.hub_offsets)) == (8, 8, 6)
    assert data.results.overall_alpha is not None and all(f.alpha is not None for f in data.results.factors)
    current = CalibrationExercise.objects.get(name=OPEN_NAME)
    assert current.status == CalibrationStatus.OPEN
    assert access_exercise_by_id(actor=analyst, exercise_id=current.pk).can_manage
    officer = User.objects.get(username="london.officer")
    assert access_exercise_by_id(actor=officer, exercise_id=current.pk).can_score
    assert signed_in(analyst).get(f"/calibration/{closed.pk}/results/").status_code == 200
    generate(nominals=0, seed=1, assessments=0)  # a second run adds no duplicate exercises
    assert CalibrationExercise.objects.filter(name__in=[CLOSED_NAME, OPEN_NAME]).count() == 2


def test_forbidden_and_missing_exercises_look_the_same(people, token_for):
    exercise = open_exercise(people)
    client = signed_in(people["outsider"])
    forbidden = client.get(f"/calibration/{exercise.pk}/")
    missing = client.get(f"/calibration/{exercise.pk + 1000}/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(people['outsider'])}"}
    api_forbidden = client.get(f"/api/calibration/exercises/{exercise.pk}/results", **auth)
    api_missing = client.get(f"/api/calibration/exercises/{exercise.pk + 1000}/results", **auth)
    assert api_forbidden.status_code == api_missing.status_code == 404
    assert api_forbidden.json() == api_missing.json()


def test_set_up_open_and_close_through_the_pages(people):
    client = signed_in(people["analyst"])
    today = timezone.localdate()
    later = today + timedelta(days=10)
    response = client.post(
        "/calibration/new/",
        {
            "name": "Paged",
            "opens_on_day": today.day,
            "opens_on_month": today.month,
            "opens_on_year": today.year,
            "closes_on_day": later.day,
            "closes_on_month": later.month,
            "closes_on_year": later.year,
        },
    )
    exercise = CalibrationExercise.objects.get(name="Paged")
    assert response.status_code == 302 and response["Location"] == f"/calibration/{exercise.pk}/"
    for i in range(2):
        client.post(
            f"/calibration/{exercise.pk}/vignettes/add/", {"title": f"V{i}", "narrative": "Invented."}
        )
    page = client.get(f"/calibration/{exercise.pk}/assessors/")
    assert b"ldn.officer" in page.content and b"nat.analyst" not in page.content  # hub staff only
    response = client.post(
        f"/calibration/{exercise.pk}/assessors/", {"assessors": [people["a"].pk, people["c"].pk]}
    )
    assert response.status_code == 302
    assert set(exercise.assignments.values_list("assessor__username", flat=True)) == {
        "ldn.officer",
        "yks.officer",
    }
    client.post(f"/calibration/{exercise.pk}/status/", {"action": "open"})
    exercise.refresh_from_db()
    assert exercise.status == CalibrationStatus.OPEN
    # The assessor now finds it in their list and can score; the national team still sees no scores.
    assert b"Paged" in signed_in(people["a"]).get("/calibration/").content
    client.post(f"/calibration/{exercise.pk}/status/", {"action": "close"})
    exercise.refresh_from_db()
    assert exercise.status == CalibrationStatus.CLOSED
    results = client.get(f"/calibration/{exercise.pk}/results/")
    assert results.status_code == 200 and b"0 of 2 assessors submitted" in results.content
