"""The access table's rows for issue 16's surfaces (networks and organised crime groups), imported by
tests/test_access_matrix.py. Expectations are written out by hand, as in the table.

The world is tests/network/helpers.py `network_world`: London's group, associate and links, Yorkshire's
group, a national rivalry link. The partner's agreement in the table covers identity and custody data but
not "associates and networks", so the partner sees no group and no link (tests/network/test_access.py
covers a partner whose agreement does)."""

ROUTES = {
    "network/groups/",
    "network/paths/",
    "network/priority/",
    "network/groups/<int:group_id>/",
    "network/associates/<int:associate_id>/",
    "cohort/<int:pk>/network/",
    "cohort/<int:pk>/network.<str:fmt>",
    "network/communities/",
    "network/charts/",
    "network/charts/new/",
    "network/charts/<int:chart_id>/",
    "network/charts/<int:chart_id>/change/",
    "network/charts/<int:chart_id>/export.<str:fmt>",
}

CASE = {
    "london_manager",
    "london_officer",
    "london_analyst",
    "partner_probation",
    "national_analyst",
    "national_manager",
}
NATIONAL = {"national_analyst", "national_manager"}
LONDON_SIDE = {"london_manager", "london_officer", "london_analyst"} | NATIONAL

# (name, path template, who gets 200; everyone else 404).
GLOBAL_SURFACES = [
    ("group list", "/network/groups/", CASE),
    ("path finder", "/network/paths/", CASE),
    # Hub staff and national analysts, as the individual priority list.
    ("group priority list", "/network/priority/", CASE - {"partner_probation"}),
    ("communities and recorded groups", "/network/communities/", CASE),
    ("path between London people", "/network/paths/?from={own_ref}&to={london_group_ref}", CASE),
    ("London group", "/network/groups/{london_group}/", LONDON_SIDE),
    ("Yorkshire group", "/network/groups/{yorkshire_group}/", NATIONAL),
    ("missing group", "/network/groups/999999/", set()),
    ("London associate", "/network/associates/{associate}/", LONDON_SIDE),
]
# Per-person: whoever may see the person sees their network page (what it shows is tested separately).
PERSON_SURFACES = [
    ("person network", "/cohort/{id}/network/", "READ"),
    ("network export for i2", "/cohort/{id}/network.csv?recipient=Tasking+cell", "READ"),
    ("network export as GraphML", "/cohort/{id}/network.graphml?recipient=Tasking+cell", "READ"),
    ("network export as a picture", "/cohort/{id}/network.svg?recipient=Tasking+cell", "READ"),
]

# Saved link charts. The London manager's chart holds the own-hub person, the London group and the
# London person another agency takes part in, and is shared with the national analyst and the probation
# partner (who may see none of it, and is told that items are withheld). (name, path template, who gets 200; everyone else 404.)
CHART_READERS = {"london_manager", "national_analyst", "partner_probation"}
CHART_SURFACES = [
    ("chart list", "/network/charts/", CASE),
    ("new chart page", "/network/charts/new/?node=group-{london_group}", CASE),
    ("London manager's chart", "/network/charts/{chart}/", CHART_READERS),
    ("chart export for i2", "/network/charts/{chart}/export.csv?recipient=Tasking+cell", CHART_READERS),
    (
        "chart export as GraphML",
        "/network/charts/{chart}/export.graphml?recipient=Tasking+cell",
        CHART_READERS,
    ),
    ("chart export as a picture", "/network/charts/{chart}/export.svg?recipient=Tasking+cell", CHART_READERS),
    ("missing chart", "/network/charts/999999/", set()),
]
# Who is told that something on the chart is withheld from them.
CHART_WITHHELD = {"partner_probation"}
# POST a change of layout: those who may open it 302 (back to the chart), and only the author's changes it
# (the others are told only the author may); everyone else 404.
CHART_CHANGER = "london_manager"
# POST a new chart of the own-hub person: 302 for those who see them; other case users 200 (refused
# with a reason, nothing saved); everyone else 404.
CHART_CREATORS = {
    "london_manager",
    "london_officer",
    "london_analyst",
    "national_analyst",
    "national_manager",
}
# Which links each actor sees on the own-hub person's 2-hop network (by helpers' names).
OWN_NETWORK_LINKS = {
    "london_manager": {"member_own", "member_elsewhere", "own_elsewhere", "own_visitor"},
    "london_officer": {"member_own", "member_elsewhere", "own_elsewhere", "own_visitor"},
    "london_analyst": {"member_own", "member_elsewhere", "own_elsewhere", "own_visitor"},
    "national_analyst": {
        "member_own", "member_elsewhere", "member_other", "member_partnered", "own_elsewhere", "own_visitor",
        "own_other", "other_partnered", "rivals",
    },
    "national_manager": {
        "member_own", "member_elsewhere", "member_other", "member_partnered", "own_elsewhere", "own_visitor",
        "own_other", "other_partnered", "rivals",
    },
}  # fmt: skip

# API (bearer token): (name, path template, who gets 200; everyone else 404).
API_SURFACES = [
    ("API groups", "/api/network/groups", CASE),
    ("API London group", "/api/network/groups/{london_group}?purpose=case+review", LONDON_SIDE),
    ("API Yorkshire group", "/api/network/groups/{yorkshire_group}?purpose=case+review", NATIONAL),
    (
        "API London ego network",
        "/api/network/ego?centre={london_group_ref}&hops=2&purpose=case+review",
        LONDON_SIDE,
    ),
    ("API path", "/api/network/paths?from={own_ref}&to={london_group_ref}", LONDON_SIDE),
    ("API path to Yorkshire", "/api/network/paths?from={own_ref}&to={yorkshire_group_ref}", NATIONAL),
]
# Saved link charts through the API (bearer token), on the London manager's chart above: (name, method,
# path template, who gets 200; everyone else 404).
CHART_API_SURFACES = [
    ("API chart list", "/api/network/charts", CASE),
    ("API London manager's chart", "/api/network/charts/{chart}", CHART_READERS),
    ("API missing chart", "/api/network/charts/999999", set()),
]
# PATCH a change of layout: the author 200; those it is shared with 403 (they may open it, not change it);
# everyone else 404.
CHART_API_CHANGE = {"london_manager": 200} | {k: 403 for k in CHART_READERS - {"london_manager"}}
# POST a new chart of the own-hub person: those who see them 201; other case users 409 (the person is not
# one they may see: refused in context, nothing saved); everyone else 404.
CHART_API_CREATORS = CHART_CREATORS
# API writes: who may record (201); the others 403 (no right to record) or 404 (cannot see an end).
API_RECORDERS = {"london_manager", "london_officer", "national_manager"}
