"""Sortable headings and the MoJ filter layout on the cohort, priority and intelligence lists (issue 18).

Every column is sorted both ways by the database over the whole list (not the page shown), with the id
breaking ties the same way each time; a key the list does not know is named on the page and ignored; the
headings carry aria-sort and links that keep the filters; each selected filter is a tag whose link removes
it and keeps the others; and no order or filter shows a row out of the reader's scope."""

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from marsoc.accounts.models import Establishment
from marsoc.assessment import services as assessment_services
from marsoc.assessment.models import PriorityStatus
from marsoc.core.sorting import Sort, SortOrder
from marsoc.core.vocabulary import Role
from marsoc.intelligence.models import IntelItem
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import MembershipState

from ..conftest import hub, make_nominal, make_user, signed_in
from ..intelligence.helpers import make_item

pytestmark = pytest.mark.django_db

HEADING = re.compile(
    r'<th scope="col" class="[^"]*app-sortable" aria-sort="(\w+)"><a [^>]*href="([^"]*)">([^<]+)'
)


def expected(rows: Sequence[Any], key: Callable[[Any], Any], descending: bool, pk: str = "pk") -> list[int]:
    """The order the database must give: by the column then the id, the same way; empty values last."""
    present = sorted(
        (r for r in rows if key(r) is not None), key=lambda r: (key(r), getattr(r, pk)), reverse=descending
    )
    missing = sorted((r for r in rows if key(r) is None), key=lambda r: getattr(r, pk), reverse=descending)
    return [getattr(r, pk) for r in [*present, *missing]]


def headings(html: str) -> dict[str, tuple[str, str]]:
    """Each sortable heading's label, aria-sort and link."""
    return {label.strip(): (state, unescape(href)) for state, href, label in HEADING.findall(html)}


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


# --- the one implementation --------------------------------------------------------------------------------


def test_a_sort_is_a_whitelisted_key_or_nothing():
    order = SortOrder({"name": ("family_name",), "score": ("-score",)}, first_descending=frozenset({"score"}))
    assert order.parse("name") == Sort("name") and order.parse("-name") == Sort("name", descending=True)
    assert order.parse("") == Sort() and order.parse(None) == Sort()
    for bad in ("password", "family_name; DROP TABLE x", "--name", "-", "name,score", "x" * 500):
        parsed = order.parse(bad)
        assert parsed.key == "" and parsed.unknown == bad[:30]
    asc = [str(o) for o in order.order_by(Sort("score"))]
    desc = [str(o) for o in order.order_by(Sort("score", descending=True))]
    assert "descending=True" in asc[0] and "descending=False" in desc[0]  # "-score": highest first ascending
    assert len(asc) == 2 and "F(id)" in asc[1] and "F(id)" in desc[1]  # the tie-breaker ends each order
    assert order.order_by(Sort(), default=("id",)) == ("id",)
    assert order.choices == ["name", "-name", "score", "-score"]


# --- the cohort ------------------------------------------------------------------------------------------------


