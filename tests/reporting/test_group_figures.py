"""Disruption outcomes against organised crime groups: the Board's figures by threat band, crime type and
hub (suppressed, never a named group), and the per-group table the national team alone is shown.

A small world built here: London people disrupted through a band 1 group (drugs supply and firearms),
Yorkshire people through a group never assessed (fraud), and outcomes that must not count (a claim not
validated, a validated outcome about no group, a restricted person)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from marsoc.core.vocabulary import Role
from marsoc.network.models import GroupAssessment, OrganisedCrimeGroup
from marsoc.nominals.models import Nominal
from marsoc.plans.models import Action, Outcome, Plan
from marsoc.reporting import group_figures as g
from marsoc.reporting.models import Figure, Snapshot
from marsoc.reporting.periods import Period
from marsoc.reporting.report import dashboard
from marsoc.reporting.selectors import report_viewer
from marsoc.reporting.services import snapshot_build
from marsoc.rights.models import PersonRestriction

from ..conftest import agency, hub, make_nominal, make_user, signed_in
from ..plans.helpers import tactic
from .helpers import reporting_text

pytestmark = pytest.mark.django_db
LONDON, YORKSHIRE = "London hub", "Yorkshire and the Humber hub"


def _group(owner, hub_code: str, name: str, crimes: list[str], band: str | None) -> OrganisedCrimeGroup:  # type: ignore[no-untyped-def]
    group = OrganisedCrimeGroup.objects.create(
        name=name, crime_types=crimes, owner_hub=hub(hub_code), originating_agency=agency("mps"),
        recorded_by=owner, recorded_at=timezone.now(),
    )  # fmt: skip
    if band:
        GroupAssessment.objects.create(
            group=group, method_code="marsoc-ocg-v1", method_version=1, method_fingerprint="0" * 64,
            levels={}, score=70.0, band=band, band_name=f"Band {band} (very high threat)", confidence=1.0,
            result={}, rationale="test", assessed_by=owner, assessed_at=timezone.now() - timedelta(days=40),
        )  # fmt: skip
    return group


def _outcome(
    owner, nominal: Nominal, group: OrganisedCrimeGroup | None, effect: str, status: str = "validated"
) -> None:  # type: ignore[no-untyped-def]
    plan, _ = Plan.objects.get_or_create(
        nominal=nominal, defaults={"owner_agency": agency("mps"), "created_at": timezone.now()}
    )
    action = Action.objects.create(
        plan=plan, tactic=tactic("hmrc-tax-investigation"), agency=agency("hmrc"), target_group=group,
        due_date=timezone.localdate(), created_at=timezone.now(),
    )  # fmt: skip
    Outcome.objects.create(
        action=action, agency=agency("hmrc"), claimed_by=owner, claimed_at=timezone.now(),
        occurred_on=timezone.localdate(), rating="moderate", group_effect=effect, justification="test",
        status=status,
    )  # fmt: skip


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    owner = make_user("groups.owner", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    band1 = _group(owner, "london", "Riverside Crew", ["drugs_supply", "firearms"], "1")
    unassessed = _group(owner, "yorkshire-humber", "Moorland Syndicate", ["fraud"], None)

    def person(hub_code: str, family: str) -> Nominal:
        return make_nominal(owner, hub_code=hub_code, family=family)

    london = [person("london", f"Lon{i}") for i in range(6)]
    for n in london:
        _outcome(owner, n, band1, "less_capable")
    _outcome(owner, london[0], band1, "less_capable")  # a second outcome: still one person
    _outcome(owner, person("london", "LonDismantled"), band1, "dismantled")  # one person: a small count
    yorkshire = [person("yorkshire-humber", f"Yor{i}") for i in range(7)]
    for n in yorkshire:
        _outcome(owner, n, unassessed, "no_change")
    # Not counted: a claim not yet validated, a validated outcome about no group, a restricted person.
    _outcome(owner, person("yorkshire-humber", "YorClaim"), unassessed, "no_change", status="claimed")
    _outcome(owner, person("yorkshire-humber", "YorNoGroup"), None, "")
    hidden = person("london", "LonRestricted")
    _outcome(owner, hidden, band1, "less_capable")
    PersonRestriction.objects.create(
        nominal=hidden, reason="test", review_on=timezone.localdate() + timedelta(days=90), contact="DPO",
        created_by=owner, created_at=timezone.now(),
    )  # fmt: skip
    snapshot_build(month=timezone.localdate().replace(day=1))
    return {"owner": owner, "band1": band1, "unassessed": unassessed}


def _figures(measure: str) -> Counter:
    snapshot = Snapshot.objects.get(month=timezone.localdate().replace(day=1))
    rows = Figure.objects.filter(snapshot=snapshot, measure=measure).values("hub__code", "category")
    return Counter({(r["hub__code"], r["category"]): r["n"] for r in rows.annotate(n=Sum("value"))})


def test_the_snapshot_counts_people_disrupted_through_a_group_by_band_and_crime_type(world):
    assert _figures(g.GROUP_BAND) == Counter(
        {
            ("london", "1|less_capable"): 6,
            ("london", "1|dismantled"): 1,
            ("yorkshire-humber", "none|no_change"): 7,
        }
    )
    assert _figures(g.GROUP_CRIME) == Counter(
        {
            ("london", "drugs_supply|less_capable"): 6,
            ("london", "drugs_supply|dismantled"): 1,
            ("london", "firearms|less_capable"): 6,
            ("london", "firearms|dismantled"): 1,
            ("yorkshire-humber", "fraud|no_change"): 7,
        }
    )


def _month() -> Period:
    return Period("month", timezone.localdate().replace(day=1))


def test_the_board_sees_bands_crime_types_and_hubs_suppressed_and_no_group_named(world):
    board = make_user("board.groups", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    built = dashboard(viewer=report_viewer(actor=board), period=_month())
    tables = {t.key: t for t in built.tables}
    assert "named-groups" not in tables
    effects = list(g.EFFECTS)
    col = {code: i for i, code in enumerate(effects)}
    rows = {r.label: r.cells for r in tables["group-effect"].rows}
    # Yorkshire: 7 people, no change to the group, shown; its total 7.
    assert rows[YORKSHIRE][col["no_change"]] == 7
    assert rows[YORKSHIRE][-1] == 7
    # London: the one person whose outcome dismantled the group is withheld, and so is one more cell of
    # London's row (else 7 - 6 gives the 1 away); the national dismantled figure (1) is withheld too.
    assert rows[LONDON][col["dismantled"]] is None
    assert [c for c in rows[LONDON] if c is None] and sum(c is None for c in rows[LONDON]) >= 2
    assert rows["All hubs (national)"][col["dismantled"]] is None
    for table in ("group-effect", "group-band", "group-crime"):
        for row in tables[table].rows:
            assert all(c is None or c == 0 or c >= 5 for c in row.cells), (table, row.label, row.cells)
    # The band table: the not-assessed group's 7 people, by band label, never by name.
    band_rows = {r.label: r.cells for r in tables["group-band"].rows}
    assert band_rows["Not assessed"][col["no_change"]] == 7
    assert "Band 1 (very high threat)" in band_rows
    crime_rows = {r.label: r.cells for r in tables["group-crime"].rows}
    # A person counts in each crime type of the group: 7 in firearms, 7 in drugs supply and 7 in fraud,
    # 21 in all; 12 made a group less capable (6 people, two crime types). The dismantled cells and what
    # would give them away are withheld (drugs supply's total beside firearms', fraud's beside it).
    assert crime_rows["Firearms"][-1] == 7
    assert crime_rows["Every crime type"][col["less_capable"]] == 12
    assert crime_rows["Every crime type"][-1] == 21
    assert crime_rows["Every crime type"][col["dismantled"]] is None
    assert crime_rows["Money laundering"][-1] == 0
    assert "group-trend" in {b.chart.key for b in built.charts}
    text = str(built.to_data())
    assert "Riverside" not in text and "Moorland" not in text and "OCG0" not in text


def test_the_national_team_alone_sees_each_named_group(world):
    analyst = make_user("national.groups", [Role.NATIONAL_ANALYST], hub_code="national")
    built = dashboard(viewer=report_viewer(actor=analyst), period=_month())
    named = {t.key: t for t in built.tables}["named-groups"]
    assert not named.board_pack
    rows = {r.label: (r.cells, r.extra) for r in named.rows}
    band1, unassessed = world["band1"], world["unassessed"]
    # People disrupted, then outcomes by effect (dismantled, less capable, no change, not said), in all.
    assert rows[f"{band1.reference} Riverside Crew"] == (
        [7, 1, 7, 0, 0, 8],
        [LONDON, "Band 1 (very high threat)"],
    )
    assert rows[f"{unassessed.reference} Moorland Syndicate"] == (
        [7, 0, 0, 7, 0, 7],
        [YORKSHIRE, "Not assessed"],
    )
    # A group the analyst's clearance does not reach is not in the table.
    OrganisedCrimeGroup.objects.filter(pk=unassessed.pk).update(classification="SECRET")
    cleared_less = make_user(
        "national.groups2", [Role.NATIONAL_ANALYST], hub_code="national", clearance="OFFICIAL-SENSITIVE"
    )
    built = dashboard(viewer=report_viewer(actor=cleared_less), period=_month())
    labels = [r.label for r in {t.key: t for t in built.tables}["named-groups"].rows]
    assert labels == [f"{band1.reference} Riverside Crew"]


def test_group_names_reach_no_board_document_and_the_pack_never_names_a_group(world, token_for):
    board = make_user("board.docs", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    analyst = make_user("national.docs", [Role.NATIONAL_ANALYST], hub_code="national")
    month = timezone.localdate().replace(day=1)
    paths = [
        f"/reporting/?period=month&at={month:%Y-%m}",
        f"/api/reporting/board?period=month&at={month:%Y-%m}",
    ]
    for fmt in ("xlsx", "csv"):
        paths.append(f"/reporting/export.{fmt}?period=month&at={month:%Y-%m}")
    board_client, analyst_client = signed_in(board), signed_in(analyst)
    for path in paths:
        if path.startswith("/api/"):
            board_text = reporting_text(
                board_client.get(path, HTTP_AUTHORIZATION=f"Bearer {token_for(board)}")
            )
            analyst_text = reporting_text(
                analyst_client.get(path, HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}")
            )
        else:
            board_text = reporting_text(board_client.get(path))
            analyst_text = reporting_text(analyst_client.get(path))
        assert "disruption outcome against an organised crime group" in board_text, path
        assert "Riverside Crew" not in board_text, path
        assert "Riverside Crew" in analyst_text, path
    pack = reporting_text(analyst_client.get("/reporting/pack.pdf"))
    assert "organised crime group" in pack
    assert "Riverside Crew" not in pack and "Moorland Syndicate" not in pack


def test_the_openapi_document_describes_the_group_figures(db):
    reader = make_user("board.openapi", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    schema = signed_in(reader).get("/api/openapi.json").json()
    operation = schema["paths"]["/api/reporting/board"]["get"]
    assert "organised crime groups" in operation["description"]
    assert "per named group for the national team only" in " ".join(operation["description"].split())
