"""The identity-resolution API (issue 15): partner systems push extracts and follow them; hub staff read
the validation report, resubmit, decide pairs and start runs. Same policy, services and s.62 records as
the pages; a feed account's token reaches the feed operations only, for its own agency and hub."""

import io

import pytest
from django.test import Client

from marsoc.accounts.models import Agency, ApiToken, Hub, TokenScope
from marsoc.accounts.services import feed_account_create
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.linkage import services
from marsoc.linkage.mapping import built_in_mappings, load_mapping
from marsoc.linkage.models import (
    PENDING_RUN_STATUSES,
    CandidatePair,
    FeedImport,
    ImportStatus,
    LinkageRun,
    PairStatus,
)

from ..conftest import make_user
from .helpers import linkage_world, police_row, write_csv

PROBATION = "CRN,FORENAMES,SURNAME,OTHER_NAMES,DOB,GENDER,ADDRESS_POSTCODE,PNC,CRO,PRISON_NUMBER,TRUTH\n"


def _client(token: str) -> tuple[Client, dict[str, str]]:
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _push(token: str, content: bytes, name: str = "extract.csv", **fields: str):
    client, auth = _client(token)
    upload = io.BytesIO(content)
    upload.name = name
    return client.post("/api/linkage/imports", {"file": upload, **fields}, **auth)


@pytest.fixture
def feed(db):
    """London Probation's case system, feeding the London hub."""
    _, _, raw = feed_account_create(
        actor=None,
        username="feed.probation",
        agency=Agency.objects.get(code="probation-london"),
        hub=Hub.objects.get(code="london"),
        name="London Probation case system",
    )
    return raw


def test_a_feed_account_pushes_its_extract_and_follows_it_to_the_end(feed, tmp_path):
    good = PROBATION + (
        "A123456,John,Smith,,02/03/1980,M,,,,,t1\n"
        "B234567,Amy,Lee,,not a date,F,,,,,t2\n"  # kept without a date, with a warning
        "C345678,Ann,,,02/03/1981,F,,,,,t3\n"  # no surname: held back
    )
    pushed = _push(feed, good.encode(), mapping="probation-delius")
    assert pushed.status_code == 202, pushed.content
    body = pushed.json()
    assert body["status"] == "staged" and body["source_agency"] == "probation-london"
    assert body["owner_hub"] == "london" and body["mapping"] == "probation-delius"
    # The worker's step, run here in-process (the fault suite covers the real worker).
    services.feed_import_process(body["id"], progress=None)
    client, auth = _client(feed)
    got = client.get(f"/api/linkage/imports/{body['id']}", **auth).json()
    assert got["status"] == "committed" and got["finished"] is True and got["rows_read"] == 3
    assert got["rows_new"] == 2 and got["rows_quarantined"] == 1 and got["rows_warned"] == 1
    report = client.get(f"/api/linkage/imports/{body['id']}/quarantine", **auth).json()
    assert report["count"] == 2
    warned, held = report["results"]
    assert (warned["row_number"], warned["kept"], warned["problems"][0]["column"]) == (2, True, "DOB")
    assert (held["row_number"], held["kept"], held["problems"][0]["column"]) == (3, False, "SURNAME")
    assert held["problems"][0]["reason"] and held["values"]["FORENAMES"] == "Ann"
    assert AuditEvent.objects.filter(action="linkage.import.report", object_id=str(body["id"])).exists()
    listed = client.get("/api/linkage/imports", **auth).json()
    assert [i["id"] for i in listed["results"]] == [body["id"]]


def test_a_feed_token_reaches_nothing_but_its_own_feed(feed, tmp_path):
    client, auth = _client(feed)
    for path in ("/api/nominals", "/api/linkage/pairs", "/api/linkage/runs", "/api/priority"):
        refused = client.get(path, **auth)
        assert refused.status_code == 403, path
        assert "feed" in refused.json()["detail"]
    # Another agency's extract, or another hub: refused, nothing staged.
    other_agency = _push(feed, b"x", mapping="police-pnc", source_agency="mps")
    other_hub = _push(feed, b"x", mapping="probation-delius", owner_hub="eastern")
    assert other_agency.status_code == other_hub.status_code == 403
    assert not FeedImport.objects.exists()
    # Imports of the London hub pushed by staff are not the feed's to follow.
    officer = make_user("london.officer", [Role.HUB_OFFICER])
    staff_import = services.feed_stage(
        actor=officer,
        source_path=write_csv(tmp_path / "p.csv", [police_row("P1")]),
        filename="p.csv",
        mapping=load_mapping(built_in_mappings()["police-pnc"]),
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
    )
    hidden = client.get(f"/api/linkage/imports/{staff_import.pk}", **auth)
    missing = client.get(f"/api/linkage/imports/{staff_import.pk + 999}", **auth)
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    # The feed may rotate its own token; the new one is a feed token too.
    rotated = client.post("/api/tokens/rotate", {"grace_hours": 0}, "application/json", **auth)
    assert rotated.status_code == 201
    new = ApiToken.objects.get(prefix=rotated.json()["prefix"])
    assert new.scope == TokenScope.FEED and new.user.username == "feed.probation"
    assert (
        Client().get("/api/nominals", HTTP_AUTHORIZATION=f"Bearer {rotated.json()['token']}").status_code
        == 403
    )


