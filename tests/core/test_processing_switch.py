"""High-risk processing as a switch (core/processing.py): a processing not listed in
MARSOC_HIGH_RISK_PROCESSING is off — its pages, exports and endpoints answer 404, its links, tabs and
queues are gone, its worker tasks and commands do nothing — and the others are untouched. The default
settings list all three, so everything else in the suite runs with everything on."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from marsoc.core import access
from marsoc.core.vocabulary import Role
from marsoc.linkage.apps import recover_imports, recover_runs
from marsoc.linkage.services import feed_import_task, linkage_run_task
from marsoc.workday.queues import queues_for

from ..conftest import make_nominal, make_user, signed_in, with_purpose

ALL = ("linkage", "intelligence", "network")

# Each processing's own pages, exports and endpoints (a sample of each kind), and its navigation label.
PAGES = {
    "linkage": ["/linkage/", "/linkage/review/", "/linkage/imports/new/", "/linkage/run/"],
    "intelligence": [
        "/intelligence/",
        "/intelligence/export.csv",
        "/intelligence/new/",
        "/intelligence/summaries/",
    ],
    "network": ["/network/groups/", "/network/paths/", "/network/charts/", "/network/communities/"],
}
PERSON_PAGES = {
    "linkage": [],
    "intelligence": ["/intelligence/people/{id}/"],
    "network": ["/cohort/{id}/network/", "/cohort/{id}/network.csv?recipient=Synthetic+unit"],
}
ENDPOINTS = {
    "linkage": ["/api/linkage/imports", "/api/linkage/pairs"],
    "intelligence": ["/api/intelligence", "/api/summaries"],
    "network": ["/api/network/groups", "/api/network/paths?from=N1&to=N2"],
}
NAV = {"linkage": "Identity resolution", "intelligence": ">Intelligence<", "network": ">Groups<"}
TABS = {"intelligence": "/intelligence/people/{id}/", "network": "/cohort/{id}/network/"}
QUEUES = {"linkage": "identity-pairs", "intelligence": "access-requests"}


@pytest.fixture
def world(db, token_for):
    manager = make_user("national.mgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    person = make_nominal(manager)
    client = with_purpose(signed_in(manager), person)
    return manager, person, client, token_for(manager)


def _status(client, token, path, person):
    path = path.format(id=person.pk)
    if path.startswith("/api/"):
        return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").status_code
    return client.get(path).status_code


def _reachable(world, code):
    _manager, person, client, token = world
    paths = PAGES[code] + PERSON_PAGES[code] + ENDPOINTS[code]
    return {p: _status(client, token, p, person) for p in paths}


def test_by_default_every_processing_is_on(world):
    manager, person, client, _ = world
    for code in ALL:
        assert all(status != 404 for status in _reachable(world, code).values()), code
    home = client.get("/").content.decode()
    assert all(label in home for label in NAV.values())
    profile = client.get(f"/cohort/{person.pk}/").content.decode()
    assert (
        all(tab.format(id=person.pk) in profile for tab in TABS.values()) and 'id="mini-network"' in profile
    )
    assert {"identity-pairs", "access-requests"} <= {q.key for q in queues_for(manager)}


@pytest.mark.parametrize("code", ALL)
def test_a_processing_switched_off_is_not_offered_and_the_others_are(world, code):
    manager, person, client, _token = world
    others = [c for c in ALL if c != code]
    with override_settings(MARSOC_HIGH_RISK_PROCESSING=tuple(others)):
        assert set(_reachable(world, code).values()) == {404}, _reachable(world, code)
        for other in others:
            assert 404 not in _reachable(world, other).values(), other
        home = client.get("/").content.decode()
        assert NAV[code] not in home
        assert all(NAV[o] in home for o in others)
        profile = client.get(f"/cohort/{person.pk}/").content.decode()
        assert ('id="mini-network"' in profile) == (code != "network")  # the profile's network mini-chart
        for key, tab in TABS.items():
            assert (tab.format(id=person.pk) in profile) == (key != code), key
        keys = {q.key for q in queues_for(manager)}
        for key, queue in QUEUES.items():
            assert (queue in keys) == (key != code), queue
        rules = {"linkage": "linkage.use", "intelligence": "intelligence.view", "network": "network.view"}
        assert access.decide(manager, rules[code]).reason.endswith("is switched off in this service")
        assert all(access.may(manager, rules[o]) for o in others)
        document = json.loads(client.get("/api/openapi.json").content)
        for prefix in ENDPOINTS[code]:
            assert prefix.split("?")[0] not in document["paths"]
        for other in others:
            assert all(p.split("?")[0] in document["paths"] for p in ENDPOINTS[other])


def test_an_endpoint_switched_off_answers_the_api_error_shape(world):
    _manager, _person, client, token = world
    with override_settings(MARSOC_HIGH_RISK_PROCESSING=("linkage",)):
        response = client.get("/api/network/groups", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
        assert client.get("/api/nominals", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_what_belongs_to_other_work_stays_when_intelligence_is_off(world):
    """Sharing agreements govern every partner surface, and subject access covers what is held."""
    _manager, person, client, _ = world
    with override_settings(MARSOC_HIGH_RISK_PROCESSING=("linkage", "network")):
        assert client.get("/intelligence/agreements/").status_code == 200
        assert client.get("/intelligence/").status_code == 404
        chronology = client.get(f"/cohort/{person.pk}/chronology/")
        assert chronology.status_code == 200
        assert "Intelligence and disclosures" not in chronology.content.decode()
        assert "Record merges" in chronology.content.decode() and "Case notes" in chronology.content.decode()
    assert "Intelligence and disclosures" in client.get(f"/cohort/{person.pk}/chronology/").content.decode()


def test_linkage_worker_tasks_and_commands_do_nothing_while_it_is_off(world):
    with override_settings(MARSOC_HIGH_RISK_PROCESSING=("intelligence", "network")):
        assert feed_import_task.call(12345).startswith("Identity resolution")
        assert linkage_run_task.call(12345).endswith(
            "is switched off in this service (MARSOC_HIGH_RISK_PROCESSING)"
        )
        assert (recover_imports(), recover_runs()) == ("", "")
        with pytest.raises(CommandError, match="switched off"):
            call_command("linkage_run", "--as", "national.mgr")
        febrl = str(Path(__file__).parents[2] / "docs" / "examples" / "febrl3.toml")
        for command, args in (("dedupe", [febrl, "missing.csv"]), ("link", [febrl, "a.csv", febrl, "b.csv"])):
            with pytest.raises(CommandError, match=r"^Identity resolution .* is switched off"):
                call_command(command, *args)
    with (
        override_settings(MARSOC_HIGH_RISK_PROCESSING=("linkage", "intelligence")),
        pytest.raises(CommandError, match="Network analysis"),
    ):
        call_command("network_custody_links", "--as", "national.mgr")
