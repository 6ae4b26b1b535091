"""Equality monitoring: group mapping, the reference file, suppression, and the report over a constructed
cohort whose counts, relative rate indices and intervals are worked out by hand below."""

import csv
import io
import random
from datetime import date
from decimal import Decimal

import pytest

from marsoc.accounts.models import User
from marsoc.assessment import services
from marsoc.assessment.equality import (
    AGE,
    DEFAULT_POPULATION_FILE,
    ETHNICITY,
    NATIONAL,
    NOT_RECORDED,
    TOTAL,
    PopulationFileError,
    age_band_cutoffs,
    complete_counts,
    ethnicity_group,
    parse_population,
    suppress_table,
)
from marsoc.assessment.models import ReferencePopulation, ReferenceShare
from marsoc.assessment.selectors import EqualityOptions, default_population, equality_report
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Classification, Role
from marsoc.nominals.models import Nominal

from ..conftest import hub, make_nominal, make_user, signed_in
from .test_method import WORKED_GRADES, WORKED_LEVELS

TODAY = date(2026, 6, 30)

# ---------------------------------------------------------------------------------------------------------
# Pure parts
# ---------------------------------------------------------------------------------------------------------


def test_self_defined_ethnicity_wins_and_officer_defined_fills_in():
    assert ethnicity_group("B1", "IC1") == ("black", "self")  # the person's own description counts
    assert ethnicity_group("NS", "IC3") == ("black", "officer")
    assert ethnicity_group("NS", "IC5") == ("asian", "officer")  # Chinese is "Asian" in the 2021 census
    assert ethnicity_group("NS", "IC6") == ("other", "officer")  # Arab is "Other ethnic group"
    assert ethnicity_group("NS", "IC9") == (NOT_RECORDED, NOT_RECORDED)
    assert ethnicity_group("M3", "IC9") == ("mixed", "self")


def test_age_band_cutoffs_agree_with_age_band():
    from marsoc.assessment.stats import age_band

    for on in [date(2026, 6, 30), date(2028, 2, 29), date(2027, 3, 1), date(2026, 1, 1)]:
        cutoffs = age_band_cutoffs(on)
        for dob in [
            on.replace(year=on.year - 60, day=1),
            date(1971, 2, 28),
            date(2008, 2, 29),
            date(1990, 6, 30),
        ]:
            for delta in range(-3, 4):
                born = date.fromordinal(dob.toordinal() + delta)
                expected = age_band(born, on)
                banded = next((band for cutoff, band in cutoffs if born <= cutoff), "under 18")
                assert banded == expected, (born, on)


def test_the_default_population_file_loads_and_adds_up():
    spec = parse_population(DEFAULT_POPULATION_FILE.read_text(encoding="utf-8"))
    assert spec.scope == "national" and spec.year == 2021 and spec.population == 59_597_542
    assert spec.shares["ethnicity"]["white"] == Decimal("81.7")
    assert spec.approximate["age_band"] is True and spec.approximate["ethnicity"] is False
    for shares in spec.shares.values():
        assert abs(sum(shares.values()) - 100) <= Decimal("0.5")


def _file(**changes: str) -> str:
    text = DEFAULT_POPULATION_FILE.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("black = 4.0\n", "", "ethnicity: missing share for black"),
        ("white = 81.7", "white = 91.7", "ethnicity: shares add up to 110.0"),
        ("male = 49.0", "male = 49.0\nunknown = 0", "sex: unknown group unknown"),
        ('scope = "national"', 'scope = "atlantis"', "scope: 'atlantis' is neither"),
        ("flag_threshold = 1.25", "flag_threshold = 0.5", "flag_threshold: must be between 1 and 10"),
        ("sikh = 0.9", "sikh = -0.9", "religion.sikh: share -0.9 is not between 0 and 100"),
    ],
)
def test_a_bad_population_file_is_rejected_naming_the_problem(old, new, problem):
    with pytest.raises(PopulationFileError, match=problem.replace("(", r"\(")):
        parse_population(_file(**{old: new}), ["london"])


def _lines(scopes, groups):
    for s in [*scopes, NATIONAL]:
        yield [(s, g) for g in groups]
    for g in [*groups, TOTAL]:
        yield [(s, g) for s in scopes]