def test_bad_pushes_are_refused_naming_the_field(feed):
    empty = _push(feed, b"", mapping="probation-delius")
    assert empty.status_code in (409, 422)
    unknown = _push(feed, b"CRN\n", mapping="no-such-mapping")
    assert unknown.status_code == 422 and "mapping" in str(unknown.json()["errors"])
    assert not FeedImport.objects.exists()
    # One import of a feed at a time: the second is told who started the first.
    first = _push(
        feed, (PROBATION + "A123456,John,Smith,,02/03/1980,M,,,,,t1\n").encode(), mapping="probation-delius"
    )
    second = _push(
        feed, (PROBATION + "C345678,Ann,Ray,,02/03/1981,F,,,,,t3\n").encode(), mapping="probation-delius"
    )
    assert first.status_code == 202 and second.status_code == 409
    assert "already running" in second.json()["detail"]


def test_hub_staff_resubmit_a_corrected_file(db, tmp_path, token_for):
    officer = make_user("london.officer", [Role.HUB_OFFICER])
    token = token_for(officer)
    broken = write_csv(tmp_path / "b.csv", [police_row("R1", dob="31/02/1980")]).read_bytes()
    pushed = _push(token, broken, mapping="police-pnc", source_agency="mps", owner_hub="london").json()
    client, auth = _client(token)
    waiting = client.post(f"/api/linkage/imports/{pushed['id']}/resubmit", {"file": io.BytesIO(b"x")}, **auth)
    assert waiting.status_code == 409  # not finished yet
    services.feed_import_process(pushed["id"], progress=None)
    fixed = io.BytesIO(write_csv(tmp_path / "f.csv", [police_row("R1", dob="28/02/1980")]).read_bytes())
    fixed.name = "fixed.csv"
    again = client.post(f"/api/linkage/imports/{pushed['id']}/resubmit", {"file": fixed}, **auth)
    assert again.status_code == 202
    new = again.json()
    assert new["id"] != pushed["id"] and new["mapping"] == "police-pnc" and new["owner_hub"] == "london"
    services.feed_import_process(new["id"], progress=None)
    assert FeedImport.objects.get(pk=new["id"]).status == ImportStatus.COMMITTED
    assert FeedImport.objects.get(pk=new["id"]).rows_quarantined == 0


def test_review_queue_and_decision_through_the_api(db, tmp_path, token_for):
    manager = make_user("london.manager", [Role.HUB_MANAGER])
    world = linkage_world(tmp_path, manager)
    token = token_for(manager)
    client, auth = _client(token)
    queue = client.get("/api/linkage/pairs", **auth).json()
    assert [p["id"] for p in queue["results"]] == [world["pair"]]
    pair = client.get(f"/api/linkage/pairs/{world['pair']}", **auth).json()
    labels = {row["label"] for row in pair["comparison"]}
    assert "Given names" in labels and pair["evidence"][0]["comparison"] != "first_name"  # plain English
    decided = client.post(
        f"/api/linkage/pairs/{world['pair']}/decision", {"decision": "not_match"}, "application/json", **auth
    )
    assert decided.status_code == 200 and decided.json()["status"] == PairStatus.NOT_MATCH
    assert CandidatePair.objects.get(pk=world["pair"]).decided_by == manager
    again = client.post(
        f"/api/linkage/pairs/{world['pair']}/decision", {"decision": "match"}, "application/json", **auth
    )
    assert again.status_code == 409  # already decided: refused in context
    assert AuditEvent.objects.filter(action="linkage.pair.decide", object_id=str(world["pair"])).count() == 1
    # A partner officer has no linkage: 403 on the queue, 404 on a pair (as a missing one).
    partner = make_user("partner.probation", [Role.PARTNER_OFFICER], agency_code="probation-london")
    p_client, p_auth = _client(token_for(partner))
    assert p_client.get("/api/linkage/pairs", **p_auth).status_code in (403, 404)
    assert p_client.get(f"/api/linkage/pairs/{world['pair']}", **p_auth).status_code in (403, 404)


