"""Case notes: typed contacts written for an agency, corrected by the author within the window, added to
by addendum afterwards, every write audited; a partner reads only its own agency's notes."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from marsoc.casework import services
from marsoc.casework.models import CaseNote
from marsoc.casework.selectors import case_notes_for
from marsoc.casework.vocabulary import EDIT_WINDOW
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role

from ..conftest import add_participation, make_nominal, make_user, signed_in, with_purpose


def note_input(**changes: object) -> services.NoteInput:
    data = {
        "contact_type": "licence_appointment",
        "occurred_at": timezone.now() - timedelta(hours=2),
        "outcome": "attended",
        "text": "Reported as required; discussed employment.",
        "classification": "OFFICIAL-SENSITIVE",
    } | changes
    return services.NoteInput(**data)  # type: ignore[arg-type]


@pytest.fixture
def people(db):
    manager = make_user("london.mgr", [Role.HUB_MANAGER])
    officer = make_user("london.off", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
    analyst = make_user("london.analyst", [Role.ANALYST])
    probation = make_user(
        "probation.p", [Role.PARTNER_OFFICER], hub_code=None, agency_code="probation-london"
    )
    nca = make_user("nca.p", [Role.PARTNER_OFFICER], hub_code=None, agency_code="nca")
    nominal = make_nominal(manager, family="Noted")
    add_participation(nominal, "probation-london", manager)
    add_participation(nominal, "nca", manager)
    return {
        "manager": manager,
        "officer": officer,
        "analyst": analyst,
        "probation": probation,
        "nca": nca,
        "n": nominal,
    }


def test_record_writes_the_note_and_its_audit_entry(people):
    note = services.case_note_record(actor=people["officer"], nominal=people["n"], data=note_input())
    assert note.agency.code == "hmpps-prisons-london" and note.author == people["officer"]
    event = AuditEvent.objects.get(action="case_note.record")
    assert event.operation == "collection" and event.nominal_id == people["n"].pk
    assert event.object_id == str(note.pk)


def test_bad_input_names_every_field_and_saves_nothing(people):
    future = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        services.case_note_record(
            actor=people["officer"],
            nominal=people["n"],
            data=note_input(
                contact_type="dance", outcome="", text="  ", occurred_at=future, classification="TOP"
            ),
        )
    assert set(caught.value.errors) == {"contact_type", "outcome", "text", "occurred_at", "classification"}
    assert (
        not CaseNote.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="case_note").exists()
    )


def test_control_characters_refused(people):
    with pytest.raises(ValidationFailed) as caught:
        services.case_note_record(
            actor=people["officer"], nominal=people["n"], data=note_input(text="a\x00b")
        )
    assert "control characters" in caught.value.errors["text"][0]


def test_cannot_mark_above_own_clearance(people):
    low = make_user("low.off", [Role.HUB_OFFICER], clearance="OFFICIAL-SENSITIVE")
    with pytest.raises(ValidationFailed) as caught:
        services.case_note_record(actor=low, nominal=people["n"], data=note_input(classification="SECRET"))
    assert "clearance" in caught.value.errors["classification"][0]


def test_analysts_and_strangers_cannot_record(people):
    with pytest.raises(NotFoundOrForbidden):
        services.case_note_record(actor=people["analyst"], nominal=people["n"], data=note_input())
    yorkshire = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber")
    with pytest.raises(NotFoundOrForbidden):
        services.case_note_record(actor=yorkshire, nominal=people["n"], data=note_input())


def test_author_corrects_within_the_window_and_the_entry_keeps_the_old_text(people):
    at = timezone.now() - timedelta(hours=1)
    note = services.case_note_record(
        actor=people["officer"], nominal=people["n"], data=note_input(occurred_at=at)
    )
    services.case_note_correct(
        actor=people["officer"], note=note, data=note_input(occurred_at=at, text="Corrected text")
    )
    note.refresh_from_db()
    assert note.text == "Corrected text" and note.updated_at is not None
    event = AuditEvent.objects.get(action="case_note.correct")
    assert event.operation == "alteration"
    assert event.details["changed"] == {"text": "Reported as required; discussed employment."}


def test_only_the_author_corrects_and_only_in_the_window(people):
    note = services.case_note_record(actor=people["officer"], nominal=people["n"], data=note_input())
    with pytest.raises(PermissionDenied, match="Only the author"):
        services.case_note_correct(actor=people["manager"], note=note, data=note_input(text="Mine now"))
    CaseNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - EDIT_WINDOW - timedelta(minutes=1))
    note.refresh_from_db()
    with pytest.raises(PermissionDenied, match="addendum"):
        services.case_note_correct(actor=people["officer"], note=note, data=note_input(text="Too late"))
    note.refresh_from_db()
    assert note.text.startswith("Reported")
    addendum = services.case_note_addendum(
        actor=people["manager"], note=note, text="Later: employer confirmed."
    )
    assert addendum.addendum_to == note and addendum.agency.code == "mps"
    assert AuditEvent.objects.filter(action="case_note.addendum", details__addendum_to=note.pk).exists()
    listed = list(case_notes_for(actor=people["officer"], nominal=people["n"]))
    assert listed == [note] and listed[0].visible_addenda == [addendum]  # type: ignore[attr-defined]


def test_partner_reads_only_its_own_agencys_notes(people):
    hub_note = services.case_note_record(actor=people["officer"], nominal=people["n"], data=note_input())
    own = services.case_note_record(
        actor=people["probation"], nominal=people["n"], data=note_input(text="Probation")
    )
    assert list(case_notes_for(actor=people["probation"], nominal=people["n"])) == [own]
    assert set(case_notes_for(actor=people["manager"], nominal=people["n"])) == {hub_note, own}
    assert list(case_notes_for(actor=people["nca"], nominal=people["n"])) == []
    with pytest.raises(NotFoundOrForbidden):
        services.case_note_addendum(actor=people["nca"], note=own, text="Not ours")


def test_pages_record_correct_and_add(people):
    client = with_purpose(signed_in(people["officer"]), people["n"])
    base = f"/cohort/{people['n'].pk}/notes/"
    today = timezone.localdate()
    missing = client.post(f"{base}add/", {"text": ""})
    body = missing.content.decode()
    # Every error at once, each named.
    for message in ("Select the type of contact", "Select the outcome of the contact", "Enter what happened"):
        assert message in body
    posted = client.post(
        f"{base}add/",
        {
            "contact_type": "call",
            "occurred_on_day": today.day,
            "occurred_on_month": today.month,
            "occurred_on_year": today.year,
            "at_time": "00:01",
            "outcome": "completed",
            "text": "Phoned about the curfew",
            "classification": "OFFICIAL",
        },
    )
    assert posted.status_code == 302
    note = CaseNote.objects.get()
    assert note.contact_type == "call" and timezone.localtime(note.occurred_at).strftime("%H:%M") == "00:01"
    page = client.get(base).content.decode()
    assert "Telephone call" in page and "Phoned about the curfew" in page and ">call<" not in page
    assert client.get(f"{base}{note.pk}/correct/").status_code == 200
    assert client.post(f"{base}{note.pk}/addendum/", {"text": "Follow-up booked"}).status_code == 302
    assert CaseNote.objects.filter(addendum_to=note).count() == 1


def test_time_of_day_error_is_plain_english(people):
    client = with_purpose(signed_in(people["officer"]), people["n"])
    body = client.post(f"/cohort/{people['n'].pk}/notes/add/", {"at_time": "25:99"}).content.decode()
    assert "Enter the time as hours and minutes, for example 14:30" in body and "%H" not in body


def test_occurred_at_combines_date_and_time_in_local_time(people):
    from marsoc.casework.forms import NoteForm

    form = NoteForm(
        {
            "contact_type": "visit",
            "occurred_on_day": "2",
            "occurred_on_month": "7",
            "occurred_on_year": "2026",
            "at_time": "09:30",
            "outcome": "completed",
            "text": "x",
            "classification": "OFFICIAL",
        }
    )
    assert form.is_valid(), form.errors
    at = form.occurred_at()
    assert isinstance(at, datetime) and timezone.localtime(at).hour == 9


def test_a_contact_today_without_a_time_is_accepted_in_the_morning(people, monkeypatch):
    """Noon stands in for a missing time; before noon that was the future, and a contact recorded at
    9 o'clock for today was refused as "must be today or in the past"."""
    from marsoc.casework import forms as note_forms
    from marsoc.casework.forms import NoteForm

    morning = timezone.localtime(timezone.make_aware(datetime(2026, 12, 8, 9, 15, 30)))
    real = timezone.localtime
    monkeypatch.setattr(note_forms.timezone, "localtime", lambda value=None: real(value or morning))
    form = NoteForm(
        {
            "contact_type": "visit",
            "occurred_on_day": "8",
            "occurred_on_month": "12",
            "occurred_on_year": "2026",
            "outcome": "completed",
            "text": "x",
            "classification": "OFFICIAL",
        }
    )
    assert form.is_valid(), form.errors
    at = timezone.localtime(form.occurred_at())
    assert (at.hour, at.minute) == (9, 15) and at <= morning
    form = NoteForm({**form.data, "occurred_on_day": "7"})
    assert form.is_valid(), form.errors
    assert timezone.localtime(form.occurred_at()).hour == 12  # an earlier day keeps noon
