"""Property test: random agreements, disclosures, items and users; every surface must agree with an
independent oracle of the rules (plain Python over plain data, sharing no code with the policy)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from marsoc.intelligence.policies import can_view_item
from marsoc.intelligence.selectors import item_list

from ..conftest import make_nominal, make_user, signed_in
from .helpers import disclose, make_agreement, make_item

AGENCIES = ["mps", "nca", "yhrocu", "probation-london", "hmrc", "titan"]
HUBS = ["london", "yorkshire-humber", "north-west", "wales"]
RANK = {"OFFICIAL": 1, "OFFICIAL-SENSITIVE": 2, "SECRET": 3}
PURPOSES = ["prevention_detection", "safeguarding"]
CATEGORIES = ["criminal_intelligence", "financial"]
STAFF = {"hub_manager", "hub_officer", "analyst"}
CASE = STAFF | {"partner_officer", "national_analyst"}


@dataclass(frozen=True)
class A:
    parties: frozenset[str]
    status: str
    purposes: frozenset[str]
    categories: frozenset[str]
    max_classification: str
    starts: int  # days from today
    ends: int | None


@dataclass(frozen=True)
class I:  # noqa: E742
    hub: str
    agency: str
    classification: str
    purpose: str
    category: str
    restricted: bool
    code: str


@dataclass(frozen=True)
class U:
    role: str
    hub: str
    agency: str
    clearance: str


classification = st.sampled_from(list(RANK))


def agreements_for(agency: str, item_agencies: list[str]) -> st.SearchStrategy[list[A]]:
    """Agreements weighted towards ones that could give access (naming the user's agency and an item's
    originator, in force, in date), so that each single term decides a good share of the examples."""
    parties = st.one_of(
        st.tuples(st.frozensets(st.sampled_from(AGENCIES)), st.sampled_from(item_agencies)).map(
            lambda p: p[0] | {agency, p[1]}
        ),
        st.tuples(st.frozensets(st.sampled_from(AGENCIES)), st.sampled_from(item_agencies)).map(
            lambda p: p[0] | {agency, p[1]}
        ),
        st.frozensets(st.sampled_from(AGENCIES), min_size=1),
    )
    return st.lists(
        st.builds(
            A,
            parties=parties,
            # Weighted towards "in force" so that the other conditions are what decide most examples.
            status=st.sampled_from(["in_force"] * 4 + ["draft", "suspended", "ended"]),
            purposes=st.frozensets(st.sampled_from(PURPOSES), min_size=1),
            categories=st.frozensets(st.sampled_from(CATEGORIES), min_size=1),
            max_classification=classification,
            starts=st.sampled_from([-30, -30, -30, 0, 1]),
            ends=st.sampled_from([None, None, None, None, 30, 0, -1]),
        ),
        min_size=1,
        max_size=3,
    )


items = st.lists(
    st.builds(
        I,
        hub=st.sampled_from(HUBS),
        agency=st.sampled_from(AGENCIES),
        classification=classification,
        purpose=st.sampled_from(PURPOSES),
        category=st.sampled_from(CATEGORIES),
        restricted=st.sampled_from([False] * 5 + [True]),
        code=st.sampled_from(["P", "C"]),
    ),
    min_size=1,
    max_size=5,
)
users = st.builds(
    U,
    role=st.sampled_from(sorted(CASE) * 3 + ["board_member", "inspector"]),
    hub=st.sampled_from(HUBS),
    agency=st.sampled_from(AGENCIES),
    clearance=st.sampled_from(["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "SECRET"]),
)


def oracle(u: U, item: I, index: int, ags: list[A], shares: list[tuple[int, str, int]], *, one: bool) -> bool:
    """The rules as written in docs/intelligence.md. `one`: opening a single record (the owner side may
    open a restricted one); otherwise lists, searches, counts and exports."""
    if u.role not in CASE or RANK[item.classification] > RANK[u.clearance]:
        return False
    owner = (u.role in STAFF and u.hub == item.hub) or u.agency == item.agency
    if owner:
        return one or not item.restricted
    if item.restricted:
        return False
    for item_index, recipient, agreement_index in shares:
        if item_index != index or recipient != u.agency or agreement_index >= len(ags):
            continue
        a = ags[agreement_index]
        if (
            a.status == "in_force"
            and a.starts <= 0
            and (a.ends is None or a.ends >= 0)
            and u.agency in a.parties
            and item.agency in a.parties
            and RANK[item.classification] <= RANK[a.max_classification]
            and item.purpose in a.purposes
            and item.category in a.categories
        ):
            return True
    return False


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(its=items, u=users, data=st.data())
def test_every_surface_matches_the_oracle(db, its, u, data):
    ags = data.draw(agreements_for(u.agency, [i.agency for i in its]))
    # Most items are disclosed to the user's own agency under most agreements (those are the shares
    # that can give access, so the agreement terms decide most examples), plus a few stray ones.
    shares = [
        (i, u.agency, a)
        for i in range(len(its))
        for a in range(len(ags))
        if data.draw(st.sampled_from([True, True, True, False]))
    ] + data.draw(
        st.lists(
            st.tuples(st.integers(0, len(its) - 1), st.sampled_from(AGENCIES), st.integers(0, 2)), max_size=3
        )
    )
    today = timezone.localdate()
    with transaction.atomic():
        owner = make_user("prop.owner", ["hub_manager"], hub_code="national", agency_code="hmpps-marsoc")
        nominal = make_nominal(owner, family="Propertyson")
        made_agreements = [
            make_agreement(
                sorted(a.parties),
                status=a.status,
                purposes=tuple(sorted(a.purposes)),
                categories=tuple(sorted(a.categories)),
                max_classification=a.max_classification,
                starts_on=today + timedelta(days=a.starts),
                ends_on=None if a.ends is None else today + timedelta(days=a.ends),
            )
            for a in ags
        ]
        made = [
            make_item(
                nominal,
                hub_code=i.hub,
                agency_code=i.agency,
                classification=i.classification,
                grade="1A" + i.code,
                conditions=("A1",) if i.code == "C" else (),
                purpose=i.purpose,
                category=i.category,
                restricted=i.restricted,
                text="Propertyson sighting",
            )
            for i in its
        ]
        for item_index, recipient, agreement_index in shares:
            if item_index < len(made) and agreement_index < len(made_agreements):
                disclose(made[item_index], recipient, made_agreements[agreement_index])
        user = make_user("prop.user", [u.role], hub_code=u.hub, agency_code=u.agency, clearance=u.clearance)
        listed = {m.pk for i, m in enumerate(made) if oracle(u, its[i], i, ags, shares, one=False)}
        via = [
            i
            for i in range(len(its))
            if oracle(u, its[i], i, ags, shares, one=False)
            and not ((u.role in STAFF and u.hub == its[i].hub) or u.agency == its[i].agency)
        ]
        event(f"seen through an agreement: {bool(via)}")
        single = {m.pk for i, m in enumerate(made) if oracle(u, its[i], i, ags, shares, one=True)}

        qs = item_list(actor=user)
        assert set(qs.values_list("pk", flat=True)) == listed
        assert qs.count() == len(listed)
        searched = item_list(actor=user, query="Propertyson")
        assert set(searched.values_list("pk", flat=True)) == listed and searched.count() == len(listed)
        assert {m.pk for m in made if can_view_item(user, m)} == single
        api = signed_in(user).get("/api/intelligence", {"q": "Propertyson", "page_size": 200}).json()
        assert {r["id"] for r in api["results"]} == listed and api["count"] == len(listed)
        transaction.set_rollback(True)


def test_oracle_sanity():
    """The oracle itself, on two hand-worked cases."""
    a = A(
        frozenset({"mps", "yhrocu"}),
        "in_force",
        frozenset(PURPOSES),
        frozenset(CATEGORIES),
        "SECRET",
        -1,
        None,
    )
    item = I("yorkshire-humber", "yhrocu", "SECRET", PURPOSES[0], CATEGORIES[0], False, "C")
    reader = U("partner_officer", "london", "mps", "SECRET")
    assert oracle(reader, item, 0, [a], [(0, "mps", 0)], one=False)
    assert not oracle(reader, item, 0, [a], [(0, "nca", 0)], one=False)
    assert not oracle(
        U("partner_officer", "london", "mps", "OFFICIAL"), item, 0, [a], [(0, "mps", 0)], one=False
    )
