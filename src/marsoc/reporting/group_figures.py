"""Disruption outcomes against organised crime groups (issue 17: "per person and per group").

An outcome reaches a group through its action's target group (plans.Action.target_group) and says what
the disruption did to it (Outcome.group_effect). Two kinds of figure:

- **For the Board (stored in the snapshots, suppressed as every other table):** people with a validated
  outcome in the month on an action that targeted a group, by the group's threat band (its latest
  assessment by the month's end) and the effect on the group, and by the group's crime type and the
  effect. Counted by the person's owner hub and classification like every other figure, so a cell is
  always a count of people and the small-numbers rule applies to it. No group is named: a group's name,
  reference or hub of its own never reaches a Board member (groups are classified records).
- **For the national team only (rule "reporting.named_groups"):** one row per named group the viewer may
  see through the access façade (clearance and reach), with its validated outcomes in the period. Built
  from the records when the dashboard is built, never stored in a snapshot, and left out of the Board
  pack (the pack is issued to the Board). It is not suppressed: the viewer may open each group and its
  members anyway, so withholding would hide nothing from them (docs/reporting.md).
"""

from collections import defaultdict
from datetime import date

from django.db.models import OuterRef, Subquery

from marsoc.core import access
from marsoc.network.models import GroupAssessment, OrganisedCrimeGroup
from marsoc.network.vocabulary import CrimeType
from marsoc.plans.vocabulary import GroupEffect, OutcomeStatus

from .blocks import ChartBlock, describe, trend_table
from .charts import stacked_bar_chart
from .figures import cross_of, found_parts
from .measures import OUTCOME_PATHS, Count_, counted, end_of_day, outcomes_between
from .periods import Period
from .selectors import NATIONAL, TOTAL, Row, Series, Table, Trend, Viewer
from .suppression import a_cell, b_cell
from .timings import histogram

GROUP_BAND = "group_band"  # people with a validated outcome against a group; category: "band|effect"
GROUP_CRIME = "group_crime"  # the same; category: "crime type|effect" (each crime type of the group)
NOT_ASSESSED = "none"  # a group with no assessment by the month's end
NOT_RATED = "not_rated"  # an outcome that did not say what it did to the group
EFFECTS = {**{str(k): str(v) for k, v in GroupEffect.choices}, NOT_RATED: "Effect on the group not said"}
CRIMES = {str(k): str(v) for k, v in CrimeType.choices}
NATIONAL_LABEL = "All hubs (national)"


def group_outcome_counts(start: date, end: date) -> list[Count_]:
    """The month's people with a validated outcome against a group, by band and by crime type."""
    hub, classification, person = OUTCOME_PATHS
    band_then = (
        GroupAssessment.objects.filter(
            group=OuterRef("action__target_group"), assessed_at__lte=end_of_day(end)
        )
        .order_by("-assessed_at", "-id")
        .values("band")[:1]
    )
    rows = (
        counted(outcomes_between(start, end).filter(status=OutcomeStatus.VALIDATED), person)
        .filter(action__target_group__isnull=False)
        .annotate(band_then=Subquery(band_then))
        .values_list(
            person, classification, hub, "band_then", "group_effect", "action__target_group__crime_types"
        )
    )
    bands, crimes = [], []
    for nominal_id, cls, hub_id, band, effect, crime_types in rows:
        effect = effect or NOT_RATED
        bands.append((nominal_id, cls, hub_id, f"{band or NOT_ASSESSED}|{effect}"))
        crimes += [(nominal_id, cls, hub_id, f"{crime}|{effect}") for crime in crime_types or []]
    return [*histogram(bands, GROUP_BAND), *histogram(crimes, GROUP_CRIME)]


def band_labels(viewer: Viewer, months: list[date]) -> dict[str, str]:
    """The threat bands found in the figures, named as the group method names them."""
    found = [c for c in found_parts(viewer, GROUP_BAND, months, 0) if c != NOT_ASSESSED]
    names = dict(
        GroupAssessment.objects.filter(band__in=found).values_list("band", "band_name").distinct().order_by()
    )
    return {**{c: names.get(c) or f"Band {c}" for c in sorted(found)}, NOT_ASSESSED: "Not assessed"}


def _cross_rows(cells: dict[tuple[str, str], int | None], labels: dict[str, str], every: str) -> list[Row]:
    rows = [
        Row(label, False, [*(cells[(NATIONAL, f"{a}|{e}")] for e in EFFECTS), cells[(NATIONAL, a_cell(a))]])
        for a, label in labels.items()
    ]
    rows.append(
        Row(every, True, [*(cells[(NATIONAL, b_cell(e))] for e in EFFECTS), cells[(NATIONAL, TOTAL)]])
    )
    return rows