def test_suppression_by_hand():
    # Hub a: 3 black (withheld: under 5), 20 white. Hub b: 10 black, 12 white.
    raw = {("a", "black"): 3, ("a", "white"): 20, ("b", "black"): 10, ("b", "white"): 12}
    counts = complete_counts(raw, ["a", "b"], ["black", "white", NOT_RECORDED])
    assert (
        counts[(NATIONAL, "black")] == 13 and counts[("a", TOTAL)] == 23 and counts[(NATIONAL, TOTAL)] == 45
    )
    withheld = suppress_table(counts, ["a", "b"], ["black", "white", NOT_RECORDED])
    # a's 20 white would give away the 3 (23 - 20); b's 10 black would give it away from the national 13;
    # then b's white (12) would give away b's black from b's total. The national row (13, 32) can stay:
    # four unknowns with only three independent totals cannot be solved.
    assert withheld == {("a", "black"), ("a", "white"), ("b", "black"), ("b", "white")}


def test_no_suppressed_cell_is_alone_in_a_line():
    """Whatever the table, no row or column is left with exactly one withheld cell that other non-zero
    published cells could pin down (a line with one withheld cell may remain only if every other cell is 0,
    in which case the withheld count is at most the line total and that total is itself withheld or large)."""
    rng = random.Random(5)
    groups = ["g1", "g2", "g3", NOT_RECORDED]
    scopes = ["h1", "h2", "h3", "h4"]
    for _ in range(300):
        raw = {(s, g): rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20]) for s in scopes for g in groups}
        counts = complete_counts(raw, scopes, groups)
        withheld = suppress_table(counts, scopes, groups)
        assert all(k in withheld for k in counts if 0 < counts[k] < 5)
        for line in _lines(scopes, groups):
            hidden = [k for k in line if k in withheld]
            if len(hidden) == 1:
                assert all(counts.get(k, 0) == 0 for k in line if k not in withheld), line


# ---------------------------------------------------------------------------------------------------------
# The report over a constructed cohort
# ---------------------------------------------------------------------------------------------------------

REFERENCE_SHARES = {
    "ethnicity": {"white": 80, "black": 10, "asian": 5, "mixed": 3, "other": 2},
    "sex": {"female": 50, "male": 50},
    "age_band": {"under 18": 20, "18-24": 10, "25-34": 20, "35-44": 20, "45-54": 15, "55+": 15},
    "religion": {
        "none": 40,
        "christian": 40,
        "buddhist": 2,
        "hindu": 2,
        "jewish": 2,
        "muslim": 10,
        "sikh": 2,
        "other": 1,
        "declined": 1,
    },
}


@pytest.fixture
def simple_population(db) -> ReferencePopulation:
    population = ReferencePopulation.objects.create(
        code="test-1000",
        name="A population of 1000",
        year=2021,
        population=1000,
        source="Made up for the test",
    )
    ReferenceShare.objects.bulk_create(
        ReferenceShare(population=population, characteristic=c, group=g, share=Decimal(v))
        for c, groups in REFERENCE_SHARES.items()
        for g, v in groups.items()
    )
    return population


def _person(
    owner,
    hub_code,
    n,
    *,
    sex="M",
    self_eth="W1",
    officer="IC1",
    religion="christian",
    dob=date(1990, 1, 1),
    state="adopted",
    classification=Classification.OFFICIAL_SENSITIVE,
):
    ids = []
    for i in range(n):
        nominal = make_nominal(owner, hub_code=hub_code, family=f"Eq{hub_code[:3]}{self_eth}{i}", dob=dob)
        ids.append(nominal.pk)
    Nominal.objects.filter(pk__in=ids).update(
        sex=sex,
        ethnicity_self=self_eth,
        ethnicity_officer=officer,
        religion=religion,
        membership_state=state,
        classification=classification,
    )
    return ids


