"""Property test: random agreements, disclosures, items, nominal summaries and users; every surface must
agree with an independent oracle of the rules (plain Python over plain data, sharing no code with the
policy)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from marsoc.core import access
from marsoc.intelligence.selectors import item_list, summary_list

from ..conftest import make_nominal, make_user, signed_in
from .helpers import disclose, make_agreement, make_item, make_summary

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
class S:
    """A nominal summary: disclosed by `sharer` of `hub` to `recipient` under agreement `agreement`."""

    agreement: int
    hub: str
    sharer: str
    recipient: str
    classification: str
    purpose: str
    categories: frozenset[str]


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

    def signed() -> st.SearchStrategy[frozenset[str]]:  # a fresh strategy each time: one_of keeps all three
        return st.tuples(st.frozensets(st.sampled_from(AGENCIES)), st.sampled_from(item_agencies)).map(
            lambda p: p[0] | {agency, p[1]}
        )

    parties = st.one_of(
        signed(),
        signed(),
        signed(),
        st.frozensets(st.sampled_from(AGENCIES), min_size=1),
        # Signed by an item's originator but not by the user's agency: "the recipient is a party" decides.
        st.tuples(st.frozensets(st.sampled_from(AGENCIES)), st.sampled_from(item_agencies)).map(
            lambda p: (p[0] | {p[1]}) - {agency}
        ),
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


# Summaries may carry a category no generated agreement covers ("custody"), so some are never covered.
SUMMARY_CATEGORIES = [*CATEGORIES, "custody"]


def summaries_for(agency: str, ags: list[A]) -> st.SearchStrategy[list[S]]:
    """Summaries weighted towards ones that could reach the user: to their agency, by a party, for a
    purpose and categories the agreement covers, so each single term decides a good share of examples."""

    def one(index: int) -> st.SearchStrategy[S]:
        a = ags[index]
        return st.builds(
            S,
            agreement=st.just(index),
            hub=st.sampled_from(HUBS),
            sharer=st.sampled_from(sorted(a.parties) * 4 + AGENCIES),
            recipient=st.sampled_from([agency] * 10 + AGENCIES),
            classification=classification,
            purpose=st.sampled_from(sorted(a.purposes) + PURPOSES),
            categories=st.one_of(
                st.frozensets(st.sampled_from(sorted(a.categories)), min_size=1),
                st.frozensets(st.sampled_from(sorted(a.categories)), min_size=1),
                st.frozensets(st.sampled_from(SUMMARY_CATEGORIES), min_size=1),
            ),
        )

    # Agreements the user's agency did not sign are rarer: draw them more often, so that "the recipient is
    # a party" decides some examples too.
    unsigned = [i for i, a in enumerate(ags) if agency not in a.parties]
    indexes = list(range(len(ags))) + unsigned * 3
    return st.lists(st.sampled_from(indexes).flatmap(one), min_size=1, max_size=5)


def summary_oracle(u: U, s: S, ags: list[A]) -> bool:
    """docs/intelligence.md, nominal summaries: the disclosing hub's staff keep it; the recipient agency
    sees it while the agreement is in force and covers it; clearance always applies."""
    if u.role not in CASE or RANK[s.classification] > RANK[u.clearance]:
        return False
    if u.role in STAFF and u.hub == s.hub:
        return True
    a = ags[s.agreement]
    return (
        u.agency == s.recipient
        and a.status == "in_force"
        and a.starts <= 0
        and (a.ends is None or a.ends >= 0)
        and u.agency in a.parties
        and s.sharer in a.parties
        and RANK[s.classification] <= RANK[a.max_classification]
        and s.purpose in a.purposes
        and s.categories <= a.categories
    )


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
        sums = data.draw(summaries_for(u.agency, ags))
        made_summaries = [
            make_summary(
                nominal,
                made_agreements[x.agreement],
                recipient=x.recipient,
                sharing_agency=x.sharer,
                hub_code=x.hub,
                classification=x.classification,
                purpose=x.purpose,
                categories=tuple(sorted(x.categories)),
            )
            for x in sums
        ]
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
        assert {m.pk for m in made if access.may(user, "intel_item.view", m)} == single
        client = signed_in(user)
        api = client.get("/api/intelligence", {"q": "Propertyson", "page_size": 200}).json()
        assert {r["id"] for r in api["results"]} == listed and api["count"] == len(listed)

        seen = {m.pk for x, m in zip(sums, made_summaries, strict=True) if summary_oracle(u, x, ags)}
        received = [x for x in sums if summary_oracle(u, x, ags) and not (u.role in STAFF and u.hub == x.hub)]
        event(f"summary received through an agreement: {bool(received)}")
        summaries = summary_list(actor=user)
        assert set(summaries.values_list("pk", flat=True)) == seen and summaries.count() == len(seen)
        assert {m.pk for m in made_summaries if access.may(user, "summary.view", m)} == seen
        api = client.get("/api/summaries", {"page_size": 200}).json()
        assert {r["id"] for r in api["results"]} == seen and api["count"] == len(seen)
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
    summary = S(0, "wales", "yhrocu", "mps", "SECRET", PURPOSES[0], frozenset({CATEGORIES[0]}))
    assert summary_oracle(reader, summary, [a])
    assert not summary_oracle(reader, S(0, "wales", "nca", "mps", "SECRET", PURPOSES[0], frozenset()), [a])
    assert not summary_oracle(
        reader, S(0, "wales", "yhrocu", "mps", "SECRET", PURPOSES[0], frozenset({"custody"})), [a]
    )
    assert summary_oracle(U("analyst", "wales", "nca", "SECRET"), summary, [a])  # the disclosing hub
