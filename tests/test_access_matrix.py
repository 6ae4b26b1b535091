"""The access table: every role × every relation to a nominal × every page and endpoint, allow or deny.

Expectations are written out here by hand, not computed by the policy under test. A new page or
endpoint must be added to SURFACES (test_every_route_is_in_the_table fails until it is).
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from marsoc.assessment import services as assessment_services
from marsoc.assessment.services import active_method, assessment_submit, dry_run_request, method_spec
from marsoc.core.vocabulary import Role
from marsoc.nominals.models import Nominal, Participation

from .accounts import routes as accounts_routes
from .conftest import add_participation, make_nominal, make_user, signed_in, with_purpose
from .funding import routes as funding_routes
from .linkage.helpers import linkage_world
from .network import routes as network_routes
from .network.helpers import network_world
from .ops import routes as ops_routes
from .reporting import routes as reporting_routes
from .rights import routes as rights_routes
from .workday import routes as workday_routes


@dataclass(frozen=True)
class Actor:
    key: str
    roles: tuple[str, ...]
    hub: str | None
    agency: str


ACTORS = [
    Actor("london_manager", (Role.HUB_MANAGER,), "london", "mps"),
    Actor("london_officer", (Role.HUB_OFFICER,), "london", "hmpps-prisons-london"),
    Actor("london_analyst", (Role.ANALYST,), "london", "mps"),
    Actor("partner_probation", (Role.PARTNER_OFFICER,), "london", "probation-london"),
    Actor("national_analyst", (Role.NATIONAL_ANALYST,), "national", "hmpps-marsoc"),
    Actor("national_manager", (Role.HUB_MANAGER,), "national", "hmpps-marsoc"),
    Actor("board_member", (Role.BOARD_MEMBER,), None, "home-office-ie"),
    Actor("inspector", (Role.INSPECTOR,), None, "hmpps-marsoc"),
    Actor("system_admin", (Role.SYSTEM_ADMIN,), None, "hmpps-marsoc"),
]

# The four relations: a nominal of the actor's own hub (London), of another hub (Yorkshire), one on
# which the partner's agency participates (Yorkshire-owned), and one on which another agency does
# (London-owned, NCA participating).
RELATIONS = ["own_hub", "other_hub", "participating", "non_participating"]

READ = {
    "london_manager": {"own_hub", "non_participating"},
    "london_officer": {"own_hub", "non_participating"},
    "london_analyst": {"own_hub", "non_participating"},
    "partner_probation": {"participating"},
    "national_analyst": set(RELATIONS),
    "national_manager": set(RELATIONS),
    "board_member": set(),
    "inspector": set(),
    "system_admin": set(),
}
HUB_WORK = {"own_hub", "non_participating"}  # the London-owned nominals
ASSESS_READ = {
    "london_manager": HUB_WORK,
    "london_officer": HUB_WORK,
    "london_analyst": HUB_WORK,
    "national_analyst": set(RELATIONS),
    "national_manager": set(RELATIONS),
}
ASSESS = {
    "london_manager": HUB_WORK,
    "london_officer": HUB_WORK,
    "london_analyst": HUB_WORK,
    "national_manager": set(RELATIONS),
}
DECIDE = {"london_manager": HUB_WORK, "national_manager": set(RELATIONS)}
WRITE = {
    "london_manager": {"own_hub", "non_participating"},
    "london_officer": {"own_hub", "non_participating"},
    "national_manager": set(RELATIONS),
}

# Per-nominal surfaces: (name, method, path template, which table decides).
NOMINAL_SURFACES = [
    ("profile page", "get", "/cohort/{id}/", READ),
    ("purpose page", "get", "/cohort/{id}/purpose/", READ),
    ("edit page", "get", "/cohort/{id}/edit/", WRITE),
    ("add identifier page", "get", "/cohort/{id}/identifiers/add/", WRITE),
    ("add alias page", "get", "/cohort/{id}/aliases/add/", WRITE),
    ("custody event page", "get", "/cohort/{id}/custody/add/", WRITE),
    ("membership page", "get", "/cohort/{id}/membership/", WRITE),
    ("add agency page", "get", "/cohort/{id}/agencies/add/", WRITE),
    ("end agency page", "get", "/cohort/{id}/agencies/{participation}/end/", WRITE),
    ("API get", "api", "/api/nominals/{id}?purpose=case+management", READ),
    ("assessments page", "get", "/cohort/{id}/assessments/", ASSESS_READ),
    ("assessment breakdown", "get", "/cohort/{id}/assessments/{assessment}/", ASSESS_READ),
    ("new assessment page", "get", "/cohort/{id}/assessments/new/", ASSESS),
    ("tier decision page", "get", "/cohort/{id}/tier/", DECIDE),
    ("API assessments", "api", "/api/nominals/{id}/assessments?purpose=case+management", ASSESS_READ),
    (
        "API assessment breakdown",
        "api",
        "/api/nominals/{id}/assessments/{assessment}?purpose=case+management",
        ASSESS_READ,
    ),
]

# Surfaces not about one nominal: who may use them at all.
CASE = {
    "london_manager",
    "london_officer",
    "london_analyst",
    "partner_probation",
    "national_analyst",
    "national_manager",
}
EQUALITY = {"london_manager", "london_analyst", "national_analyst", "national_manager", "board_member"}
GLOBAL_SURFACES = [
    ("home", "get", "/", set(k.key for k in ACTORS)),
    ("cohort list", "get", "/cohort/", CASE),
    ("refer page", "get", "/cohort/refer/", {"london_manager", "london_officer", "national_manager"}),
    ("audit log", "get", "/audit/", {"inspector"}),
    ("audit export", "get", "/audit/export.csv", {"inspector"}),
    ("API audit log", "api", "/api/audit/events", {"inspector"}),
    ("API audit export", "api", "/api/audit/export", {"inspector"}),
    ("administration", "get", "/admin/", {"system_admin"}),
    ("worker heartbeats", "get", "/admin/core/workerheartbeat/", {"system_admin"}),
    ("verify audit chain", "post", "/audit/verify/", {"inspector"}),
    ("priority list", "get", "/priority/", CASE - {"partner_probation"}),
    ("priority export", "get", "/priority/export.csv", CASE - {"partner_probation"}),
    ("reviews", "get", "/reviews/", CASE - {"partner_probation"}),
    ("methods", "get", "/methods/", CASE - {"partner_probation"}),
    ("method detail", "get", "/methods/1/", CASE - {"partner_probation"}),
    ("method dry runs", "get", "/methods/1/dry-runs/", {"national_analyst", "national_manager"}),
    ("method dry run", "get", "/methods/dry-runs/{dry_run}/", {"national_analyst", "national_manager"}),
    ("API priority list", "api", "/api/priority", CASE - {"partner_probation"}),
    ("API reviews", "api", "/api/reviews", CASE - {"partner_probation"}),
    ("API methods", "api", "/api/methods", CASE - {"partner_probation"}),
    ("API method", "api", "/api/methods/1", CASE - {"partner_probation"}),
    ("API dry run", "api", "/api/dry-runs/{dry_run}", {"national_analyst", "national_manager"}),
    # Equality monitoring: aggregates only, so the Board is ALLOWED; hub officers, partners, inspectors
    # and administrators are not (docs/equality.md).
    ("equality report", "get", "/equality/", EQUALITY),
    ("equality export", "get", "/equality/export.csv", EQUALITY),
    ("reference populations", "get", "/equality/populations/", EQUALITY),
    ("reference population", "get", "/equality/populations/1/", EQUALITY),
    ("API equality report", "api", "/api/equality/report", EQUALITY),
    ("API reference populations", "api", "/api/equality/populations", EQUALITY),
    ("API reference population", "api", "/api/equality/populations/1", EQUALITY),
    ("tools and powers catalogue", "get", "/plans/catalogue/", CASE),
    ("add catalogue entry", "get", "/plans/catalogue/add/", {"national_manager"}),
    ("tasking meetings", "get", "/plans/meetings/", CASE - {"partner_probation"}),
    ("API tasking meetings", "api", "/api/meetings", CASE - {"partner_probation"}),
    ("alerts inbox", "get", "/plans/alerts/", CASE),
    # Those who speak for an agency (managers, officers, partners) see the actions their agency owns.
    (
        "agency's actions",
        "get",
        "/plans/actions/",
        {"london_manager", "london_officer", "partner_probation", "national_manager"},
    ),
    ("plan reports", "get", "/plans/reports/", CASE - {"partner_probation"}),
    ("plan reports export", "get", "/plans/reports/export.csv", CASE - {"partner_probation"}),
    # Identity resolution (linkage): hub staff and national staff; the world's records are London's.
    ("linkage home", "get", "/linkage/", CASE - {"partner_probation"}),
    (
        "import a feed",
        "get",
        "/linkage/imports/new/",
        {"london_manager", "london_officer", "national_manager"},
    ),
    ("feed import", "get", "/linkage/imports/{import}/", CASE - {"partner_probation"}),
    ("review queue", "get", "/linkage/review/", CASE - {"partner_probation"}),
    ("review pair", "get", "/linkage/review/{pair}/", CASE - {"partner_probation"}),
    ("linked person", "get", "/linkage/people/{person}/", CASE - {"partner_probation"}),
    ("undo merge", "post", "/linkage/merges/{merge}/undo/", {"london_manager", "national_manager"}),
    ("start linkage run", "post", "/linkage/run/", {"national_analyst", "national_manager"}),
    # The linkage API (issue 15); its writes: tests/linkage/test_api.py::test_linkage_api_writes_allow_and_deny.
    (
        "API feed mappings",
        "api",
        "/api/linkage/mappings",
        {"london_manager", "london_officer", "national_manager"},
    ),
    ("API feed imports", "api", "/api/linkage/imports", CASE - {"partner_probation"}),
    ("API feed import", "api", "/api/linkage/imports/{import}", CASE - {"partner_probation"}),
    ("API import report", "api", "/api/linkage/imports/{import}/quarantine", CASE - {"partner_probation"}),
    ("API review queue", "api", "/api/linkage/pairs", CASE - {"partner_probation"}),
    ("API review pair", "api", "/api/linkage/pairs/{pair}", CASE - {"partner_probation"}),
    ("API linkage runs", "api", "/api/linkage/runs", CASE - {"partner_probation"}),
]

# Every route, so a new one cannot escape the table.
COVERED_ROUTES = (
    {
        "",
        "healthz",
        "sign-in/",
        "sign-in/code/",
        "sign-in/set-up/",
        "sign-out/",
        "account/password/",
        "cohort/",
        "cohort/refer/",
        "cohort/<int:pk>/",
        "cohort/<int:pk>/purpose/",
        "cohort/<int:pk>/edit/",
        "cohort/<int:pk>/identifiers/add/",
        "cohort/<int:pk>/aliases/add/",
        "cohort/<int:pk>/custody/add/",
        "cohort/<int:pk>/membership/",
        "cohort/<int:pk>/agencies/add/",
        "cohort/<int:pk>/agencies/<int:participation_id>/end/",
        "audit/",
        "audit/export.csv",
        "audit/verify/",
        "priority/",
        "priority/export.<str:fmt>",
        "reviews/",
        "methods/",
        "methods/<int:pk>/",
        "methods/<int:pk>/dry-runs/",
        "methods/dry-runs/<int:run_id>/",
        "cohort/<int:pk>/assessments/",
        "cohort/<int:pk>/assessments/new/",
        "cohort/<int:pk>/assessments/<int:assessment_id>/",
        "cohort/<int:pk>/tier/",
        "equality/",
        "equality/export.csv",
        "equality/populations/",
        "equality/populations/<int:pk>/",
        "calibration/",
        "calibration/new/",
        "calibration/<int:pk>/",
        "calibration/<int:pk>/vignettes/add/",
        "calibration/<int:pk>/assessors/",
        "calibration/<int:pk>/status/",
        "calibration/<int:pk>/vignettes/<int:vignette_id>/score/",
        "calibration/<int:pk>/submit/",
        "calibration/<int:pk>/results/",
        "calibration/<int:pk>/results.csv",
        "cohort/<int:pk>/plan/",
        "cohort/<int:pk>/plan/create/",
        "cohort/<int:pk>/plan/objectives/add/",
        "cohort/<int:pk>/plan/actions/add/",
        "cohort/<int:pk>/plan/actions/<int:action_id>/",
        "cohort/<int:pk>/plan/actions/<int:action_id>/outcome/",
        "cohort/<int:pk>/plan/request-agreement/",
        "cohort/<int:pk>/plan/agree/",
        "cohort/<int:pk>/orders/add/",
        "cohort/<int:pk>/orders/<int:order_id>/breach/",
        "plans/catalogue/",
        "plans/catalogue/add/",
        "plans/catalogue/<int:tactic_id>/",
        "plans/meetings/",
        "plans/meetings/<int:meeting_id>/",
        "plans/meetings/<int:meeting_id>/pack.pdf",
        "plans/meetings/<int:meeting_id>/minutes.pdf",
        "plans/alerts/",
        "plans/actions/",
        "plans/reports/",
        "plans/reports/export.csv",
        "linkage/",
        "linkage/imports/new/",
        "linkage/imports/<int:import_id>/",
        "linkage/review/",
        "linkage/review/<int:pair_id>/",
        "linkage/people/<int:person_id>/",
        "linkage/merges/<int:merge_id>/undo/",
        "linkage/run/",
    }
    | workday_routes.ROUTES
    | network_routes.ROUTES
    | funding_routes.ROUTES
    | ops_routes.ROUTES
    | reporting_routes.ROUTES
    | accounts_routes.ROUTES
    | rights_routes.ROUTES
)

# Plans (issue 4). A plan is seen by whoever may see the person; the owner hub writes it; the acting
# agency (here probation, on the "participating" nominal) updates its own action and reports breaches.
ACTING = WRITE | {"partner_probation": {"participating"}}
PLAN_SURFACES = [
    ("plan page", "get", "/cohort/{id}/plan/", READ),
    ("agree page", "get", "/cohort/{id}/plan/agree/", READ),
    ("outcome page", "get", "/cohort/{id}/plan/actions/{action}/outcome/", READ),
    ("create plan page", "get", "/cohort/{id}/plan/create/", WRITE),
    ("add objective page", "get", "/cohort/{id}/plan/objectives/add/", WRITE),
    ("add action page", "get", "/cohort/{id}/plan/actions/add/", WRITE),
    ("add order page", "get", "/cohort/{id}/orders/add/", WRITE),
    ("request agreement", "post", "/cohort/{id}/plan/request-agreement/", WRITE),
    ("update action page", "get", "/cohort/{id}/plan/actions/{action}/", ACTING),
    ("report breach page", "get", "/cohort/{id}/orders/{order}/breach/", ACTING),
    ("API plan get", "api", "/api/nominals/{id}/plan?purpose=case+management", READ),
    ("API orders", "api", "/api/nominals/{id}/orders?purpose=case+management", READ),
]
MEETING_STAFF = {"london_manager", "london_officer", "london_analyst", "national_analyst", "national_manager"}
PLAN_GLOBAL_SURFACES = [
    ("meeting page", "/plans/meetings/{meeting}/", MEETING_STAFF),
    ("meeting pack", "/plans/meetings/{meeting}/pack.pdf", MEETING_STAFF),
    ("meeting minutes", "/plans/meetings/{meeting}/minutes.pdf", MEETING_STAFF),
    ("API meeting", "/api/meetings/{meeting}", MEETING_STAFF),
    ("API meeting pack", "/api/meetings/{meeting}/pack.pdf", MEETING_STAFF),
    ("API meeting minutes", "/api/meetings/{meeting}/minutes.pdf", MEETING_STAFF),
    ("change catalogue entry", "/plans/catalogue/{tactic}/", {"national_manager"}),
]


@pytest.fixture
def world(db):
    owner = make_user("owner.setup", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    nominals = {
        "own_hub": make_nominal(owner, hub_code="london", family="Own"),
        "other_hub": make_nominal(owner, hub_code="yorkshire-humber", family="Other"),
        "participating": make_nominal(owner, hub_code="yorkshire-humber", family="Partnered"),
        "non_participating": make_nominal(owner, hub_code="london", family="Elsewhere"),
    }
    parts = {
        "participating": add_participation(nominals["participating"], "probation-london", owner),
        "non_participating": add_participation(nominals["non_participating"], "nca", owner),
    }
    # Only these two have a participation to end; give the others one (by a third agency) so the
    # "end agency" page exists for every relation.
    for key in ("own_hub", "other_hub"):
        parts[key] = add_participation(nominals[key], "hmrc", owner)
    users = {
        a.key: make_user(a.key.replace("_", "."), a.roles, hub_code=a.hub, agency_code=a.agency)
        for a in ACTORS
    }
    return nominals, parts, users


def _call(client, method, path, token=None):
    if method == "post":
        return client.post(path)
    if method == "api":
        return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(path)


@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_nominal_surfaces(world, actor, token_for):
    nominals, parts, users = world
    user = users[actor]
    client = with_purpose(signed_in(user), *nominals.values())
    token = token_for(user)
    owner = nominals["own_hub"].created_by
    levels = {f.code: 2 for f in method_spec(active_method()).factors}
    assessments = {r: assessment_submit(actor=owner, nominal=n, levels=levels) for r, n in nominals.items()}
    failures = []
    for name, method, template, table in NOMINAL_SURFACES:
        for relation in RELATIONS:
            nominal = nominals[relation]
            path = template.format(
                id=nominal.pk, participation=parts[relation].pk, assessment=assessments[relation].pk
            )
            response = _call(client, method, path, token)
            allowed = relation in table.get(actor, set())
            ok = response.status_code == 200 if allowed else response.status_code == 404
            if not ok:
                failures.append(
                    f"{name} / {relation}: expected {'200' if allowed else '404'}, got {response.status_code}"
                )
    assert not failures, f"{actor}:\n" + "\n".join(failures)


@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_list_and_search_surfaces(world, actor, token_for):
    """Lists, search and the API list show exactly the nominals the table allows."""
    nominals, _parts, users = world
    user = users[actor]
    expected = {nominals[r].pk for r in READ[actor]}
    token = token_for(user)
    api = signed_in(user).get("/api/nominals?page_size=200", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert {row["id"] for row in api["results"]} == expected
    assert api["count"] == len(expected)
    search = signed_in(user).get("/api/nominals/search?q=Test", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert {row["id"] for row in search["results"]} == expected
    page = signed_in(user).get("/cohort/")
    if actor in CASE:
        shown = set(page.context["page"].object_list.values_list("pk", flat=True))
        assert shown == expected
    else:
        assert page.status_code == 404


@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_global_surfaces(world, actor, token_for, settings, tmp_path):
    _nominals, _parts, users = world
    client = signed_in(users[actor])
    token = token_for(users[actor])
    run = dry_run_request(actor=users["national_analyst"], candidate=active_method())
    settings.LINKAGE_STAGING_DIR = tmp_path
    linkage = linkage_world(tmp_path, users["national_manager"])
    failures = []
    for name, method, template, allowed_for in GLOBAL_SURFACES:
        path = template.format(dry_run=run.pk, **linkage)
        response = _call(client, method, path, token)
        allowed = actor in allowed_for
        success = 302 if method == "post" else 200
        ok = response.status_code == success if allowed else response.status_code in (404, 302)
        if method == "post" and not allowed:
            ok = response.status_code == 404
        if name == "administration" and not allowed:
            ok = response.status_code == 302  # Django admin sends non-administrators to sign in
        if not ok:
            failures.append(f"{name}: expected {'allow' if allowed else 'deny'}, got {response.status_code}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


def test_forbidden_and_missing_look_the_same(world, token_for):
    nominals, _parts, users = world
    user = users["london_officer"]
    client = with_purpose(signed_in(user), *nominals.values())
    missing_id = max(n.pk for n in nominals.values()) + 1000
    forbidden = client.get(f"/cohort/{nominals['other_hub'].pk}/")
    missing = client.get(f"/cohort/{missing_id}/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    token = token_for(user)
    api_forbidden = client.get(
        f"/api/nominals/{nominals['other_hub'].pk}?purpose=x+y+z", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    api_missing = client.get(
        f"/api/nominals/{missing_id}?purpose=x+y+z", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert api_forbidden.status_code == api_missing.status_code == 404
    assert api_forbidden.json() == api_missing.json()


def test_ended_participation_stops_access_at_once(world):
    nominals, parts, users = world
    client = with_purpose(signed_in(users["partner_probation"]), nominals["participating"])
    assert client.get(f"/cohort/{nominals['participating'].pk}/").status_code == 200
    Participation.objects.filter(pk=parts["participating"].pk).update(ended_at="2026-01-01T00:00:00Z")
    assert client.get(f"/cohort/{nominals['participating'].pk}/").status_code == 404


def test_clearance_below_classification_denies(world):
    nominals, _parts, _users = world
    low = make_user("low.clearance", [Role.HUB_OFFICER], clearance="OFFICIAL-SENSITIVE")
    Nominal.objects.filter(pk=nominals["own_hub"].pk).update(
        classification="SECRET"
    )  # above OFFICIAL-SENSITIVE clearance
    client = with_purpose(signed_in(low), *nominals.values())
    assert client.get(f"/cohort/{nominals['own_hub'].pk}/").status_code == 404
    assert client.get(f"/cohort/{nominals['non_participating'].pk}/").status_code == 200


def test_unauthenticated_requests_are_refused(world):
    nominals, _parts, _users = world
    from django.test import Client

    anonymous = Client()
    for path in ["/", "/cohort/", f"/cohort/{nominals['own_hub'].pk}/", "/audit/", "/cohort/refer/"]:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], path
    assert anonymous.get("/api/nominals").status_code == 401
    assert anonymous.get("/api/nominals", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = getattr(entry, "namespace", None)
            if namespace in ("admin", "api"):
                continue
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def test_every_route_is_in_the_table():
    routes = set(_routes())
    assert routes - COVERED_ROUTES == set(), "new routes need rows in the access table"


def test_board_counts_respect_clearance(world):
    nominals, _parts, _users = world
    board = make_user(
        "board.low",
        [Role.BOARD_MEMBER],
        hub_code=None,
        agency_code="home-office-ie",
        clearance="OFFICIAL-SENSITIVE",
    )
    owner = nominals["own_hub"].created_by
    for i in range(5):  # enough London records that the count is shown, not suppressed
        make_nominal(owner, hub_code="london", family=f"Extra{i}")
    before = signed_in(board).get("/").context["board_rows"]
    Nominal.objects.filter(pk=nominals["own_hub"].pk).update(classification="SECRET")
    after = signed_in(board).get("/").context["board_rows"]
    assert before != after  # the SECRET record left the counts this viewer may see


# Calibration: not about a nominal, but about exercises in three states. london_officer is assigned to the
# open and the closed exercise (with a Yorkshire officer); nobody in ACTORS is assigned to the draft.
CALIBRATION_MANAGERS = {"national_analyst", "national_manager"}
CALIBRATION_STAFF = {"london_manager", "london_officer", "london_analyst"}
CALIBRATION_SURFACES = [
    ("calibration list", "get", "/calibration/", CALIBRATION_MANAGERS | CALIBRATION_STAFF),
    ("new exercise", "get", "/calibration/new/", CALIBRATION_MANAGERS),
    ("draft exercise", "get", "/calibration/{draft}/", CALIBRATION_MANAGERS),
    ("open exercise", "get", "/calibration/{open}/", CALIBRATION_MANAGERS | {"london_officer"}),
    (
        "closed exercise",
        "get",
        "/calibration/{closed}/",
        CALIBRATION_MANAGERS | {"london_officer", "london_manager"},
    ),
    ("add vignette", "get", "/calibration/{draft}/vignettes/add/", CALIBRATION_MANAGERS),
    ("assessors", "get", "/calibration/{draft}/assessors/", CALIBRATION_MANAGERS),
    ("open or close", "post", "/calibration/{draft}/status/", CALIBRATION_MANAGERS),
    ("score sheet", "get", "/calibration/{open}/vignettes/{vignette}/score/", {"london_officer"}),
    ("submit sheet", "get", "/calibration/{open}/submit/", {"london_officer"}),
    ("results while open", "get", "/calibration/{open}/results/", set()),
    (
        "results",
        "get",
        "/calibration/{closed}/results/",
        CALIBRATION_MANAGERS | {"london_officer", "london_manager"},
    ),
    ("results export while open", "get", "/calibration/{open}/results.csv", set()),
    ("results export", "get", "/calibration/{closed}/results.csv", CALIBRATION_MANAGERS | {"london_manager"}),
    ("API results while open", "api", "/api/calibration/exercises/{open}/results", set()),
    (
        "API results",
        "api",
        "/api/calibration/exercises/{closed}/results",
        CALIBRATION_MANAGERS | {"london_officer", "london_manager"},
    ),
    ("API submit scores", "api_post", "/api/calibration/exercises/{open}/scores", {"london_officer"}),
]
# Which exercises the API list shows each actor.
CALIBRATION_LISTED = {
    "national_analyst": {"draft", "open", "closed"},
    "national_manager": {"draft", "open", "closed"},
    "london_manager": {"closed"},
    "london_officer": {"open", "closed"},
}


@pytest.fixture
def calibration_world(world):
    _nominals, _parts, users = world
    from django.utils import timezone

    analyst = users["national_analyst"]
    yorkshire = make_user(
        "yorkshire.assessor", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu"
    )
    today = timezone.localdate()
    spec = method_spec(active_method())
    exercises = {}
    for state in ("draft", "open", "closed"):
        exercise = assessment_services.calibration_create(
            actor=analyst, name=state, opens_on=today, closes_on=today + timedelta(days=7)
        )
        for i in range(2):
            assessment_services.calibration_vignette_add(
                actor=analyst, exercise=exercise, title=f"Case {i}", narrative="An invented case."
            )
        if state != "draft":
            assessment_services.calibration_assign(
                actor=analyst, exercise=exercise, assessors=[users["london_officer"], yorkshire]
            )
            assessment_services.calibration_open(actor=analyst, exercise=exercise)
        if state == "closed":
            for person, level in ((users["london_officer"], 1), (yorkshire, 3)):
                assessment_services.calibration_scores_save(
                    actor=person,
                    exercise=exercise,
                    responses={v.pk: {f.code: level for f in spec.factors} for v in exercise.vignettes.all()},
                )
                assessment_services.calibration_sheet_submit(actor=person, exercise=exercise)
            assessment_services.calibration_close(actor=analyst, exercise=exercise)
        exercises[state] = exercise
    return exercises, users


@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_calibration_surfaces(calibration_world, actor, token_for):
    exercises, users = calibration_world
    user = users[actor]
    client = signed_in(user)
    token = token_for(user)
    ids = {state: e.pk for state, e in exercises.items()}
    vignette = exercises["open"].vignettes.first().pk
    failures = []
    for name, method, template, allowed_for in CALIBRATION_SURFACES:
        path = template.format(vignette=vignette, **ids)
        if method == "api_post":
            response = client.post(
                path,
                data={"responses": [], "submit": False},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
        else:
            response = _call(client, method, path, token)
        allowed = actor in allowed_for
        success = 302 if method == "post" else 200
        expected = success if allowed else 404
        if response.status_code != expected:
            failures.append(f"{name}: expected {expected}, got {response.status_code}")
    listed = client.get("/api/calibration/exercises", HTTP_AUTHORIZATION=f"Bearer {token}")
    if listed.status_code != 200:
        failures.append(f"API list: expected 200, got {listed.status_code}")
    else:
        shown = {row["name"] for row in listed.json()}
        if shown != CALIBRATION_LISTED.get(actor, set()):
            failures.append(f"API list: shows {sorted(shown)}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


@pytest.fixture
def plan_world(world):
    """A plan on every nominal, with an action and an order; a probation action on the participating one."""
    from datetime import timedelta

    from django.utils import timezone

    from marsoc.accounts.models import Agency, Hub
    from marsoc.plans.models import Action, Meeting, Order, Tactic
    from marsoc.plans.services import action_add, plan_create

    nominals, _parts, users = world
    owner = nominals["own_hub"].created_by
    Nominal.objects.filter(pk__in=[n.pk for n in nominals.values()]).update(membership_state="adopted")
    mps = Agency.objects.get(code="mps")
    actions, orders = {}, {}
    for relation, nominal in nominals.items():
        nominal.refresh_from_db()
        plan = plan_create(actor=owner, nominal=nominal, owner_agency_id=mps.pk)
        actions[relation] = action_add(
            actor=owner,
            plan=plan,
            tactic_id=Tactic.objects.get(code="poca-account-freezing").pk,
            agency_id=mps.pk,
            due_date=timezone.localdate() + timedelta(days=30),
        )
        orders[relation] = Order.objects.create(
            nominal=nominal,
            order_type="scpo",
            start_date=timezone.localdate() - timedelta(days=10),
            end_date=timezone.localdate() + timedelta(days=300),
        )
        if relation == "participating":  # set up directly: the person's phase is not a licence phase
            actions[relation] = Action.objects.create(
                plan=plan,
                tactic=Tactic.objects.get(code="licence-curfew-em"),
                agency=Agency.objects.get(code="probation-london"),
                due_date=timezone.localdate() + timedelta(days=30),
                created_at=timezone.now(),
            )
    meeting = Meeting.objects.create(
        hub=Hub.objects.get(code="london"), held_on=timezone.localdate(), title="London tasking"
    )
    tactic = Tactic.objects.get(code="recall")
    return nominals, actions, orders, users, meeting, tactic


@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_plan_surfaces(plan_world, actor, token_for):
    nominals, actions, orders, users, meeting, tactic = plan_world
    client = with_purpose(signed_in(users[actor]), *nominals.values())
    token = token_for(users[actor])
    failures = []
    for name, method, template, table in PLAN_SURFACES:
        for relation in RELATIONS:
            nominal = nominals[relation]
            path = template.format(id=nominal.pk, action=actions[relation].pk, order=orders[relation].pk)
            response = _call(client, method, path, token)
            allowed = relation in table.get(actor, set())
            success = 302 if method == "post" else 200
            ok = response.status_code == success if allowed else response.status_code == 404
            if not ok:
                failures.append(
                    f"{name} / {relation}: expected {'allow' if allowed else '404'}, got {response.status_code}"
                )
    for name, template, allowed_for in PLAN_GLOBAL_SURFACES:
        response = client.get(template.format(meeting=meeting.pk, tactic=tactic.pk))
        allowed = actor in allowed_for
        ok = response.status_code == 200 if allowed else response.status_code == 404
        if not ok:
            failures.append(f"{name}: expected {'200' if allowed else '404'}, got {response.status_code}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


def test_plan_pages_write_consultation_records(plan_world):
    from marsoc.core.models import AuditEvent

    nominals, _actions, _orders, users, meeting, _tactic = plan_world
    client = with_purpose(signed_in(users["partner_probation"]), nominals["participating"])
    client.get(f"/cohort/{nominals['participating'].pk}/plan/")
    event = AuditEvent.objects.filter(action="nominal.view", details__surface="plan").latest("id")
    assert (
        event.nominal_id == nominals["participating"].pk and event.actor_id == users["partner_probation"].pk
    )
    signed_in(users["london_manager"]).get(f"/plans/meetings/{meeting.pk}/pack.pdf")
    pack = AuditEvent.objects.filter(action="meeting.pack_pdf").latest("id")
    assert pack.operation == "disclosure" and pack.actor_id == users["london_manager"].pk


# --- Intelligence (issue 5) -------------------------------------------------------------------------------
# An item on the London "own_hub" nominal, owned by the London hub and originated by the MPS; a hidden
# Yorkshire item (for deconfliction and access requests); a consent request and an access request.
# Item access follows docs/intelligence.md: owner hub staff and originating-agency users, nobody else
# without a disclosure.

COVERED_ROUTES |= {
    "intelligence/",
    "intelligence/export.csv",
    "intelligence/new/",
    "intelligence/requests/",
    "intelligence/requests/consent/<int:request_id>/",
    "intelligence/requests/access/new/",
    "intelligence/requests/access/<int:request_id>/",
    "intelligence/agreements/",
    "intelligence/agreements/new/",
    "intelligence/agreements/<int:pk>/",
    "intelligence/<int:pk>/",
    "intelligence/<int:pk>/purpose/",
    "intelligence/<int:pk>/share/",
    "intelligence/<int:pk>/sanitise/",
    "intelligence/<int:pk>/approve/",
    "intelligence/retention/",
    "intelligence/subject-access/<int:nominal_id>/",
    "intelligence/<int:pk>/review/",
    "intelligence/<int:pk>/restrict/",
    "intelligence/<int:pk>/rectify/",
    "intelligence/summaries/",
    "intelligence/summaries/<int:pk>/",
    "intelligence/summaries/<int:pk>/purpose/",
    "intelligence/people/<int:pk>/",
    "intelligence/people/<int:pk>/share-summary/",
}
INTEL_READ = {"london_manager", "london_officer", "london_analyst"}  # owner hub staff; MPS originates
SUMMARY_READ = INTEL_READ | {"partner_probation"}  # the disclosing hub's staff and the recipient agency
OWN_HUB_READERS = INTEL_READ | {"national_analyst", "national_manager"}  # READ for the London nominal
MPS = {"london_manager", "london_analyst"}  # users of the originating agency
INTEL_SURFACES = [
    ("intel search", "get", "/intelligence/?q=Own", CASE),
    ("intel export", "get", "/intelligence/export.csv", CASE),
    (
        "record intelligence",
        "get",
        "/intelligence/new/",
        {"london_manager", "london_officer", "partner_probation", "national_manager"},
    ),
    ("intel requests", "get", "/intelligence/requests/", CASE),
    (
        "consent decision",
        "get",
        "/intelligence/requests/consent/{consent}/",
        {"london_manager"},
    ),  # MPS manager = originator
    (
        "request access",
        "post",
        "/intelligence/requests/access/new/",
        CASE,  # nobody in this table may see the Yorkshire item, so everyone gets the hit
    ),
    ("access decision", "get", "/intelligence/requests/access/{access}/", set()),  # Yorkshire's manager only
    ("agreements", "get", "/intelligence/agreements/", CASE),
    ("new agreement", "get", "/intelligence/agreements/new/", {"national_manager"}),
    (
        "agreement",
        "get",
        "/intelligence/agreements/{agreement}/",
        MPS | {"national_analyst", "national_manager"},
    ),
    ("item page", "get", "/intelligence/{item}/", INTEL_READ),
    ("item purpose", "get", "/intelligence/{item}/purpose/", INTEL_READ),
    ("share item", "get", "/intelligence/{item}/share/", INTEL_READ),  # a P item: owner staff and originator
    ("sanitise item", "get", "/intelligence/{item}/sanitise/", MPS),  # P is treated as S1: originator only
    ("approve sanitised", "get", "/intelligence/{item}/approve/", set()),  # not a pending version
    ("API item", "api", "/api/intelligence/{item}?purpose=case+work", INTEL_READ),
    ("retention queue", "get", "/intelligence/retention/", {"london_manager", "national_manager"}),
    ("retention review", "get", "/intelligence/{item}/review/", {"london_manager"}),  # owner hub's manager
    ("restrict item", "get", "/intelligence/{item}/restrict/", {"london_manager"}),
    # owner hub's managers and officers, and the originating agency's recording users (not its analyst)
    ("rectify item", "get", "/intelligence/{item}/rectify/", {"london_manager", "london_officer"}),
    ("subject access export", "get", "/intelligence/subject-access/{nominal}/", {"london_manager"}),
    # Nominal summaries of the London person, disclosed by London (MPS) to London Probation: one under an
    # agreement in force, one under an agreement since suspended. The London hub's staff keep both; the
    # probation partner sees the first only; nobody else sees either.
    ("nominal summaries", "get", "/intelligence/summaries/", CASE),
    ("summary page", "get", "/intelligence/summaries/{summary}/", SUMMARY_READ),
    ("summary purpose", "get", "/intelligence/summaries/{summary}/purpose/", SUMMARY_READ),
    ("suspended summary page", "get", "/intelligence/summaries/{suspended_summary}/", INTEL_READ),
    ("suspended summary purpose", "get", "/intelligence/summaries/{suspended_summary}/purpose/", INTEL_READ),
    ("API summary", "api", "/api/summaries/{summary}?purpose=case+work", SUMMARY_READ),
    ("API suspended summary", "api", "/api/summaries/{suspended_summary}?purpose=case+work", INTEL_READ),
    # A person's intelligence: whoever may open the person (and sees intelligence at all); sharing a
    # summary: the owner hub's managers and officers only (not its analyst, not the national team).
    ("person's intelligence", "get", "/intelligence/people/{nominal}/", OWN_HUB_READERS),
    (
        "share a summary",
        "get",
        "/intelligence/people/{nominal}/share-summary/",
        {"london_manager", "london_officer"},
    ),
]

# API writes (not in COVERED_ROUTES, which lists page routes): (name, path, allowed, body, allow, deny).
# Recording is gated by role before any input is read: an empty item is 422 for those who may record,
# 403 for the rest. Sharing the P item under an MPS-NCA agreement: the owner side shares at once (201),
# everyone else gets the same 404 as for a missing item.
RECORDERS = {"london_manager", "london_officer", "partner_probation", "national_manager"}
INTEL_API_WRITES = [
    # A body the document allows but the service refuses (a date in the future): 409 for recorders,
    # 403 for everyone else, so the refusal comes from the rule and not from the schema.
    ("API record item", "/api/intelligence", RECORDERS, "future", 409, 403),
    ("API share item", "/api/intelligence/{item}/share", INTEL_READ, "share", 201, 404),
]


@pytest.fixture
def intel_world(world):
    from marsoc.intelligence.models import AccessRequest, ConsentRequest

    from .intelligence.helpers import make_agreement, make_item, make_summary

    nominals, _parts, users = world
    owner = nominals["own_hub"].created_by
    item = make_item(nominals["own_hub"], hub_code="london", agency_code="mps", text="Own item")
    hidden = make_item(
        nominals["other_hub"], hub_code="yorkshire-humber", agency_code="yhrocu", text="Other item"
    )
    agreement = make_agreement(["mps", "nca"])
    consent = ConsentRequest.objects.create(
        item=item, recipient_agency=agreement.parties.get(code="nca"), agreement=agreement, purpose="x",
        requested_by=owner, requested_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    access = AccessRequest.objects.create(
        nominal=nominals["other_hub"], owner_hub=hidden.owner_hub, requested_by=owner,
        requester_agency=agreement.parties.get(code="mps"), reason="x", requested_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    ids = {"item": item.pk, "agreement": agreement.pk, "consent": consent.pk, "access": access.pk}
    ids["nominal"] = nominals["own_hub"].pk
    ids["nca"] = agreement.parties.get(code="nca").pk
    in_force = make_agreement(["mps", "probation-london"])
    suspended = make_agreement(["mps", "probation-london"], status="suspended")
    for key, under in (("summary", in_force), ("suspended_summary", suspended)):
        ids[key] = make_summary(
            nominals["own_hub"], under, recipient="probation-london", sharing_agency="mps", items=(item,)
        ).pk
    return users, ids | {"yorkshire": hidden.owner_hub_id}


@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_intelligence_surfaces(intel_world, actor, token_for):
    users, ids = intel_world
    user = users[actor]
    client = signed_in(user)
    session = client.session
    session["marsoc_intel_purposes"] = {str(ids["item"]): "Intelligence development"}
    session["marsoc_summary_purposes"] = {
        str(ids[k]): "Intelligence development" for k in ("summary", "suspended_summary")
    }
    session["marsoc_purposes"] = {str(ids["nominal"]): "Intelligence development"}
    session.save()
    token = token_for(user)
    failures = []
    for name, method, template, allowed_for in INTEL_SURFACES:
        path = template.format(**ids)
        if method == "post":  # the hidden hit is held by Yorkshire: ask that hub
            response = client.post(path, {"q": "Other", "hub": ids["yorkshire"], "reason": "Joint work"})
        else:
            response = _call(client, method, path, token)
        allowed = actor in allowed_for
        success = 302 if method == "post" else 200
        if response.status_code != (success if allowed else 404):
            failures.append(f"{name}: expected {'allow' if allowed else 'deny'}, got {response.status_code}")
    for name, template, allowed_for, kind, allow, deny in INTEL_API_WRITES:
        body = (
            {
                "subjects": [{"nominal_id": ids["nominal"], "category": "suspect"}],
                "text": "Seen at the port on a Tuesday (synthetic)",
                "intelligence_date": (date.today() + timedelta(days=30)).isoformat(),
                "owner_hub_id": ids["yorkshire"],
                "classification": "OFFICIAL",
                "source_evaluation": "2",
                "intelligence_assessment": "B",
                "handling_code": "P",
                "purpose": "prevention_detection",
                "data_category": "criminal_intelligence",
            }
            if kind == "future"
            else {
                "recipient_agency_id": ids["nca"],
                "agreement_id": ids["agreement"],
                "purpose": "Joint work",
            }
        )
        response = client.post(
            template.format(**ids),
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        expected = allow if actor in allowed_for else deny
        if response.status_code != expected:
            failures.append(f"{name}: expected {expected}, got {response.status_code}")
    # The API search answers everyone, but only case roles get anything, and only what they may see.
    api = client.get("/api/intelligence?q=item", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    want = {ids["item"]} if actor in INTEL_READ else set()
    if {r["id"] for r in api["results"]} != want or api["count"] != len(want):
        failures.append(f"API search: {api['count']}")
    # Summary lists (page and API): exactly the summaries the rows above allow.
    want_summaries = set()
    if actor in SUMMARY_READ:
        want_summaries.add(ids["summary"])
    if actor in INTEL_READ:
        want_summaries.add(ids["suspended_summary"])
    api = client.get("/api/summaries", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    if {r["id"] for r in api["results"]} != want_summaries or api["count"] != len(want_summaries):
        failures.append(f"API summaries: {api['count']}")
    if actor in CASE:
        page = client.get("/intelligence/summaries/").context["page"]
        if {s.pk for s in page.object_list} != want_summaries:
            failures.append("summary list page")
    agreements = client.get("/api/agreements", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    # The MPS-NCA agreement and the two MPS-London Probation ones (for the summaries); and the national
    # team's partnerships with London Probation, the NCA and HMRC under which they take part in people.
    want_agreements = {"partner_probation": 3, "national_analyst": 6, "national_manager": 6}.get(
        actor, 3 if actor in MPS else 0
    )
    if len(agreements) != want_agreements:
        failures.append(f"API agreements: {len(agreements)}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


# --- Work queues, chronology and case notes (issue 18; the rows are in tests/workday/routes.py) -----------
@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_workday_surfaces(world, actor):
    from marsoc.casework.models import CaseNote

    nominals, _parts, users = world
    client = with_purpose(signed_in(users[actor]), *nominals.values())
    owner = nominals["own_hub"].created_by
    tables = {"READ": READ}
    failures = []
    for key, allowed_for in workday_routes.QUEUE_SURFACES:
        response = client.get(f"/work/{key}/")
        if response.status_code != (200 if actor in allowed_for else 404):
            failures.append(f"queue {key}: got {response.status_code}")
    for name, template, table in workday_routes.PERSON_SURFACES:
        rows = tables[table] if isinstance(table, str) else table
        for relation in RELATIONS:
            response = client.get(template.format(id=nominals[relation].pk))
            expected = 200 if relation in rows.get(actor, set()) else 404
            if response.status_code != expected:
                failures.append(f"{name} / {relation}: expected {expected}, got {response.status_code}")
    # A note by the owner (national team) on each person: hub staff and the national team see it, a partner
    # sees only its own agency's notes; nobody here wrote it, so nobody may correct it (those who see it are
    # sent back to the list with the reason).
    for relation in RELATIONS:
        note = CaseNote.objects.create(
            nominal=nominals[relation], contact_type="meeting", occurred_at="2026-01-05T10:00:00Z",
            outcome="completed", text="Met", agency=owner.agency, author=owner, created_at="2026-01-05T10:00:00Z",
        )  # fmt: skip
        sees = relation in READ[actor] and actor != "partner_probation"
        writes = sees and relation in workday_routes.WRITE_NOTES.get(actor, set())
        base = f"/cohort/{nominals[relation].pk}/notes/{note.pk}"
        got = client.get(f"{base}/addendum/").status_code
        if got != (200 if writes else 404):
            failures.append(f"addendum / {relation}: got {got}")
        got = client.get(f"{base}/correct/").status_code
        if got != (302 if sees else 404):
            failures.append(f"correct / {relation}: got {got}")
        listed = client.get(f"/cohort/{nominals[relation].pk}/notes/")
        if listed.status_code == 200 and (f'id="note-{note.pk}"' in listed.content.decode()) != sees:
            failures.append(f"note listed / {relation}: {not sees}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


# --- Networks and organised crime groups (issue 16; the rows are in tests/network/routes.py) --------------
@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_network_surfaces(world, actor, token_for):
    nominals, _parts, users = world
    net = network_world(nominals, nominals["own_hub"].created_by)
    client = with_purpose(signed_in(users[actor]), *nominals.values())
    ids = {"london_group": net["london_group"].pk, "yorkshire_group": net["yorkshire_group"].pk}
    ids["associate"] = net["associate"].pk
    ids["own_ref"], ids["london_group_ref"] = nominals["own_hub"].reference, net["london_group"].reference
    ids["yorkshire_group_ref"] = net["yorkshire_group"].reference
    failures = []
    for name, template, allowed_for in network_routes.GLOBAL_SURFACES:
        got = client.get(template.format(**ids)).status_code
        if got != (200 if actor in allowed_for else 404):
            failures.append(f"{name}: got {got}")
    for name, template, table in network_routes.PERSON_SURFACES:
        rows = READ if table == "READ" else table
        for relation in RELATIONS:
            got = client.get(template.format(id=nominals[relation].pk)).status_code
            expected = 200 if relation in rows.get(actor, set()) else 404
            if got != expected:
                failures.append(f"{name} / {relation}: expected {expected}, got {got}")
    token = token_for(users[actor])
    for name, template, allowed_for in network_routes.API_SURFACES:
        got = client.get(template.format(**ids), HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        if got != (200 if actor in allowed_for else 404):
            failures.append(f"{name}: got {got}")
    body = {"a": nominals["own_hub"].reference, "b": nominals["non_participating"].reference,
            "association_type": "family", "source_kind": "officer"}  # fmt: skip
    got = client.post("/api/network/associations", data=body, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}").status_code  # fmt: skip
    if got != (201 if actor in network_routes.API_RECORDERS else 403):
        failures.append(f"API record association: got {got}")
    failures += _chart_rows(actor, users, nominals, net, client, token)
    if "own_hub" in READ[actor]:
        page = client.get(f"/cohort/{nominals['own_hub'].pk}/network/?hops=2").content.decode()
        names = {v: k for k, v in net["links"].items()}
        shown = {
            names[link] for link in net["links"].values() if f'id="link-{_record(link)}-{link.pk}"' in page
        }
        if shown != network_routes.OWN_NETWORK_LINKS.get(actor, set()):
            failures.append(f"own network links: {sorted(shown)}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


def _chart_rows(actor, users, nominals, net, client, token):
    from marsoc.network.services import charts

    author = users["london_manager"]
    keys = [("nominal", nominals["own_hub"].pk), ("group", net["london_group"].pk),
            ("nominal", nominals["non_participating"].pk)]  # fmt: skip
    chart = charts.chart_create(actor=author, name="Thames", classification="OFFICIAL", keys=keys)
    for other in ("national_analyst", "partner_probation"):
        charts.chart_share(actor=author, chart=chart, username=users[other].username)
    ids = {"chart": chart.pk, "london_group": net["london_group"].pk}
    failures = []
    for name, template, allowed_for in network_routes.CHART_SURFACES:
        got = client.get(template.format(**ids))
        if got.status_code != (200 if actor in allowed_for else 404):
            failures.append(f"{name}: got {got.status_code}")
        elif name == "London manager's chart" and got.status_code == 200:
            told = 'id="chart-withheld"' in got.content.decode()
            if told != (actor in network_routes.CHART_WITHHELD):
                failures.append(f"{name}: told of withheld items: {told}")
    got = client.post(
        f"/network/charts/{chart.pk}/change/", {"action": "layout", "layout": "grid"}
    ).status_code
    chart.refresh_from_db()
    if got != (302 if actor in network_routes.CHART_READERS else 404):
        failures.append(f"change chart: got {got}")
    if (chart.layout == "grid") != (actor == network_routes.CHART_CHANGER):
        failures.append(f"change chart: layout now {chart.layout}")
    body = {"name": "Own", "classification": "OFFICIAL", "node": f"nominal-{nominals['own_hub'].pk}"}
    got = client.post("/network/charts/new/", body).status_code
    expected = 302 if actor in network_routes.CHART_CREATORS else 200 if actor in network_routes.CASE else 404
    if got != expected:
        failures.append(f"new chart of the own-hub person: expected {expected}, got {got}")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for name, template, allowed_for in network_routes.CHART_API_SURFACES:
        got = client.get(template.format(**ids), **bearer)
        if got.status_code != (200 if actor in allowed_for else 404):
            failures.append(f"{name}: got {got.status_code}")
        elif got.status_code == 200 and name == "API London manager's chart":
            told = got.json()["withheld"]
            if told != (actor in network_routes.CHART_WITHHELD):
                failures.append(f"{name}: told of withheld items: {told}")
    got = client.patch(f"/api/network/charts/{chart.pk}", data={"layout": "circle"},
                       content_type="application/json", **bearer).status_code  # fmt: skip
    chart.refresh_from_db()
    if got != network_routes.CHART_API_CHANGE.get(actor, 404):
        failures.append(f"API change chart: got {got}")
    if (chart.layout == "circle") != (network_routes.CHART_API_CHANGE.get(actor) == 200):
        failures.append(f"API change chart: layout now {chart.layout}")
    body = {"name": "Own", "classification": "OFFICIAL", "items": [nominals["own_hub"].reference]}
    got = client.post("/api/network/charts", data=body, content_type="application/json", **bearer).status_code
    expected = (
        201 if actor in network_routes.CHART_API_CREATORS else 409 if actor in network_routes.CASE else 404
    )
    if got != expected:
        failures.append(f"API new chart of the own-hub person: expected {expected}, got {got}")
    return failures


def _record(link):
    return "membership" if link.__class__.__name__ == "Membership" else "association"


# --- Grants and claims (issue 19; the rows are in tests/funding/routes.py) ------------------------------
@pytest.mark.parametrize("actor", [a.key for a in ACTORS] + sorted(funding_routes.EXTRA_ACTORS))
def test_funding_surfaces(world, actor, token_for):
    from marsoc.funding import services as funding_services
    from marsoc.funding.models import Claim

    from .funding.helpers import seed_grant

    _nominals, _parts, users = world
    for key, (roles, hub_code, agency_code) in funding_routes.EXTRA_ACTORS.items():
        users[key] = make_user(key.replace("_", "."), roles, hub_code=hub_code, agency_code=agency_code)
    grant = seed_grant({"national": users["national_manager"], "manager": users["london_manager"]})
    claims = []
    for number in (1, 2):
        claim = funding_services.claim_prepare(actor=users["london_manager"], grant=grant, number=number)
        actuals = {line.post_id: line.eligible_pence for line in claim.lines.all()}
        funding_services.claim_set_actuals(
            actor=users["london_manager"], claim=claim, actuals=actuals, explanation=""
        )
        claims.append(claim)
    from marsoc.funding.models import DecisionRecord
    from marsoc.funding.vocabulary import DeclarationKind

    def draft(reference):
        decision = funding_services.decision_draft(
            actor=users["london_manager"],
            data=funding_services.DecisionInput(reference, "T", "S", "R", "P", "Deputy Mayor"),
        )
        for kind in DeclarationKind:
            funding_services.decision_declare(actor=users["london_finance"], decision=decision, kind=kind)
        return decision

    decision, published = draft("PCD 1"), draft("PCD 2")
    funding_services.decision_approve(
        actor=users["decision_maker"], decision=published, interest_declaration="None", confirmed=True
    )
    funding_services.decision_publish(actor=users["london_manager"], decision=published)
    client = signed_in(users[actor])
    from marsoc.funding.models import Dpia
    from marsoc.sharing.models import SharingAgreement

    dpia = Dpia.objects.create(
        reference="DPIA-T", title="T", owner=users["london_manager"], initiated_on=date(2024, 1, 1),
        review_due_on=date(2030, 1, 1), risks="R",
    )  # fmt: skip
    ids = {"grant": grant.pk, "claim": claims[0].pk, "decision": decision.pk, "published": published.pk}
    ids |= {"dpia": dpia.pk, "agreement": SharingAgreement.objects.order_by("pk").first().pk}
    failures = []
    for name, template, allowed_for in funding_routes.SURFACES:
        response = client.get(template.format(**ids))
        allowed = allowed_for == funding_routes.EVERYONE or actor in allowed_for
        expected = 200 if allowed else 404
        if response.status_code != expected:
            failures.append(f"{name}: expected {expected}, got {response.status_code}")
    token = {"HTTP_AUTHORIZATION": f"Bearer {token_for(users[actor])}"}
    for name, template, allowed_for in funding_routes.API_SURFACES:
        got = client.get(template.format(**ids), **token).status_code
        if got != (200 if actor in allowed_for else 404):
            failures.append(f"{name}: got {got}")
    # Checking a claim (a write): the second person checks it; the preparer and readers are refused and
    # nothing changes; those who cannot see it get 404.
    response = client.post(f"/funding/claims/{claims[1].pk}/check/")
    state = Claim.objects.get(pk=claims[1].pk).state
    if actor in funding_routes.CHECKERS:
        if (response.status_code, state) != (302, "checked"):
            failures.append(f"check: expected checked, got {response.status_code} {state}")
    elif actor in funding_routes.READERS:
        if state != "draft" or response.status_code != 302:
            failures.append(f"check: expected refusal, got {response.status_code} {state}")
    elif response.status_code != 404 or state != "draft":
        failures.append(f"check: expected 404, got {response.status_code} {state}")
    # Approving (a write): decision makers only; readers are refused with nothing changed; others 404.
    response = client.post(
        f"/funding/decisions/{decision.pk}/approve/", {"interest_declaration": "None", "confirmed": "on"}
    )
    state = DecisionRecord.objects.get(pk=decision.pk).state
    if actor == "decision_maker":
        if (response.status_code, state) != (302, "approved"):
            failures.append(f"approve: expected approved, got {response.status_code} {state}")
    elif actor in funding_routes.DECISION_READERS:
        if (response.status_code, state) != (302, "draft"):
            failures.append(f"approve: expected refusal, got {response.status_code} {state}")
    elif (response.status_code, state) != (404, "draft"):
        failures.append(f"approve: expected 404, got {response.status_code} {state}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


# --- Delivery Board reporting (issue 17; the rows are in tests/reporting/routes.py) ----------------------
@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_reporting_surfaces(world, actor, token_for):
    from marsoc.accounts.models import Hub
    from marsoc.reporting.services import snapshots_refresh

    from .reporting.helpers import reporting_text

    _nominals, _parts, users = world
    snapshots_refresh(months=3)
    client = signed_in(users[actor])
    token = token_for(users[actor])
    hubs = {h.code: h.name for h in Hub.objects.filter(is_national=False)}
    failures = []
    for name, path, allowed_for in reporting_routes.SURFACES:
        response = _call(client, "api" if path.startswith("/api/") else "get", path, token)
        expected = 200 if actor in allowed_for else 404
        if response.status_code != expected:
            failures.append(f"{name}: expected {expected}, got {response.status_code}")
        if response.status_code == 200:
            text = reporting_text(response)
            want = reporting_routes.HUB_ROWS[actor]
            got = {code for code, hub in hubs.items() if hub in text}
            if (want == "every" and len(got) != 10) or (want != "every" and got != want):
                failures.append(f"{name}: hub rows {sorted(got)}")
            if any(n.full_name in text or n.reference in text for n in _nominals.values()):
                failures.append(f"{name}: a person's name or reference is in it")
    for name, path, allowed_for in reporting_routes.FORMS:
        expected = 200 if actor in allowed_for else 404
        if (got := client.get(path).status_code) != expected:
            failures.append(f"{name}: expected {expected}, got {got}")
        posted = client.post(path, {"summary": "The quarter in brief."})
        if posted.status_code != (302 if actor in allowed_for else 404):
            failures.append(f"{name}: a post answered {posted.status_code}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)


# --- Data-subject rights and retention (issue 20; the rows are in tests/rights/routes.py) -----------------
@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_rights_surfaces(world, actor):
    from marsoc.nominals.services import participation_add
    from marsoc.rights import services as rights

    from .conftest import agency

    nominals, _parts, users = world
    manager, own = users["london_manager"], nominals["own_hub"]
    participation_add(actor=manager, nominal=own, agency_id=agency("nca").pk, rationale="Joint work")
    sar = rights.request_record(
        actor=manager,
        nominal=own,
        requester="The person",
        address="",
        received_on=own.created_at.date(),
    )
    rights.request_identity(actor=manager, request=sar, evidence="Passport")
    rights.request_search(actor=manager, request=sar)
    correction = rights.rectification_record(
        actor=manager, nominal=own, what="Name", reason="Typo", since=own.created_at.date()
    )
    notes = {r: rights_routes.case_note(n, manager).pk for r, n in nominals.items()}
    ids = {
        "sar": sar.pk,
        "record": sar.records.first().pk,
        "notice": correction.notices.first().pk,
        "partner": rights_routes.partner_record_about_nobody().pk,
    }
    client = with_purpose(signed_in(users[actor]), *nominals.values())
    failures = []
    for name, method, template, table in rights_routes.PERSON_SURFACES:
        for relation in RELATIONS:
            path = template.format(id=nominals[relation].pk, note=notes[relation])
            got = _call(client, method, path).status_code
            want = 200 if relation in table.get(actor, set()) else 404
            if got != want:
                failures.append(f"{name} / {relation}: expected {want}, got {got}")
    for name, method, template, allowed_for in rights_routes.GLOBAL_SURFACES:
        got = _call(client, method, template.format(**ids)).status_code
        want = (302 if method == "post" or name == "response" else 200) if actor in allowed_for else 404
        if got != want:
            failures.append(f"{name}: expected {want}, got {got}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)