def test_runs_are_started_by_national_staff_only(db, token_for):
    national = make_user("national.analyst", [Role.NATIONAL_ANALYST], hub_code=None)
    officer = make_user("london.officer", [Role.HUB_OFFICER])
    n_client, n_auth = _client(token_for(national))
    o_client, o_auth = _client(token_for(officer))
    assert o_client.post("/api/linkage/runs", **o_auth).status_code in (403, 404)
    started = n_client.post("/api/linkage/runs", **n_auth)
    assert started.status_code == 202
    run = LinkageRun.objects.get(pk=started.json()["id"])
    assert run.started_by == national and started.json()["status"] == run.status
    # While it waits for the worker a second is refused in context (409); once it has ended, it is the last.
    state = n_client.get("/api/linkage/runs", **n_auth).json()
    if run.status in PENDING_RUN_STATUSES:
        assert n_client.post("/api/linkage/runs", **n_auth).status_code == 409
        assert state["pending"]["id"] == run.pk
    else:
        assert state["last"]["id"] == run.pk and state["pending"] is None


# (name, path, body, allowed actors, status when allowed, actors who see the record or operation but may
# not do this: 403); everyone else gets 404, as for a missing record.
IMPORTERS = {"london_manager", "london_officer", "national_manager"}
LINKAGE = IMPORTERS | {"london_analyst", "national_analyst"}
WRITES = [
    ("push an extract", "/api/linkage/imports", "upload", IMPORTERS, 202, {"feed_account"}),
    ("resubmit", "/api/linkage/imports/{import}/resubmit", "file", IMPORTERS, 202, LINKAGE - IMPORTERS),
    ("decide a pair", "/api/linkage/pairs/{pair}/decision", "unsure", LINKAGE, 200, {"feed_account"}),
    (
        "start a run",
        "/api/linkage/runs",
        None,
        {"national_analyst", "national_manager"},
        202,
        {"feed_account"},
    ),
]
ACTORS = {
    "london_manager": ([Role.HUB_MANAGER], "london", "mps"),
    "london_officer": ([Role.HUB_OFFICER], "london", "hmpps-prisons-london"),
    "london_analyst": ([Role.ANALYST], "london", "mps"),
    "partner_probation": ([Role.PARTNER_OFFICER], "london", "probation-london"),
    "national_analyst": ([Role.NATIONAL_ANALYST], "national", "hmpps-marsoc"),
    "national_manager": ([Role.HUB_MANAGER], "national", "hmpps-marsoc"),
    "board_member": ([Role.BOARD_MEMBER], None, "home-office-ie"),
    "inspector": ([Role.INSPECTOR], None, "hmpps-marsoc"),
    "system_admin": ([Role.SYSTEM_ADMIN], None, "hmpps-marsoc"),
    "feed_account": ([Role.FEED_ACCOUNT], "london", "probation-london"),
}


@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_linkage_api_writes_allow_and_deny(db, tmp_path, settings, token_for, actor):
    settings.LINKAGE_STAGING_DIR = tmp_path
    roles, hub_code, agency_code = ACTORS[actor]
    user = make_user(actor.replace("_", "."), roles, hub_code=hub_code, agency_code=agency_code)
    world = linkage_world(tmp_path, make_user("decider", [Role.HUB_MANAGER], hub_code="national"))
    client, auth = _client(token_for(user))
    failures = []
    for name, template, body, allowed_for, success, refused_for in WRITES:
        FeedImport.objects.exclude(pk=world["import"]).delete()  # one import of a feed at a time
        path = template.format(**world)
        if body in ("upload", "file"):
            upload = io.BytesIO(write_csv(tmp_path / "w.csv", [police_row("Z9")]).read_bytes())
            upload.name = "w.csv"
            data = {"file": upload, "mapping": "police-pnc", "source_agency": "mps", "owner_hub": "london"}
            response = client.post(path, data if body == "upload" else {"file": upload}, **auth)
        elif body is None:
            response = client.post(path, **auth)
        else:
            response = client.post(path, {"decision": body}, "application/json", **auth)
        expected = success if actor in allowed_for else 403 if actor in refused_for else 404
        if response.status_code != expected:
            failures.append(
                f"{name}: expected {expected}, got {response.status_code} {response.content[:200]!r}"
            )
    assert not failures, f"{actor}:\n" + "\n".join(failures)
