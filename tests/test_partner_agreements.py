"""A partner sees a person, their plan, their summaries and their intelligence only while an
information-sharing agreement in force covers it (docs/access-model.md). Probe-style: every partner
surface, under an agreement in each state, and zero leaks: what is hidden answers exactly as a missing
record, appears in no list, search or export, and only the agency's own actions stay, by reference.

The world: a London person (OFFICIAL-SENSITIVE) in whom London Probation takes part for offender
management; an MPS item about them disclosed to London Probation under the agreement; a summary of them
disclosed under it; a plan with an action London Probation owns. Only the agreement changes.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.core.vocabulary import Role
from marsoc.nominals.models import Nominal
from marsoc.plans.models import Action, Tactic
from marsoc.plans.services import plan_create
from marsoc.sharing.models import AgreementCategory, AgreementPurpose, SharingAgreement

from .conftest import (
    add_participation,
    agency,
    make_nominal,
    make_user,
    sign_for_every_party,
    signed_in,
    with_purpose,
)
from .intelligence.helpers import disclose, make_item, make_summary

PURPOSE = "Supervision on licence"
ALL_CATEGORIES = ("identity", "custody", "criminal_intelligence")
BOTH_PURPOSES = ("offender_management", "prevention_detection")

# state: (agreement fields, what the partner sees: person (and plan), item, summary)
STATES = {
    "in force": ({}, {"person": True, "item": True, "summary": True}),
    "draft": ({"status": "draft"}, {"person": False, "item": False, "summary": False}),
    "suspended": ({"status": "suspended"}, {"person": False, "item": False, "summary": False}),
    "ended": ({"status": "ended"}, {"person": False, "item": False, "summary": False}),
    "past its end date": ({"ends_on": -1}, {"person": False, "item": False, "summary": False}),
    "not yet started": ({"starts_on": +5}, {"person": False, "item": False, "summary": False}),
    # Coverage is per category and purpose: what the agreement still covers stays.
    "no identity data": (
        {"categories": ("custody", "criminal_intelligence")},
        {"person": False, "item": True, "summary": False},  # the summary carries identity data
    ),
    "not for offender management": (
        {"purposes": ("prevention_detection",)},
        {"person": False, "item": True, "summary": False},
    ),
    "below the classification": (
        {"max_classification": "OFFICIAL"},
        {"person": False, "item": False, "summary": False},
    ),
    # Every party must sign it off: the partner's own signature missing, or the owning side's.
    "the partner has not signed it off": (
        {"unsigned": ("probation-london",)},
        {"person": False, "item": False, "summary": False},
    ),
    "the owning side has not signed it off": (
        {"unsigned": ("mps",)},
        {"person": False, "item": False, "summary": False},
    ),
    "the owning side is not a party": (
        {"parties": ("probation-london", "yhrocu")},
        {"person": False, "item": False, "summary": False},
    ),
}


def _agreement(fields: dict) -> SharingAgreement:
    today = timezone.localdate()
    agreement = SharingAgreement.objects.create(
        reference="ISA-PROBE",
        title="London partnership",
        legal_gateway="Offender Management Act 2007 s.14",
        max_classification=fields.get("max_classification", "SECRET"),
        onward_sharing="none",
        retention="6 years",
        starts_on=today + timedelta(days=fields.get("starts_on", -30)),
        ends_on=today + timedelta(days=fields["ends_on"]) if "ends_on" in fields else None,
        status=fields.get("status", "in_force"),
    )
    agreement.parties.set([agency(c) for c in fields.get("parties", ("probation-london", "mps"))])
    sign_for_every_party(agreement, unsigned=fields.get("unsigned", ()))
    for code in fields.get("purposes", BOTH_PURPOSES):
        AgreementPurpose.objects.create(agreement=agreement, code=code)
    for code in fields.get("categories", ALL_CATEGORIES):
        AgreementCategory.objects.create(agreement=agreement, code=code)
    return agreement


@pytest.fixture
def probe(db):
    def build(state: str):
        fields, _ = STATES[state]
        owner = make_user("london.boss", [Role.HUB_MANAGER])
        partner = make_user("probe.partner", [Role.PARTNER_OFFICER], agency_code="probation-london")
        person = make_nominal(owner, given="Hidden", family="Zebedee")
        other = make_nominal(owner, given="Never", family="Shared")  # no participation at all
        add_participation(person, "probation-london", owner, agreement=False)
        agreement = _agreement(fields)
        item = make_item(person, text="Unique intelligence text Xylophone")
        disclose(item, "probation-london", agreement)
        summary = make_summary(
            person,
            agreement,
            recipient="probation-london",
            sharing_agency="mps",
            purpose="offender_management",
            categories=("identity", "custody"),
            items=(item,),
        )
        Nominal.objects.filter(pk=person.pk).update(membership_state="adopted")
        person.refresh_from_db()
        plan = plan_create(actor=owner, nominal=person, owner_agency_id=agency("mps").pk)
        action = Action.objects.create(
            plan=plan,
            tactic=Tactic.objects.get(code="licence-curfew-em"),
            agency=agency("probation-london"),
            due_date=timezone.localdate() + timedelta(days=30),
            created_at=timezone.now(),
            notes="Curfew checks with Zebedee's family",
        )
        return partner, person, other, item, summary, action

    return build


def _client(partner, person, item, summary):
    client = with_purpose(signed_in(partner), person, purpose=PURPOSE)
    session = client.session
    session["marsoc_intel_purposes"] = {str(item.pk): PURPOSE}
    session["marsoc_summary_purposes"] = {str(summary.pk): PURPOSE}
    session.save()
    return client


@pytest.mark.parametrize("state", list(STATES))
def test_partner_surfaces_follow_the_agreement(probe, state, token_for):
    partner, person, other, item, summary, _action = probe(state)
    _, sees = STATES[state]
    client = _client(partner, person, item, summary)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(partner)}"}
    missing = max(person.pk, other.pk) + 1000
    failures = []

    def expect(name, response, allowed, missing_response=None):
        want = 200 if allowed else 404
        if response.status_code != want:
            failures.append(f"{name}: expected {want}, got {response.status_code}")
        if not allowed and missing_response is not None and response.content != missing_response.content:
            failures.append(f"{name}: a hidden record does not answer exactly as a missing one")

    q = f"purpose={PURPOSE.replace(' ', '+')}"
    expect("profile", client.get(f"/cohort/{person.pk}/"), sees["person"], client.get(f"/cohort/{missing}/"))
    expect(
        "API person",
        client.get(f"/api/nominals/{person.pk}?{q}", **auth),
        sees["person"],
        client.get(f"/api/nominals/{missing}?{q}", **auth),
    )
    expect("plan page", client.get(f"/cohort/{person.pk}/plan/"), sees["person"])
    expect("API plan", client.get(f"/api/nominals/{person.pk}/plan?{q}", **auth), sees["person"])
    expect("person's intelligence", client.get(f"/intelligence/people/{person.pk}/"), sees["person"])
    listed = set(client.get("/cohort/").context["page"].object_list.values_list("pk", flat=True))
    api_list = {r["id"] for r in client.get("/api/nominals?page_size=200", **auth).json()["results"]}
    search = {r["id"] for r in client.get("/api/nominals/search?q=Zebedee", **auth).json()["results"]}
    for name, shown in (("cohort list", listed), ("API list", api_list), ("API search", search)):
        if (person.pk in shown) != sees["person"] or other.pk in shown:
            failures.append(f"{name}: shows {sorted(shown)}")

    expect(
        "item page",
        client.get(f"/intelligence/{item.pk}/"),
        sees["item"],
        client.get(f"/intelligence/{item.pk + 999}/"),
    )
    expect("API item", client.get(f"/api/intelligence/{item.pk}?{q}", **auth), sees["item"])
    found = {r["id"] for r in client.get("/api/intelligence?q=Xylophone", **auth).json()["results"]}
    if (item.pk in found) != sees["item"]:
        failures.append(f"API intelligence search: {found}")
    export = client.get("/intelligence/export.csv?q=Xylophone").content.decode()
    if ("Xylophone" in export) != sees["item"]:
        failures.append("intelligence export")

    expect("summary page", client.get(f"/intelligence/summaries/{summary.pk}/"), sees["summary"])
    expect("API summary", client.get(f"/api/summaries/{summary.pk}?{q}", **auth), sees["summary"])
    summaries = {r["id"] for r in client.get("/api/summaries", **auth).json()["results"]}
    if (summary.pk in summaries) != sees["summary"]:
        failures.append(f"API summaries: {summaries}")

    # The agency keeps its own action in view; without the person, by reference only.
    page = client.get("/plans/actions/")
    body = page.content.decode()
    if page.status_code != 200 or person.reference not in body:
        failures.append("agency actions: the agency's own action is not listed")
    leaked = [word for word in ("Zebedee", "Hidden", "Curfew checks") if word in body]
    if sees["person"] != bool(leaked[:2]) or "Curfew checks" in body:
        failures.append(f"agency actions: personal data shown {leaked} (person visible: {sees['person']})")
    assert not failures, f"{state}:\n" + "\n".join(failures)


def test_suspending_the_agreement_takes_effect_on_the_next_request(probe, token_for):
    partner, person, _other, item, summary, _action = probe("in force")
    client = _client(partner, person, item, summary)
    paths = [f"/cohort/{person.pk}/", f"/cohort/{person.pk}/plan/", f"/intelligence/{item.pk}/",
             f"/intelligence/summaries/{summary.pk}/"]  # fmt: skip
    assert [client.get(p).status_code for p in paths] == [200, 200, 200, 200]
    SharingAgreement.objects.filter(reference="ISA-PROBE").update(status="suspended")
    assert [client.get(p).status_code for p in paths] == [404, 404, 404, 404]
    SharingAgreement.objects.filter(reference="ISA-PROBE").update(status="in_force")
    assert [client.get(p).status_code for p in paths] == [200, 200, 200, 200]
