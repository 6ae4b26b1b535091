"""Communities (Louvain) beside recorded membership: two tight cliques joined by one link come out as two
communities; a clique nobody records as a group is a possible undeclared group; a recorded member of one
group whose community is another's is drifting. On the visible graph only (the page's test)."""

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.network.communities import compare, louvain
from marsoc.network.graph import Graph, Link

from ..conftest import make_user, signed_in
from .helpers import network_world


def _clique(nodes):
    return [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :]]


def test_louvain_finds_two_cliques_joined_by_a_bridge():
    edges = _clique([0, 1, 2, 3, 4]) + _clique([5, 6, 7, 8, 9]) + [(4, 5)]
    numbers = louvain(10, edges)
    assert len(set(numbers[:5])) == 1 and len(set(numbers[5:])) == 1 and numbers[0] != numbers[9]
    assert louvain(3, []) == [0, 1, 2]  # no links: everyone alone


def _links(pairs, start=0):
    return [Link("association", start + n, ("nominal", a), ("nominal", b), "criminal_associate")
            for n, (a, b) in enumerate(pairs)]  # fmt: skip


def test_undeclared_group_and_drifting_member():
    # People 1-5 are a clique; 1, 2, 3 and 6 are recorded in group 100, 6 sits in the other clique (6-9).
    links = _links(_clique([1, 2, 3, 4, 5]) + _clique([6, 7, 8, 9]) + [(5, 6)])
    links += [Link("membership", 100 + p, ("nominal", p), ("group", 100), "member") for p in (1, 2, 3, 6)]
    found, drifts = compare(Graph(links))
    by_people = {frozenset(p for _k, p in c.people): c for c in found}
    recorded = by_people[frozenset({1, 2, 3, 4, 5})]
    assert recorded.groups == [(("group", 100), 3)] and not recorded.undeclared
    other = by_people[frozenset({6, 7, 8, 9})]
    assert other.undeclared  # one of four recorded: no recorded group covers half
    assert drifts == []
    # Record 7 and 8 in group 200: now the second clique is mostly group 200's, and 6 is drifting to it.
    links += [Link("membership", 200 + p, ("nominal", p), ("group", 200), "member") for p in (7, 8)]
    found, drifts = compare(Graph(links))
    assert [(d.person, d.recorded, d.towards) for d in drifts] == [
        (("nominal", 6), ("group", 100), ("group", 200))
    ]


def test_communities_page_shows_only_the_visible_graph(people):
    owner, n = people
    network_world(n, owner)
    london = make_user("comm.london", [Role.ANALYST], hub_code="london", agency_code="mps")
    page = signed_in(london).get("/network/communities/")
    assert page.status_code == 200
    body = page.content.decode()
    assert n["other_hub"].reference not in body and n["participating"].reference not in body
    event = AuditEvent.objects.filter(action="network.communities", actor=london).get()
    assert n["other_hub"].pk not in set(event.subjects.values_list("nominal_id", flat=True))
    board = make_user("comm.board", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    assert signed_in(board).get("/network/communities/").status_code == 404
