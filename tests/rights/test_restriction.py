"""Restriction of a person (DPA 2018 s.47): the access façade hides the person on every surface of the
access table (per-person pages and API, plan, chronology, case notes, network, rights pages, lists and
searches) for everyone but the restriction's named managers, who see exactly what the table gives them.
London's manager restricts the London-owned people (naming only themself), the national manager the
Yorkshire-owned ones."""

import pytest

from marsoc.assessment.services import active_method, assessment_submit, method_spec
from marsoc.core import access
from marsoc.core.access import registered_resources
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.subjects import declared_resources
from marsoc.rights import services
from marsoc.rights.models import PersonRestriction, Rectification

from ..conftest import signed_in, today, with_purpose
from ..network import routes as network_routes
from ..test_access_matrix import ACTORS, NOMINAL_SURFACES, READ, RELATIONS, _call
from ..workday import routes as workday_routes
from . import routes as rights_routes

RESTRICTED_BY = {
    "own_hub": "london_manager",
    "non_participating": "london_manager",
    "other_hub": "national_manager",
    "participating": "national_manager",
}
READ_TABLES = {"READ": READ}


def _surfaces():
    yield from ((name, method, template, table) for name, method, template, table in NOMINAL_SURFACES)
    for group in (workday_routes.PERSON_SURFACES, network_routes.PERSON_SURFACES):
        for name, template, table in group:
            yield name, "get", template, READ_TABLES.get(table, table) if isinstance(table, str) else table
    yield ("plan page", "get", "/cohort/{id}/plan/", READ)
    yield ("intelligence about the person", "get", "/intelligence/people/{id}/", None)
    yield from rights_routes.PERSON_SURFACES


def _restrict(world):
    nominals, _parts, users = world
    from datetime import timedelta

    for relation, who in RESTRICTED_BY.items():
        services.person_restrict(
            actor=users[who], nominal=nominals[relation], reason="The person contests the data",
            review_on=today() + timedelta(days=30),
        )  # fmt: skip


@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_restriction_hides_the_person_on_every_surface(world, actor, token_for):
    nominals, parts, users = world
    user = users[actor]
    client = with_purpose(signed_in(user), *nominals.values())
    token = token_for(user)
    owner = nominals["own_hub"].created_by
    levels = {f.code: 2 for f in method_spec(active_method()).factors}
    assessments = {r: assessment_submit(actor=owner, nominal=n, levels=levels) for r, n in nominals.items()}
    notes = {r: rights_routes.case_note(n, owner).pk for r, n in nominals.items()}
    surfaces = list(_surfaces())
    before = {}
    for name, method, template, _table in surfaces:
        for relation in RELATIONS:
            path = template.format(
                id=nominals[relation].pk,
                participation=parts[relation].pk,
                assessment=assessments[relation].pk,
                note=notes[relation],
            )
            before[(name, relation)] = (path, method, _call(client, method, path, token).status_code)
    _restrict(world)
    failures = []
    for (name, relation), (path, method, was) in before.items():
        got = _call(client, method, path, token).status_code
        want = was if RESTRICTED_BY[relation] == actor else 404
        if got != want:
            failures.append(f"{name} / {relation}: was {was}, expected {want}, got {got}")
    # Lists, searches and the API list hold only the people this actor manages the restriction of.
    expected = {nominals[r].pk for r in READ[actor] if RESTRICTED_BY[r] == actor}
    api = signed_in(user).get("/api/nominals?page_size=200", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    search = signed_in(user).get("/api/nominals/search?q=Test", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    if {row["id"] for row in api.get("results", [])} != expected:
        failures.append(f"API list: {api}")
    if {row["id"] for row in search.get("results", [])} != expected:
        failures.append(f"API search: {search}")
    assert not failures, f"{actor}:\n" + "\n".join(failures)
    # Some surfaces were open before the restriction, so the table proves something for this actor.
    assert actor not in READ or not READ[actor] or any(was == 200 for _p, _m, was in before.values())


def test_lifting_brings_the_person_back_and_is_audited(world):
    nominals, _parts, users = world
    _restrict(world)
    officer = users["london_officer"]
    own = nominals["own_hub"]
    assert not access.is_visible(officer, "nominal", own)
    restriction = PersonRestriction.objects.get(nominal=own, lifted_at__isnull=True)
    with pytest.raises(NotFoundOrForbidden):
        services.person_unrestrict(actor=officer, restriction=restriction, reason="x")
    with pytest.raises(ValidationFailed):
        services.person_unrestrict(actor=users["london_manager"], restriction=restriction, reason=" ")
    services.person_unrestrict(
        actor=users["london_manager"], restriction=restriction, reason="Accuracy confirmed"
    )
    assert access.is_visible(officer, "nominal", own)
    actions = set(AuditEvent.objects.filter(nominal_id=own.pk).values_list("action", flat=True))
    assert {"rights.person.restrict", "rights.person.unrestrict"} <= actions
    # The restriction was a notice to the recipients too (s.48(4)): a Rectification of kind restriction.
    assert Rectification.objects.filter(nominal=own, kind="restriction").exists()


def test_bad_restriction_input_names_each_field(world):
    nominals, _parts, users = world
    with pytest.raises(ValidationFailed) as exc:
        services.person_restrict(
            actor=users["london_manager"], nominal=nominals["own_hub"], reason="", review_on=today(),
            manager_ids=[users["partner_probation"].pk],
        )  # fmt: skip
    assert set(exc.value.errors) == {"reason", "review_on", "managers"}
    assert not PersonRestriction.objects.exists()


def test_every_access_resource_says_how_it_reaches_a_person():
    """A new resource must declare its path to the person (or that it is about none), or restriction
    would not reach it."""
    missing = set(registered_resources()) - declared_resources()
    assert not missing, f"declare person_paths or not_about_a_person in the app's holdings.py: {missing}"