def group_tables(*, viewer: Viewer, period: Period) -> list[Table]:
    """The Board's group tables: each hub's people by the effect on the group, and the national
    cross-tables by the group's threat band and by its crime type (never a named group)."""
    bands = band_labels(viewer, period.months)
    by_band = cross_of(viewer, GROUP_BAND, period, list(bands), list(EFFECTS), stock=False, hub_b=True)
    by_crime = cross_of(viewer, GROUP_CRIME, period, list(CRIMES), list(EFFECTS), stock=False)
    columns = [*EFFECTS.values(), "Total"]
    effect_cells = [*(b_cell(e) for e in EFFECTS), TOTAL]
    hub_rows = [Row(h.name, False, [by_band.cells[(h.code, c)] for c in effect_cells]) for h in viewer.shown]
    hub_rows.append(Row(NATIONAL_LABEL, True, [by_band.cells[(NATIONAL, c)] for c in effect_cells]))
    what = f"People with a validated disruption outcome against an organised crime group in {period.label}"
    tables = [
        Table("group-effect", f"{what}, by what it did to the group", columns, hub_rows),
        Table(
            "group-band",
            f"{what}, by the group's threat band and what it did to the group (all hubs; no group is named)",
            columns,
            _cross_rows(by_band.cells, bands, "Every band"),
            row_header="Group's threat band",
        ),
        Table(
            "group-crime",
            f"{what}, by the group's crime type and what it did to the group (all hubs; a group of several "
            "crime types counts in each)",
            columns,
            _cross_rows(by_crime.cells, CRIMES, "Every crime type"),
            row_header="Group's crime type",
        ),
    ]
    named = named_group_table(viewer=viewer, period=period)
    return [*tables, *([named] if named else [])]


def group_chart(*, viewer: Viewer, months: list[date]) -> ChartBlock:
    """The national people with a validated outcome against a group each month, by the effect on it."""
    shown = []
    for m in months:
        period = Period("month", m)
        bands = band_labels(viewer, [m])
        shown.append(cross_of(viewer, GROUP_BAND, period, list(bands), list(EFFECTS), stock=False).cells)
    trend = Trend(
        months,
        [
            Series(
                label, [None if (v := s.get((NATIONAL, b_cell(code)))) is None else float(v) for s in shown]
            )
            for code, label in EFFECTS.items()
        ],
    )
    title = (
        "People with a validated disruption outcome against an organised crime group each month, by what it "
        "did to the group, all hubs"
    )
    chart = stacked_bar_chart(
        key="group-trend",
        title=title,
        description=describe(trend.series, months),
        trend=trend,
        y_label="People",
    )
    return ChartBlock(chart, trend_table("group-trend-table", title, trend))


def named_group_table(*, viewer: Viewer, period: Period) -> Table | None:
    """Validated outcomes in the period per named group, for the national team only (None for anyone
    else). Only groups and people the viewer's reach covers; people the figures do not count (under a
    restriction) are left out as everywhere in the reports."""
    if not access.may(viewer.actor, "reporting.named_groups"):
        return None
    person = OUTCOME_PATHS[2]
    groups = access.visible(viewer.actor, "ocg", OrganisedCrimeGroup.objects.all()).values("pk")
    outcomes = (
        counted(outcomes_between(period.start, period.end).filter(status=OutcomeStatus.VALIDATED), person)
        .filter(action__target_group__in=groups)
        .values_list("action__target_group_id", person, "group_effect")
    )
    people: dict[int, set[int]] = defaultdict(set)
    effects: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(EFFECTS, 0))
    for group_id, nominal_id, effect in outcomes:
        people[group_id].add(nominal_id)
        effects[group_id][effect or NOT_RATED] += 1
    rows = []
    for group in OrganisedCrimeGroup.objects.filter(pk__in=list(people)).select_related("owner_hub"):
        counts = effects[group.pk]
        band = group.assessments.filter(current=True).values_list("band_name", flat=True).first()
        rows.append(
            Row(
                f"{group.reference} {group.name}",
                False,
                [len(people[group.pk]), *counts.values(), sum(counts.values())],
                extra=[group.owner_hub.name, band or "Not assessed"],
            )
        )
    rows.sort(key=lambda r: (-(r.cells[-1] or 0), r.label))
    return Table(
        "named-groups",
        f"Validated disruption outcomes against each organised crime group in {period.label} (national team "
        "only: groups are named here and nowhere else in the reports; not in the Board pack)",
        [
            "People disrupted",
            *(f"Outcomes: {label}" for label in EFFECTS.values()),
            "Outcomes in all",
            "Hub that owns the group",
            "Group's current threat band",
        ],
        rows,
        row_header="Group",
        board_pack=False,
    )