@pytest.fixture
def cohort(db):
    owner = make_user("eq.owner", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    # London, 25 adopted: white 10, black 10 (6 self-defined, 4 officer-defined), asian 5.
    _person(owner, "london", 10, self_eth="W1", officer="IC1", religion="christian")
    _person(owner, "london", 6, self_eth="B1", officer="IC3", religion="none")
    _person(owner, "london", 4, sex="F", self_eth="NS", officer="IC3", religion="none")
    _person(owner, "london", 5, sex="F", self_eth="A2", officer="IC4", religion="", dob=date(2000, 1, 1))
    # Yorkshire, 15 adopted: white 10 (aged 66), asian 5.
    _person(owner, "yorkshire-humber", 10, self_eth="W1", religion="christian", dob=date(1960, 1, 1))
    _person(owner, "yorkshire-humber", 5, self_eth="A1", officer="IC4", religion="muslim")
    # Not counted in the adopted cohort, or not by a viewer cleared only to OFFICIAL-SENSITIVE.
    _person(owner, "london", 1, self_eth="W2", state="referred")
    _person(owner, "london", 1, self_eth="W2", state="exited")
    _person(owner, "london", 1, self_eth="B2", classification=Classification.SECRET)
    return owner


def _board(clearance=Classification.OFFICIAL_SENSITIVE):
    existing = User.objects.filter(username=f"eq.board.{clearance.lower()}").first()
    if existing is not None:
        return existing
    return make_user(
        f"eq.board.{clearance.lower()}",
        [Role.BOARD_MEMBER],
        hub_code=None,
        agency_code="home-office-ie",
        clearance=clearance,
    )


def _table(scope, code):
    return next(t for t in scope.tables if t.code == code)


def _counts(table):
    return {r.code: r.count for r in table.rows} | {NOT_RECORDED: table.not_recorded}


def test_counts_by_hub_and_nationally(cohort, simple_population):
    report = equality_report(
        actor=_board(), options=EqualityOptions(population_id=simple_population.pk), today=TODAY
    )
    national = report.scope(NATIONAL)
    london = report.scope(str(hub("london").pk))
    yorkshire = report.scope(str(hub("yorkshire-humber").pk))
    assert (national.total, london.total, yorkshire.total) == (40, 25, 15)
    assert _counts(_table(national, "ethnicity")) == {
        "asian": 10,
        "black": 10,
        "mixed": 0,
        "white": 20,
        "other": 0,
        NOT_RECORDED: 0,
    }
    assert _counts(_table(london, "ethnicity")) == {
        "asian": 5,
        "black": 10,
        "mixed": 0,
        "white": 10,
        "other": 0,
        NOT_RECORDED: 0,
    }
    assert _counts(_table(national, "sex")) == {"female": 9, "male": 31, NOT_RECORDED: 0}
    assert _counts(_table(national, "religion")) == {
        "none": 10, "christian": 20, "buddhist": 0, "hindu": 0, "jewish": 0, "muslim": 5, "sikh": 0, "other": 0, "declined": 0, NOT_RECORDED: 5,
    }  # fmt: skip
    # As at 30 June 2026: born 1 Jan 1990 → 36, 1 Jan 2000 → 26, 1 Jan 1960 → 66.
    assert _counts(_table(national, "age_band")) == {
        "under 18": 0,
        "18-24": 0,
        "25-34": 5,
        "35-44": 25,
        "45-54": 0,
        "55+": 10,
        NOT_RECORDED: 0,
    }
    # Shares are of those recorded: Muslim 5 of the 35 with a religion recorded.
    muslim = next(r for r in _table(national, "religion").rows if r.code == "muslim")
    assert muslim.share == pytest.approx(100 * 5 / 35)
    # Every hub is there for the Board, each with the same suppression whoever looks.
    assert len(report.scopes) == 1 + 10


def test_relative_rate_index_and_interval_by_hand(cohort, simple_population):
    """Black, national: a = 10 of n1 = 40 recorded; reference c = 10% of n2 = 1000 = 100.
    RRI = (10/40)/(100/1000) = 2.5. SE(ln RRI) = sqrt(1/10 − 1/40 + 1/100 − 1/1000) = sqrt(0.084)
    = 0.2898275; bounds exp(ln 2.5 ± 1.959964 × 0.2898275) = 1.41657 and 4.41206.
    Asian: a = 10, c = 50: RRI = (10/40)/(50/1000) = 5; SE = sqrt(1/10 − 1/40 + 1/50 − 1/1000)
    = sqrt(0.094) = 0.3065942; bounds 2.74155 and 9.11892. White: 20/40 ÷ 0.8 = 0.625."""
    report = equality_report(
        actor=_board(), options=EqualityOptions(population_id=simple_population.pk), today=TODAY
    )
    rows = {r.code: r for r in _table(report.scope(NATIONAL), "ethnicity").rows}
    black, asian, white = rows["black"], rows["asian"], rows["white"]
    assert black.rate.rri == pytest.approx(2.5, abs=1e-12)
    assert black.rate.lower == pytest.approx(1.41657, abs=5e-5)
    assert black.rate.upper == pytest.approx(4.41206, abs=5e-5)
    assert asian.rate.rri == pytest.approx(5.0, abs=1e-12)
    assert (asian.rate.lower, asian.rate.upper) == (
        pytest.approx(2.74155, abs=5e-5),
        pytest.approx(9.11892, abs=5e-5),
    )
    assert white.rate.rri == pytest.approx(0.625)
    assert rows["mixed"].rate is None  # no one in the group: the index is undefined, not zero
    assert black.share == pytest.approx(25.0) and black.reference_share == pytest.approx(10.0)


def test_flag_needs_the_whole_interval_above_the_threshold(cohort, simple_population):
    def flagged(threshold):
        options = EqualityOptions(population_id=simple_population.pk, threshold=Decimal(threshold))
        report = equality_report(actor=_board(), options=options, today=TODAY)
        return {r.code for r in _table(report.scope(NATIONAL), "ethnicity").rows if r.flagged}

    assert flagged("1.25") == {"black", "asian"}  # black's lower bound 1.417 > 1.25
    assert flagged("1.5") == {"asian"}  # 1.417 is not above 1.5, though the estimate (2.5) is
    assert flagged("3") == set()  # asian's lower bound 2.74 is not above 3, though its estimate is 5
    # The population's own threshold is used when none is given.
    simple_population.flag_threshold = Decimal("1.5")
    simple_population.save()
    report = equality_report(
        actor=_board(), options=EqualityOptions(population_id=simple_population.pk), today=TODAY
    )
    assert report.threshold == Decimal("1.5")


def test_small_counts_are_withheld_with_their_index_and_one_more(cohort, simple_population):
    report = equality_report(
        actor=_board(), options=EqualityOptions(population_id=simple_population.pk), today=TODAY
    )
    london = report.scope(str(hub("london").pk))
    basis = _table(london, "ethnicity_basis")
    rows = {r.code: r for r in basis.rows}
    # 4 officer-defined (under 5) and so also the 21 self-defined, else 25 − 21 would give the 4 away.
    assert rows["officer"].count is None and rows["officer"].share is None
    assert rows["self"].count is None
    assert basis.total == 25
    national_basis = {r.code: r.count for r in _table(report.scope(NATIONAL), "ethnicity_basis").rows}
    assert national_basis == {"self": None, "officer": None}


def test_clearance_cohort_and_tier_choose_who_is_counted(cohort, simple_population):
    options = EqualityOptions(population_id=simple_population.pk)
    secret_board = equality_report(actor=_board(Classification.SECRET), options=options, today=TODAY)
    assert secret_board.scope(NATIONAL).total == 41  # the SECRET record is counted for a SECRET viewer
    active = equality_report(actor=_board(), options=EqualityOptions(cohort="active"), today=TODAY)
    assert active.scope(NATIONAL).total == 41  # the referred person too; never the exited one
    # Tier 1 only: six assessed at tier 1.
    six = list(Nominal.objects.filter(owner_hub__code="london", ethnicity_self="W1")[:6])
    for nominal in six:
        services.assessment_submit(actor=cohort, nominal=nominal, levels=WORKED_LEVELS, grades=WORKED_GRADES)
    tier1 = equality_report(actor=_board(), options=EqualityOptions(tier="1"), today=TODAY)
    assert tier1.scope(NATIONAL).total == 6
    assert (
        equality_report(actor=_board(), options=EqualityOptions(tier="2"), today=TODAY).scope(NATIONAL).total
        == 0
    )


def test_the_default_population_is_loaded_by_migration(db):
    population = default_population()
    assert population is not None and population.code == "ew-census-2021" and population.hub is None
    assert population.shares.filter(characteristic="ethnicity").count() == len(ETHNICITY.groups)
    assert population.shares.filter(characteristic="age_band", approximate=True).count() == len(AGE.groups)


# ---------------------------------------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------------------------------------


def test_hub_staff_see_their_hub_and_the_national_picture(cohort):
    manager = make_user("eq.london.mgr", [Role.HUB_MANAGER])
    report = equality_report(actor=manager, options=EqualityOptions(), today=TODAY)
    assert [s.key for s in report.scopes] == [NATIONAL, str(hub("london").pk)]
    # Asking for another hub's page falls back to the national figures.
    response = signed_in(manager).get(f"/equality/?scope={hub('yorkshire-humber').pk}")
    assert response.status_code == 200
    assert response.context["selected"].key == NATIONAL
    # The export holds the same scopes, and nothing of another hub.
    export = signed_in(manager).get("/equality/export.csv").content.decode()
    scopes = {row[0] for row in list(csv.reader(io.StringIO(export)))[1:]}
    assert scopes == {"National (all hubs)", "London hub"}


def test_bad_filter_input_is_named_and_the_default_used(cohort):
    board = _board()
    response = signed_in(board).get("/equality/?threshold=abc&cohort=everyone")
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "Enter a number." in html
    assert "Select a valid choice. everyone is not one of the available choices." in html
    report = response.context["report"]
    assert report.options.cohort == "adopted" and report.threshold == Decimal("1.25")


@pytest.mark.parametrize(
    ("roles", "hub_code", "allowed"),
    [
        ((Role.HUB_MANAGER,), "london", True),
        ((Role.ANALYST,), "london", True),
        ((Role.HUB_OFFICER,), "london", False),
        ((Role.PARTNER_OFFICER,), "london", False),
        ((Role.NATIONAL_ANALYST,), "national", True),
        ((Role.BOARD_MEMBER,), None, True),
        ((Role.INSPECTOR,), None, False),
        ((Role.SYSTEM_ADMIN,), None, False),
    ],
)
def test_who_may_open_the_report(cohort, roles, hub_code, allowed, token_for):
    user = make_user(f"eq.{roles[0]}", roles, hub_code=hub_code, agency_code="hmpps-marsoc")
    if not allowed:
        with pytest.raises(NotFoundOrForbidden):
            equality_report(actor=user, options=EqualityOptions())
    client = signed_in(user)
    token = token_for(user)
    for path in ["/equality/", "/equality/export.csv", "/equality/populations/"]:
        assert client.get(path).status_code == (200 if allowed else 404), path
    api = client.get("/api/equality/report", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == (200 if allowed else 404)


def test_the_board_page_names_nobody_and_is_audited(cohort):
    board = _board()
    before = AuditEvent.objects.count()
    response = signed_in(board).get("/equality/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Eqlon" not in html and "MH0" not in html  # neither a name nor a reference
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.operation, event.action, event.actor_id) == (
        "consultation",
        "equality.report.view",
        board.pk,
    )
    assert event.details["scope"] == NATIONAL


def test_export_is_a_disclosure_with_withheld_cells(cohort):
    analyst = make_user("eq.nat", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc")
    response = signed_in(analyst).get("/equality/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["scope", "characteristic", "group", "count"]
    london_officer = [
        r for r in body if r[0] == "London hub" and r[1] == "ethnicity_basis" and r[2].startswith("Officer")
    ]
    assert london_officer[0][3] == "withheld" and london_officer[0][4] == ""
    national_black = next(
        r for r in body if r[0] == "National (all hubs)" and r[1] == "ethnicity" and r[2].startswith("Black")
    )
    assert national_black[3] == "11"  # this analyst is cleared to SECRET, so the SECRET record counts
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.operation, event.action) == ("disclosure", "equality.export")
    assert event.recipients == [analyst.display_label]


def test_api_report_gives_null_for_withheld_counts(cohort, token_for, simple_population):
    board = _board()
    data = (
        signed_in(board)
        .get(
            f"/api/equality/report?population={simple_population.pk}",
            HTTP_AUTHORIZATION=f"Bearer {token_for(board)}",
        )
        .json()
    )
    national = data["scopes"][0]
    assert national["scope"] == NATIONAL and national["total"] == 40
    ethnicity = next(t for t in national["tables"] if t["characteristic"] == "ethnicity")
    black = next(g for g in ethnicity["groups"] if g["group"] == "black")
    assert black["count"] == 10 and black["rri"] == pytest.approx(2.5) and black["flagged"] is True
    assert black["ci95_lower"] == pytest.approx(1.41657, abs=5e-5)
    london = next(s for s in data["scopes"] if s["label"] == "London hub")
    basis = next(t for t in london["tables"] if t["characteristic"] == "ethnicity_basis")
    assert {g["group"]: g["count"] for g in basis["groups"]} == {"self": None, "officer": None}
    bad = signed_in(board).get(
        "/api/equality/report?cohort=everyone", HTTP_AUTHORIZATION=f"Bearer {token_for(board)}"
    )
    assert bad.status_code == 422
    populations = (
        signed_in(board)
        .get("/api/equality/populations", HTTP_AUTHORIZATION=f"Bearer {token_for(board)}")
        .json()
    )
    assert {p["code"] for p in populations} == {"ew-census-2021", "test-1000"}
    assert (
        AuditEvent.objects.filter(
            action="equality.report.view", details__surface="api", actor_id=board.pk
        ).count()
        == 1
    )


# ---------------------------------------------------------------------------------------------------------
# Changing the reference population
# ---------------------------------------------------------------------------------------------------------


def _form_data(population: ReferencePopulation, **overrides: str) -> dict[str, str]:
    data = {
        "name": population.name,
        "source": population.source,
        "source_url": population.source_url,
        "year": str(population.year),
        "flag_threshold": str(population.flag_threshold),
    }
    for share in population.shares.all():
        data[f"{share.characteristic}__{share.group}"] = str(share.share)
    data.update(overrides)
    return data


def test_national_analyst_corrects_a_figure_and_it_is_audited(db):
    analyst = make_user("eq.nat2", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc")
    population = default_population()
    client = signed_in(analyst)
    response = client.post(
        f"/equality/populations/{population.pk}/",
        _form_data(population, **{"age_band__under 18": "21.0", "age_band__55+": "30.8"}),
    )
    assert response.status_code == 302
    assert population.shares.get(characteristic="age_band", group="under 18").share == Decimal("21.000")
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.operation, event.action) == ("alteration", "equality.population.update")
    assert event.details["changed"]["age_band.under 18"] == ["21.200", "21.0"]


def test_shares_that_do_not_add_up_are_refused_and_nothing_changes(db):
    analyst = make_user("eq.nat3", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc")
    population = default_population()
    response = signed_in(analyst).post(
        f"/equality/populations/{population.pk}/",
        _form_data(population, **{"sex__male": "60", "year": "1800"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "sex: shares add up to 111.000, not 100" in html
    assert "Enter a year between 1900 and 2100" in html
    assert population.shares.get(characteristic="sex", group="male").share == Decimal("49.000")


def test_only_the_national_team_may_change_populations(db):
    manager = make_user("eq.mgr4", [Role.HUB_MANAGER])
    population = default_population()
    assert signed_in(manager).get(f"/equality/populations/{population.pk}/").status_code == 200
    assert (
        signed_in(manager).post(f"/equality/populations/{population.pk}/", _form_data(population)).status_code
        == 404
    )
    assert signed_in(manager).post("/equality/populations/", {}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.reference_population_load(actor=manager, text=DEFAULT_POPULATION_FILE.read_text())


def test_loading_a_hub_population_file(db):
    national_manager = make_user(
        "eq.natmgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc"
    )
    text = _file(
        **{'code = "ew-census-2021"': 'code = "london-2021"', 'scope = "national"': 'scope = "london"'}
    )
    population = services.reference_population_load(actor=national_manager, text=text, make_default=True)
    assert population.hub == hub("london") and population.is_default
    assert default_population().code == "ew-census-2021"  # the national default is untouched
    with pytest.raises(ValidationFailed) as err:
        services.reference_population_load(
            actor=national_manager, text=text.replace("white = 81.7", "white = 1")
        )
    assert "ethnicity: shares add up to" in " ".join(err.value.errors["population_file"])
    upload = io.BytesIO(b"not = [toml")
    upload.name = "x.toml"
    response = signed_in(national_manager).post("/equality/populations/", {"population_file": upload})
    assert response.status_code == 200 and "not valid TOML" in response.content.decode()


def test_suppression_is_the_same_whoever_looks(cohort):
    """A hub manager's view of their hub equals the Board's view of it (one suppression for the table)."""
    manager = make_user("eq.london.mgr2", [Role.HUB_MANAGER], clearance=Classification.OFFICIAL_SENSITIVE)
    mine = equality_report(actor=manager, options=EqualityOptions(), today=TODAY).scope(str(hub("london").pk))
    boards = equality_report(actor=_board(), options=EqualityOptions(), today=TODAY).scope(
        str(hub("london").pk)
    )
    assert mine == boards
