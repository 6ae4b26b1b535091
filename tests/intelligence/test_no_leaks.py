"""Proof that nothing leaks: roles × agreement state × classification × handling code × surface.

Every item is about the same person and carries the word "Kestrel", so one search reaches all of them.
The expectations are written out here from the rules in docs/intelligence.md, not computed by the
policy under test: the owner side (owner hub staff and the originating agency) sees every item its
clearance covers; the recipient agency (MPS) sees an item only through a disclosure whose agreement is
in force today and covers the item; nobody else sees anything.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.core.vocabulary import Role

from ..conftest import make_nominal, make_user, signed_in
from .helpers import disclose, make_agreement, make_item, make_summary

ACTORS = {
    # key: (roles, hub, agency, clearance)
    "yorks_officer": ((Role.HUB_OFFICER,), "yorkshire-humber", "hmpps-prisons-yorkshire", "SECRET"),
    "yhrocu_partner": ((Role.PARTNER_OFFICER,), "yorkshire-humber", "yhrocu", "OFFICIAL-SENSITIVE"),
    "mps_officer": ((Role.HUB_OFFICER,), "london", "mps", "SECRET"),
    "mps_analyst_low": ((Role.ANALYST,), "london", "mps", "OFFICIAL"),
    "probation_partner": ((Role.PARTNER_OFFICER,), "london", "probation-london", "SECRET"),
    "national_analyst": ((Role.NATIONAL_ANALYST,), "national", "hmpps-marsoc", "SECRET"),
    "national_manager": ((Role.HUB_MANAGER,), "national", "hmpps-marsoc", "SECRET"),
    "mps_inspector": ((Role.INSPECTOR,), None, "mps", "SECRET"),
    "mps_board": ((Role.BOARD_MEMBER,), None, "mps", "SECRET"),
}
CASE_ACTORS = {"yorks_officer", "yhrocu_partner", "mps_officer", "mps_analyst_low", "probation_partner",
               "national_analyst", "national_manager"}  # fmt: skip
OWNER_SIDE = {"yorks_officer", "yhrocu_partner"}
RECIPIENTS = {"mps_officer", "mps_analyst_low"}  # MPS is the agency items are disclosed to
RANK = {"OFFICIAL": 1, "OFFICIAL-SENSITIVE": 2, "SECRET": 3}
AGREEMENT_MAX = "OFFICIAL-SENSITIVE"

# Agreement state for each group of items; every agreement names MPS, YHROCU and London Probation
# unless the state says otherwise, and each item is disclosed to MPS unless the state says otherwise.
STATES = [
    "none",  # no agreement and no disclosure
    "not_disclosed",  # an agreement in force covers it, but it was never shared
    "in_force",
    "ended",
    "suspended",
    "draft",
    "expired",  # status in force, end date passed
    "not_started",  # status in force, start date tomorrow
    "wrong_purpose",
    "wrong_category",
    "recipient_not_party",
    "originator_not_party",
]
VISIBLE_THROUGH_AGREEMENT = {"in_force"}
CLASSIFICATIONS = ["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"]
CODES = {"P": ("1BP", ()), "C": ("2CC", ("A2", "S2"))}


def expected(actor: str, state: str, classification: str) -> bool:
    clearance = ACTORS[actor][3]
    if actor not in CASE_ACTORS or RANK[classification] > RANK[clearance]:
        return False
    if actor in OWNER_SIDE:
        return True
    return (
        actor in RECIPIENTS
        and state in VISIBLE_THROUGH_AGREEMENT
        and RANK[classification] <= RANK[AGREEMENT_MAX]
    )


def _agreement(state: str):
    today = timezone.localdate()
    parties = ["mps", "yhrocu", "probation-london"]
    kwargs: dict = {"max_classification": AGREEMENT_MAX}
    if state == "none":
        return None
    if state in ("ended", "suspended", "draft"):
        kwargs["status"] = state
    if state == "expired":
        kwargs["ends_on"] = today - timedelta(days=1)
    if state == "not_started":
        kwargs["starts_on"] = today + timedelta(days=1)
    if state == "wrong_purpose":
        kwargs["purposes"] = ("safeguarding",)
    if state == "wrong_category":
        kwargs["categories"] = ("financial",)
    if state == "recipient_not_party":
        parties = ["yhrocu", "probation-london"]
    if state == "originator_not_party":
        parties = ["mps", "probation-london"]
    return make_agreement(parties, **kwargs)


@pytest.fixture
def grid(db):
    owner = make_user("grid.owner", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu")
    nominal = make_nominal(owner, hub_code="yorkshire-humber", given="Tobias", family="Kestrelford")
    items = {}
    for state in STATES:
        agreement = _agreement(state)
        for classification in CLASSIFICATIONS:
            for code, (grade, conditions) in CODES.items():
                item = make_item(
                    nominal,
                    hub_code="yorkshire-humber",
                    agency_code="yhrocu",
                    classification=classification,
                    grade=grade,
                    conditions=conditions,
                    text=f"Kestrel report {state} {classification} {code}",
                )
                if agreement is not None and state != "not_disclosed":
                    disclose(item, "mps", agreement)
                items[(state, classification, code)] = item
    users = {
        key: make_user(key.replace("_", "."), roles, hub_code=hub, agency_code=agency, clearance=clearance)
        for key, (roles, hub, agency, clearance) in ACTORS.items()
    }
    return nominal, items, users


def _csv_refs(response) -> set[str]:
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_surface_shows_exactly_what_the_rules_allow(grid, actor, token_for):
    nominal, items, users = grid
    user = users[actor]
    client = signed_in(user)
    session = client.session
    session["marsoc_intel_purposes"] = {str(i.pk): "Intelligence development" for i in items.values()}
    session.save()
    token = token_for(user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    allowed = {item.pk for key, item in items.items() if expected(actor, key[0], key[1])}
    failures = []

    # One record at a time: the page and the API answer 200 or the same 404.
    for (state, classification, code), item in items.items():
        want = item.pk in allowed
        page = client.get(f"/intelligence/{item.pk}/").status_code
        api = client.get(f"/api/intelligence/{item.pk}?purpose=case+work", **auth).status_code
        for surface, status in (("page", page), ("api", api)):
            if status != (200 if want else 404):
                failures.append(f"{surface} {state}/{classification}/{code}: got {status}")

    # Lists, searches, counts and export: exactly the allowed set, and counts that match it.
    if actor in CASE_ACTORS:
        for query in ("Kestrel", "Kestrelford", nominal.reference[2:].lstrip("0") and "Tobias"):
            shown: set[int] = set()
            first = client.get("/intelligence/", {"q": query})
            paginator = first.context["page"].paginator
            for number in paginator.page_range:  # every page as the user would open it
                page = client.get("/intelligence/", {"q": query, "page": number}).context["page"]
                shown |= {i.pk for i in page.object_list}
                if page.paginator.count != paginator.count:
                    failures.append(f"search page '{query}' {number}: the count changed")
            if shown != allowed or paginator.count != len(allowed):
                failures.append(f"search page '{query}': {len(shown)} shown, count {paginator.count}")
            api = client.get("/api/intelligence", {"q": query, "page_size": 200}, **auth).json()
            if {r["id"] for r in api["results"]} != allowed or api["count"] != len(allowed):
                failures.append(f"API search '{query}': count {api['count']}")
        export = client.get("/intelligence/export.csv", {"q": "Kestrel"})
        if _csv_refs(export) != {i.reference for i in items.values() if i.pk in allowed}:
            failures.append("export")
        # Deconfliction: if anything is hidden, the search says who to contact and never what.
        body = client.get("/intelligence/", {"q": "Kestrelford"}).content.decode()
        hidden = [i for i in items.values() if i.pk not in allowed]
        if hidden and "Another agency holds an interest" not in body:
            failures.append("no deconfliction notice")
        if any(f">{i.reference}<" in body for i in hidden):
            failures.append("a hidden reference appeared on the search page")
    else:
        if client.get("/intelligence/", {"q": "Kestrel"}).status_code != 404:
            failures.append("search page open to a non-case role")
        if client.get("/intelligence/export.csv").status_code != 404:
            failures.append("export open to a non-case role")
        api = client.get("/api/intelligence", {"q": "Kestrel"}, **auth).json()
        if api["count"] != 0 or api["results"] or api["interests"]:
            failures.append("API search returned something to a non-case role")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("actor", "code", "status", "consent"),
    [
        ("yorks_officer", "P", 200, False),  # owner hub, not the originator: P goes at once
        ("yorks_officer", "C", 200, True),  # ...C goes to the originator for consent
        ("yhrocu_partner", "P", 200, False),  # the originating agency shares its own
        ("yhrocu_partner", "C", 200, False),
        ("mps_officer", "P", 404, False),  # a recipient under "no onward sharing"
        ("mps_officer", "C", 404, False),
        ("probation_partner", "P", 404, False),
    ],
)
def test_share_page_by_handling_code(grid, actor, code, status, consent):
    _nominal, items, users = grid
    item = items[("in_force", "OFFICIAL", code)]
    client = signed_in(users[actor])
    session = client.session
    session["marsoc_intel_purposes"] = {str(item.pk): "x"}
    session.save()
    response = client.get(f"/intelligence/{item.pk}/share/")
    assert response.status_code == status
    if status == 200:
        assert ("consent-needed" in response.content.decode()) is consent


def test_suspending_then_ending_stops_access_at_once(grid):
    _nominal, items, users = grid
    item = items[("in_force", "OFFICIAL", "P")]
    agreement = item.disclosures.get().agreement
    client = signed_in(users["mps_officer"])
    session = client.session
    session["marsoc_intel_purposes"] = {str(item.pk): "x"}
    session.save()
    assert client.get(f"/intelligence/{item.pk}/").status_code == 200
    agreement.status = "suspended"
    agreement.save()
    assert client.get(f"/intelligence/{item.pk}/").status_code == 404
    agreement.status = "in_force"
    agreement.save()
    assert client.get(f"/intelligence/{item.pk}/").status_code == 200
    agreement.status = "ended"
    agreement.save()
    assert client.get(f"/intelligence/{item.pk}/").status_code == 404


def test_restricted_and_erased_items_leave_every_list(grid):
    _nominal, items, users = grid
    restricted = items[("in_force", "OFFICIAL", "P")]
    erased = items[("in_force", "OFFICIAL", "C")]
    type(restricted).objects.filter(pk=restricted.pk).update(restricted=True)
    type(erased).objects.filter(pk=erased.pk).update(erased_at=timezone.now(), text="")
    for actor in ("yorks_officer", "mps_officer"):
        client = signed_in(users[actor])
        shown = {i.pk for i in client.get("/intelligence/", {"q": "Kestrel"}).context["page"].object_list}
        assert restricted.pk not in shown and erased.pk not in shown
    owner = signed_in(users["yorks_officer"])
    session = owner.session
    session["marsoc_intel_purposes"] = {str(restricted.pk): "x", str(erased.pk): "x"}
    session.save()
    assert owner.get(f"/intelligence/{restricted.pk}/").status_code == 200  # stored, visible to its owner
    assert "tombstone" in owner.get(f"/intelligence/{erased.pk}/").content.decode()
    recipient = signed_in(users["mps_officer"])
    session = recipient.session
    session["marsoc_intel_purposes"] = {str(restricted.pk): "x"}
    session.save()
    assert recipient.get(f"/intelligence/{restricted.pk}/").status_code == 404


def test_forbidden_and_missing_items_look_the_same(grid, token_for):
    _nominal, items, users = grid
    user = users["probation_partner"]
    client = signed_in(user)
    hidden = items[("in_force", "OFFICIAL", "P")]
    missing = max(i.pk for i in items.values()) + 1000
    session = client.session
    session["marsoc_intel_purposes"] = {str(hidden.pk): "x", str(missing): "x"}
    session.save()
    a, b = client.get(f"/intelligence/{hidden.pk}/"), client.get(f"/intelligence/{missing}/")
    assert a.status_code == b.status_code == 404 and a.content == b.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}
    a = client.get(f"/api/intelligence/{hidden.pk}?purpose=xyz", **auth)
    b = client.get(f"/api/intelligence/{missing}?purpose=xyz", **auth)
    assert a.status_code == b.status_code == 404 and a.json() == b.json()


# --- Nominal summaries -------------------------------------------------------------------------------------
# One summary of the Yorkshire person per agreement state and classification, disclosed by Yorkshire (the
# YHROCU, a party unless the state says otherwise) to the MPS, carrying the P item of the same state and
# classification. Expectations, from docs/intelligence.md: the staff of the disclosing hub (Yorkshire:
# `yorks_officer`) keep every summary their clearance covers; the MPS sees one only while its agreement is
# in force and covers it (state `in_force`, classification within the agreement's maximum) and within
# their clearance; nobody else sees any, not even the originating agency's partner officer (summaries are
# the hub's record, not the agency's). States "none" and "not_disclosed" have no summary at all.

SUMMARY_OWNERS = {"yorks_officer"}
SUMMARY_STATES = [s for s in STATES if s not in ("none", "not_disclosed")]


def expected_summary(actor: str, state: str, classification: str) -> bool:
    clearance = ACTORS[actor][3]
    if actor not in CASE_ACTORS or RANK[classification] > RANK[clearance]:
        return False
    if actor in SUMMARY_OWNERS:
        return True
    return (
        actor in RECIPIENTS
        and state in VISIBLE_THROUGH_AGREEMENT
        and RANK[classification] <= RANK[AGREEMENT_MAX]
    )


@pytest.fixture
def summary_grid(grid):
    nominal, items, users = grid
    summaries = {}
    for state in SUMMARY_STATES:
        agreement = items[(state, "OFFICIAL", "P")].disclosures.get().agreement
        for classification in CLASSIFICATIONS:
            summaries[(state, classification)] = make_summary(
                nominal,
                agreement,
                recipient="mps",
                sharing_agency="yhrocu",
                classification=classification,
                categories=("custody", "criminal_intelligence"),
                items=(items[(state, classification, "P")],),
            )
    return nominal, items, users, summaries


@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_summary_surface_shows_exactly_what_the_rules_allow(summary_grid, actor, token_for):
    nominal, items, users, summaries = summary_grid
    user = users[actor]
    client = signed_in(user)
    session = client.session
    session["marsoc_summary_purposes"] = {str(s.pk): "Intelligence development" for s in summaries.values()}
    session["marsoc_purposes"] = {str(nominal.pk): "Intelligence development"}
    session.save()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}
    allowed = {s.pk for (state, c), s in summaries.items() if expected_summary(actor, state, c)}
    failures = []

    for (state, classification), summary in summaries.items():
        want = summary.pk in allowed
        page = client.get(f"/intelligence/summaries/{summary.pk}/")
        api = client.get(f"/api/summaries/{summary.pk}?purpose=case+work", **auth)
        for surface, response in (("page", page), ("api", api)):
            if response.status_code != (200 if want else 404):
                failures.append(f"{surface} {state}/{classification}: got {response.status_code}")
        if want:
            # The items on a summary follow the item policy for this reader, whatever the summary allows.
            item = items[(state, classification, "P")]
            item_visible = expected(actor, state, classification)
            shown = {i.pk for i, _conds in page.context["items"]}
            if shown != ({item.pk} if item_visible else set()):
                failures.append(f"items on page {state}/{classification}: {shown}")
            if {i["id"] for i in api.json()["items"]} != ({item.pk} if item_visible else set()):
                failures.append(f"items in API {state}/{classification}")
            is_owner = actor in SUMMARY_OWNERS
            if ("Record of the disclosure" in page.content.decode()) is not is_owner:
                failures.append(f"owner record shown wrongly {state}/{classification}")
            if (api.json()["record"] is not None) is not is_owner:
                failures.append(f"owner record in API wrongly {state}/{classification}")

    if actor in CASE_ACTORS:
        listing = client.get("/intelligence/summaries/")
        paginator = listing.context["page"].paginator
        shown = {s.pk for n in paginator.page_range for s in paginator.page(n).object_list}
        if shown != allowed or paginator.count != len(allowed):
            failures.append(f"list page: {len(shown)} shown, count {paginator.count}")
        person = client.get(f"/intelligence/people/{nominal.pk}/")
        if person.status_code == 200 and {s.pk for s in person.context["summaries"]} != allowed:
            failures.append("person page summaries")
    elif client.get("/intelligence/summaries/").status_code != 404:
        failures.append("summary list open to a non-case role")
    api = client.get("/api/summaries", {"page_size": 200}, **auth).json()
    if {r["id"] for r in api["results"]} != allowed or api["count"] != len(allowed):
        failures.append(f"API list: count {api['count']}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


def test_forbidden_and_missing_summaries_look_the_same(summary_grid, token_for):
    _nominal, _items, users, summaries = summary_grid
    user = users["probation_partner"]
    client = signed_in(user)
    hidden = summaries[("in_force", "OFFICIAL")]
    missing = max(s.pk for s in summaries.values()) + 1000
    session = client.session
    session["marsoc_summary_purposes"] = {str(hidden.pk): "x", str(missing): "x"}
    session.save()
    a, b = (
        client.get(f"/intelligence/summaries/{hidden.pk}/"),
        client.get(f"/intelligence/summaries/{missing}/"),
    )
    assert a.status_code == b.status_code == 404 and a.content == b.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}
    a = client.get(f"/api/summaries/{hidden.pk}?purpose=xyz", **auth)
    b = client.get(f"/api/summaries/{missing}?purpose=xyz", **auth)
    assert a.status_code == b.status_code == 404 and a.json() == b.json()
