"""The national roll-up (aggregates with outliers) and the inspector's audit anomalies."""

from datetime import timedelta

import pytest

from marsoc.assessment.models import PriorityStatus
from marsoc.assessment.services import active_method, assessment_submit, method_spec
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.nominals.services import nominal_consult
from marsoc.workday.selectors import home_queues, hub_rollup

from ..conftest import make_nominal, make_user, signed_in, today
from ..plans.helpers import adopt


@pytest.fixture
def national(db):
    return make_user("nat.mgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")


def _adopted(national, hub_code: str, n: int, *, overdue: bool) -> None:
    levels = {f.code: 2 for f in method_spec(active_method()).factors}
    for i in range(n):
        person = adopt(make_nominal(national, hub_code=hub_code, family=f"{hub_code[:5]}{i}"), national)
        assessment_submit(actor=national, nominal=person, levels=levels)
        if overdue:
            PriorityStatus.objects.filter(nominal=person).update(next_review_due=today() - timedelta(days=3))


def test_rollup_flags_the_hub_that_stands_out(national):
    _adopted(national, "london", 4, overdue=True)
    _adopted(national, "yorkshire-humber", 4, overdue=False)
    _adopted(national, "wales", 4, overdue=False)
    rows = {r.hub: r for r in hub_rollup(actor=national, today=today())}
    london = next(r for name, r in rows.items() if name.startswith("London"))
    assert london.adopted == 4 and london.counts["reviews_overdue"] == 4
    assert london.outliers == {"reviews_overdue"}
    assert all(not r.outliers for r in rows.values() if r is not london)
    assert {q.key: q.count for q in home_queues(actor=national)}["hub-outliers"] == 1
    page = signed_in(national).get("/")
    body = page.content.decode()
    assert 'id="rollup-table"' in body and "Stands out" in body
    assert AuditEvent.objects.filter(action="work.rollup", actor_id=national.pk).exists()
    # A hub manager has no roll-up: the national page is not theirs.
    london_mgr = make_user("london.mgr", [Role.HUB_MANAGER])
    assert hub_rollup(actor=london_mgr, today=today()) == []
    assert 'id="rollup-table"' not in signed_in(london_mgr).get("/").content.decode()


def test_inspector_sees_heavy_readers_and_reused_purposes(db):
    owner = make_user("owner.x", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    people = [make_nominal(owner, family=f"Read{i}") for i in range(25)]
    peers = [make_user(f"peer{i}.off", [Role.HUB_OFFICER]) for i in range(3)]
    for peer in peers:
        for person in people[:2]:
            nominal_consult(actor=peer, nominal=person, purpose="Case management of this person", surface="t")
    heavy = make_user("heavy.off", [Role.HUB_OFFICER])
    for person in people:
        nominal_consult(actor=heavy, nominal=person, purpose="Case management of this person", surface="t")
    paster = make_user("paster.off", [Role.HUB_OFFICER])
    for person in people[:5]:
        nominal_consult(
            actor=paster, nominal=person, purpose="Another purpose: checking associates", surface="t"
        )
    careful = make_user("careful.off", [Role.HUB_OFFICER])
    for person in people[:4]:
        nominal_consult(actor=careful, nominal=person, purpose="Another purpose: one-off check", surface="t")
    inspector = make_user("insp.x", [Role.INSPECTOR], hub_code=None)
    counts = {q.key: q.count for q in home_queues(actor=inspector)}
    assert counts == {"heavy-readers": 1, "reused-purposes": 1}
    client = signed_in(inspector)
    heavy_page = client.get("/work/heavy-readers/").content.decode()
    assert (
        "heavy.off" in heavy_page
        and "Consulted 25 people" in heavy_page
        and "/audit/?user=heavy.off" in heavy_page
    )
    reuse_page = client.get("/work/reused-purposes/").content.decode()
    assert (
        "paster.off" in reuse_page and "checking associates" in reuse_page and "careful.off" not in reuse_page
    )
    # Nobody else gets the anomalies.
    assert signed_in(heavy).get("/work/heavy-readers/").status_code == 404