@pytest.fixture
def cohort(london_officer):
    """Six London people with ties on every column, and a Yorkshire person the London officer may not see."""
    pentonville, wandsworth = Establishment.objects.order_by("code")[:2]
    people = [
        make_nominal(london_officer, given="Ann", family="Baker", dob=date(1980, 1, 1)),
        make_nominal(london_officer, given="Ann", family="Baker", dob=date(1990, 5, 5)),  # tie on the name
        make_nominal(london_officer, given="Cy", family="Adams", dob=date(1980, 1, 1)),  # tie on dob
        make_nominal(london_officer, given="Bo", family="Cole", dob=date(1975, 7, 7)),
        make_nominal(london_officer, given="Al", family="Baker", dob=date(1999, 9, 9)),
        make_nominal(london_officer, given="Di", family="Dunn", dob=date(1985, 2, 2)),
    ]
    today = timezone.localdate()
    Nominal.objects.filter(pk__in=[people[0].pk, people[3].pk]).update(
        current_establishment=pentonville, expected_release_date=today + timedelta(days=90)
    )
    Nominal.objects.filter(pk=people[1].pk).update(
        current_establishment=wandsworth, expected_release_date=today + timedelta(days=30)
    )
    Nominal.objects.filter(pk__in=[people[2].pk, people[4].pk]).update(
        membership_state=MembershipState.ADOPTED
    )
    yorkshire = make_user("york.sort", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    hidden = make_nominal(yorkshire, hub_code="yorkshire-humber", given="Zed", family="Aaron")
    return list(
        Nominal.objects.filter(pk__in=[p.pk for p in people]).select_related(
            "owner_hub", "current_establishment"
        )
    ), hidden


COHORT_COLUMNS: dict[str, Callable[[Nominal], Any]] = {
    "name": lambda n: (n.family_name, n.given_names),
    "reference": lambda n: n.pk,
    "dob": lambda n: n.date_of_birth,
    "hub": lambda n: n.owner_hub.name,
    "state": lambda n: n.membership_state,
    "establishment": lambda n: n.current_establishment.code if n.current_establishment else None,
    "release": lambda n: n.expected_release_date,
    "updated": lambda n: n.updated_at,
}


@pytest.mark.parametrize("key", COHORT_COLUMNS)
def test_every_cohort_column_sorts_both_ways_with_a_stable_tie_breaker(london_officer, cohort, key):
    people, hidden = cohort
    client = signed_in(london_officer)
    for descending in (False, True):
        sort = f"-{key}" if descending else key
        shown = [n.pk for n in client.get("/cohort/", {"sort": sort}).context["page"].object_list]
        assert shown == expected(people, COHORT_COLUMNS[key], descending), sort
        assert hidden.pk not in shown
        # The same order on every request: the tie-breaker leaves nothing to chance.
        again = [n.pk for n in client.get("/cohort/", {"sort": sort}).context["page"].object_list]
        assert again == shown


def test_cohort_headings_link_to_their_sort_and_keep_the_filters(london_officer, cohort):
    client = signed_in(london_officer)
    london = hub("london").pk
    html = client.get("/cohort/", {"hub": london, "sort": "dob", "page": "1"}).content.decode()
    shown = headings(html)
    assert set(shown) == {
        "Name", "Reference", "Date of birth", "Hub", "Membership", "Establishment", "Expected release"
    }  # fmt: skip
    assert "Phase" not in shown  # worked out per row in Python, so not offered as a sort
    state, href = shown["Date of birth"]
    assert state == "ascending" and params(href) == {"hub": [str(london)], "sort": ["-dob"]}  # no page
    assert all(s == "none" for label, (s, _h) in shown.items() if label != "Date of birth")
    assert params(shown["Name"][1])["sort"] == ["name"]
    assert params(shown["Expected release"][1])["sort"] == ["release"]
    html = client.get("/cohort/", {"sort": "-dob"}).content.decode()
    assert headings(html)["Date of birth"] == ("descending", "?sort=dob")
    # Unsorted, the list is by name; a search lists the best match first, with no heading marked.
    assert headings(client.get("/cohort/").content.decode())["Name"][0] == "ascending"
    searched = headings(client.get("/cohort/", {"q": "baker"}).content.decode())
    assert all(state == "none" for state, _href in searched.values())


@pytest.mark.parametrize("bad", ["password", "-", "owner_hub__password", "name; DELETE", "ü" * 40])
def test_an_unknown_sort_is_named_and_ignored(london_officer, cohort, bad):
    people, _hidden = cohort
    response = signed_in(london_officer).get("/cohort/", {"sort": bad})
    assert response.status_code == 200
    assert "This list cannot be sorted by" in response.content.decode()
    shown = [n.pk for n in response.context["page"].object_list]
    assert shown == expected(people, COHORT_COLUMNS["name"], False)  # the usual order


def tags(html: str) -> dict[str, str]:
    """The selected-filter tags: text → link."""
    found = re.findall(r'<a class="moj-filter__tag" href="([^"]*)"><span[^>]*>[^<]*</span> ([^<]+)</a>', html)
    return {text.strip(): unescape(href) for href, text in found}


def test_each_filter_tag_removes_its_filter_and_keeps_the_others(london_officer, cohort):
    people, _hidden = cohort
    client = signed_in(london_officer)
    london = hub("london").pk
    query = {"hub": london, "state": "adopted", "q": "baker", "sort": "-name", "page": "1"}
    html = client.get("/cohort/", query).content.decode()
    assert "Selected filters" in html and 'class="moj-filter-layout"' in html
    shown = tags(html)
    assert set(shown) == {"London hub", "Adopted", "baker"}
    assert params(shown["Adopted"]) == {"hub": [str(london)], "q": ["baker"], "sort": ["-name"]}
    assert params(shown["London hub"]) == {"state": ["adopted"], "q": ["baker"], "sort": ["-name"]}
    # Following a tag drops that filter only: the list widens and the others still apply.
    before = {n.pk for n in client.get("/cohort/", query).context["page"].object_list}
    after_page = client.get("/cohort/" + shown["Adopted"])
    after = {n.pk for n in after_page.context["page"].object_list}
    bakers = {n.pk for n in people if n.family_name == "Baker"}
    assert before == {n.pk for n in people if n.family_name == "Baker" and n.membership_state == "adopted"}
    assert after == bakers and before < after
    assert set(tags(after_page.content.decode())) == {"London hub", "baker"}
    # "Clear filters" keeps the sort; the sort rides along in the form too.
    assert (
        '<a class="govuk-link govuk-link--no-visited-state" href="/cohort/?sort=-name">Clear filters</a>'
        in html
    )
    assert '<input type="hidden" name="sort" value="-name">' in html
    assert "Selected filters" not in client.get("/cohort/").content.decode()


# --- the priority list ---------------------------------------------------------------------------------------


def _levels(value: int) -> dict[str, int]:
    spec = assessment_services.method_spec(assessment_services.active_method())
    return {f.code: value for f in spec.factors}


@pytest.fixture
def ranked(london_officer):
    """Five assessed London people (two with the same score) and an assessed Yorkshire one."""
    people = [
        make_nominal(london_officer, family=family, given="Pat")
        for family in ("Evans", "Adams", "Cole", "Baker", "Adams")
    ]
    for person, level in zip(people, (1, 3, 2, 3, 4), strict=True):
        assessment_services.assessment_submit(actor=london_officer, nominal=person, levels=_levels(level))
    PriorityStatus.objects.filter(nominal=people[2]).update(decided_tier="1")
    yorkshire = make_user("york.rank", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    other = make_nominal(yorkshire, hub_code="yorkshire-humber", family="Aaron")
    assessment_services.assessment_submit(actor=yorkshire, nominal=other, levels=_levels(4))
    rows = list(
        PriorityStatus.objects.filter(nominal__in=people).select_related("nominal__owner_hub", "assessment")
    )
    return rows, other


PRIORITY_COLUMNS: dict[str, Callable[[PriorityStatus], Any]] = {
    "rank": lambda s: -s.score,
    "name": lambda s: (s.nominal.family_name, s.nominal.given_names),
    "hub": lambda s: s.nominal.owner_hub.name,
    "score": lambda s: s.score,
    "tier": lambda s: s.decided_tier or s.computed_tier,
    "confidence": lambda s: s.assessment.confidence_band,
    "assessed": lambda s: s.assessment.submitted_at,
}


@pytest.mark.parametrize("key", PRIORITY_COLUMNS)
def test_every_priority_column_sorts_both_ways_and_keeps_each_persons_rank(london_officer, ranked, key):
    rows, other = ranked
    client = signed_in(london_officer)
    ranking = expected(rows, PRIORITY_COLUMNS["rank"], False, pk="nominal_id")
    for descending in (False, True):
        sort = f"-{key}" if descending else key
        page = client.get("/priority/", {"sort": sort}).context["page"]
        shown = [s.nominal_id for s in page.object_list]
        assert shown == expected(rows, PRIORITY_COLUMNS[key], descending, pk="nominal_id"), sort
        assert other.pk not in shown
        # The rank shown is the person's place in the ranking of what the reader sees, in any order.
        assert {s.nominal_id: s.rank for s in page.object_list} == {n: i for i, n in enumerate(ranking, 1)}


def test_priority_headings_and_tags(london_officer, ranked):
    client = signed_in(london_officer)
    html = client.get("/priority/", {"tier": "1", "sort": "-score"}).content.decode()
    shown = headings(html)
    assert shown["Score"][0] == "descending" and params(shown["Score"][1]) == {
        "tier": ["1"],
        "sort": ["score"],
    }
    assert params(shown["Assessed"][1])["sort"] == ["-assessed"]  # newest first on the first click
    assert "Why: top factors" not in shown
    unsorted = headings(client.get("/priority/").content.decode())
    assert unsorted["Rank"][0] == "ascending" and unsorted["Rank"][1] == "?sort=-rank"
    tag = tags(html)
    assert list(tag) == ["Tier 1"] and tag["Tier 1"] == "?sort=-score"
    response = client.get("/priority/", {"sort": "score; --"})
    assert response.status_code == 200 and "cannot be sorted by" in response.content.decode()


# --- intelligence --------------------------------------------------------------------------------------------


@pytest.fixture
def items(london_officer):
    person = make_nominal(london_officer, family="Grey")
    made = [
        make_item(person, grade="2BP", classification="SECRET"),
        make_item(person, grade="1AP", classification="OFFICIAL"),
        make_item(person, grade="2BP", classification="OFFICIAL-SENSITIVE", agency_code="nca"),
        make_item(person, grade="3CP", classification="OFFICIAL"),
    ]
    today = timezone.localdate()
    for item, days in zip(made, (5, 5, 40, 1), strict=True):
        IntelItem.objects.filter(pk=item.pk).update(intelligence_date=today - timedelta(days=days))
    yorkshire_person = make_nominal(
        make_user("york.intel", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu"),
        hub_code="yorkshire-humber",
        family="Grey",
    )
    hidden = make_item(yorkshire_person, hub_code="yorkshire-humber", agency_code="yhrocu")
    rows = list(
        IntelItem.objects.filter(pk__in=[i.pk for i in made]).select_related(
            "owner_hub", "originating_agency"
        )
    )
    return rows, hidden


ITEM_COLUMNS: dict[str, Callable[[IntelItem], Any]] = {
    "reference": lambda i: i.pk,
    "grade": lambda i: i.grade,
    "classification": lambda i: i.classification,
    "date": lambda i: i.intelligence_date,
    "hub": lambda i: i.owner_hub.name,
    "agency": lambda i: i.originating_agency.name,
}


@pytest.mark.parametrize("key", ITEM_COLUMNS)
def test_every_intelligence_column_sorts_both_ways(london_officer, items, key):
    rows, hidden = items
    client = signed_in(london_officer)
    for query in ({}, {"q": "grey"}):
        for descending in (False, True):
            sort = f"-{key}" if descending else key
            shown = [
                i.pk
                for i in client.get("/intelligence/", {**query, "sort": sort}).context["page"].object_list
            ]
            assert shown == expected(rows, ITEM_COLUMNS[key], descending), (query, sort)
            assert hidden.pk not in shown


def test_intelligence_filters_tags_and_export_follow_the_list(london_officer, items):
    rows, _hidden = items
    client = signed_in(london_officer)
    query = {"q": "grey", "classification": "OFFICIAL", "sort": "-grade"}
    response = client.get("/intelligence/", query)
    shown = [i.pk for i in response.context["page"].object_list]
    official = [i for i in rows if i.classification == "OFFICIAL"]
    assert shown == expected(official, ITEM_COLUMNS["grade"], True)
    html = response.content.decode()
    tag = tags(html)
    assert set(tag) == {"grey", "OFFICIAL"}
    assert params(tag["OFFICIAL"]) == {"q": ["grey"], "sort": ["-grade"]}
    assert headings(html)["Grade"][0] == "descending"
    wider = [i.pk for i in client.get("/intelligence/" + tag["OFFICIAL"]).context["page"].object_list]
    assert set(wider) == {i.pk for i in rows}
    export = client.get("/intelligence/export.csv", query).content.decode().splitlines()
    assert len(export) == 1 + len(official)
    # Newest first when not searching and not sorted; best match first when searching.
    assert headings(client.get("/intelligence/").content.decode())["Date"] == ("descending", "?sort=date")
    bad = client.get("/intelligence/", {"sort": "text"})
    assert bad.status_code == 200 and "cannot be sorted by “text”" in bad.content.decode()
