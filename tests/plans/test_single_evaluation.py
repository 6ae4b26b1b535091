"""Adding an action asks each access rule once a request (issue 12: "plan.edit" was asked in the view and
the service, and "plan.view" twice within the service). The façade's rule calls are counted as made."""

from collections import Counter

import pytest

from marsoc.core import access
from marsoc.plans.models import Action

from ..conftest import signed_in, with_purpose
from .helpers import World, soon, tactic


@pytest.fixture
def counted(monkeypatch):
    calls: Counter[str] = Counter()
    real = access.call_rule

    def counting(facts, name, args, context):
        calls[name] += 1
        return real(facts, name, args, context)

    monkeypatch.setattr(access, "call_rule", counting)
    return calls


def _form(w: World) -> dict[str, str]:
    due = soon(10)
    return {
        "tactic": str(tactic("hmrc-tax-investigation").pk),
        "agency": str(w.hmrc_agency.pk),
        "due_date_day": str(due.day),
        "due_date_month": str(due.month),
        "due_date_year": str(due.year),
    }


def test_adding_an_action_asks_each_rule_once(db, counted):
    w = World()
    w.plan()
    client = with_purpose(signed_in(w.manager), w.nominal)
    url = f"/cohort/{w.nominal.pk}/plan/actions/add/"

    counted.clear()
    assert client.get(url).status_code == 200
    assert counted["plan.edit"] == 1 and counted["plan.view"] == 1

    counted.clear()
    response = client.post(url, _form(w))
    assert response.status_code == 302
    assert Action.objects.filter(plan__nominal=w.nominal).count() == 1
    assert counted["plan.edit"] == 1 and counted["plan.view"] == 1


def test_a_partner_who_may_see_the_plan_may_not_add_to_it(db):
    w = World()
    w.plan()
    from ..conftest import add_participation

    add_participation(w.nominal, "hmrc", w.manager, agreement=False)  # World made the agreement
    client = with_purpose(signed_in(w.hmrc), w.nominal)
    url = f"/cohort/{w.nominal.pk}/plan/actions/add/"
    assert client.get(f"/cohort/{w.nominal.pk}/plan/").status_code == 200
    assert client.get(url).status_code == 404
    assert client.post(url, _form(w)).status_code == 404  # refused by the service, answered as hidden
    assert client.post(url, {}).status_code == 404  # an invalid form is refused before it is shown
    assert not Action.objects.filter(plan__nominal=w.nominal).exists()
