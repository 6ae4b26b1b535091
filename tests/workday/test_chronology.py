"""One chronology per person: every event the viewer may see, from every app, newest first; a partner's
holds only what its access allows; the CSV export goes through the sanitiser and is audited as a
disclosure with the person as subject."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.assessment.services import active_method, assessment_submit, method_spec
from marsoc.casework import services as notes
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.plans import services as plan_services
from marsoc.workday.selectors import chronology_for

from ..conftest import add_participation, make_user, signed_in, with_purpose
from ..plans.helpers import World, sentence, soon, tactic


def note(actor, nominal, text: str):
    return notes.case_note_record(
        actor=actor,
        nominal=nominal,
        data=notes.NoteInput(
            contact_type="meeting",
            occurred_at=timezone.now() - timedelta(days=1),
            outcome="completed",
            text=text,
            classification="OFFICIAL-SENSITIVE",
        ),
    )


@pytest.fixture
def w(db) -> World:
    world = World()
    world.probation = make_user(
        "prob.p", [Role.PARTNER_OFFICER], hub_code=None, agency_code="probation-london"
    )
    add_participation(world.nominal, "probation-london", world.manager)
    sentence(world.nominal, world.officer, release_in_days=90)
    levels = {f.code: 2 for f in method_spec(active_method()).factors}
    assessment_submit(actor=world.manager, nominal=world.nominal, levels=levels)
    plan = world.plan()
    plan_services.action_add(
        actor=world.manager, plan=plan, tactic_id=tactic("hmrc-tax-investigation").pk,
        agency_id=world.hmrc_agency.pk, due_date=soon(),
    )  # fmt: skip
    note(world.officer, world.nominal, "Hub officer met him")
    note(world.probation, world.nominal, '=HYPERLINK("http://x") probation meeting')
    return world


def kinds(entries) -> set[str]:
    return {e.kind for e in entries}


def test_manager_sees_every_source_with_who_and_agency(w):
    entries = chronology_for(actor=w.manager, nominal=w.nominal)
    assert {"custody", "membership", "assessment", "plan", "action", "note"} <= kinds(entries)
    assert entries == sorted(entries, key=lambda e: e.at, reverse=True)
    officer_note = next(e for e in entries if e.kind == "note" and "Hub officer" in e.detail)
    assert officer_note.who == "London Tester" and officer_note.agency.startswith("HMPPS")


def test_partner_chronology_holds_only_what_its_access_allows(w):
    entries = chronology_for(actor=w.probation, nominal=w.nominal)
    assert "assessment" not in kinds(entries)
    texts = [e.detail for e in entries if e.kind == "note"]
    assert len(texts) == 1 and "probation meeting" in texts[0]
    stranger = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber")
    assert chronology_for(actor=stranger, nominal=w.nominal) == []


def test_filters_by_kind_and_date(w):
    only_notes = chronology_for(actor=w.manager, nominal=w.nominal, kinds={"note"})
    assert kinds(only_notes) == {"note"} and len(only_notes) == 2
    future = chronology_for(
        actor=w.manager, nominal=w.nominal, date_from=timezone.localdate() + timedelta(days=1)
    )
    assert future == []


def test_page_and_export(w):
    client = with_purpose(signed_in(w.probation), w.nominal)
    page = client.get(f"/cohort/{w.nominal.pk}/chronology/?kind=note")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="person-subnav"' in body and "probation meeting" in body and "Hub officer met him" not in body
    bad = client.get(
        f"/cohort/{w.nominal.pk}/chronology/?date_from_day=40&date_from_month=1&date_from_year=2026"
    )
    assert bad.status_code == 200 and "must be a real date" in bad.content.decode()
    export = client.get(f"/cohort/{w.nominal.pk}/chronology.csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    text = export.content.decode()
    assert "'=HYPERLINK" in text and "Hub officer" not in text  # sanitised, and scoped like the page
    event = AuditEvent.objects.filter(action="chronology.export").latest("id")
    assert event.operation == "disclosure" and event.nominal_id == w.nominal.pk
    assert list(event.subjects.values_list("nominal_id", flat=True)) == [w.nominal.pk]
