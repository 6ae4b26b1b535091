"""The meeting pack and the minutes as tagged PDF (core.pdf: fpdf2, pure Python, no network, no browser)
with the protective marking on every page."""

from marsoc.core.dates import long_date, short_date
from marsoc.core.pdf import TaggedDocument as _Doc
from marsoc.core.vocabulary import Classification, classification_rank
from marsoc.nominals.models import Nominal

from .models import Meeting
from .selectors import Agenda, MeetingRecord


def document_marking(nominal_ids: list[int]) -> str:
    """The document's protective marking: the highest classification of anyone it names, and never below
    OFFICIAL-SENSITIVE (a meeting pack is operational case material)."""
    marking = Classification.OFFICIAL_SENSITIVE.value
    for value in (
        Nominal.objects.filter(pk__in=nominal_ids).values_list("classification", flat=True).distinct()
    ):
        if classification_rank(value) > classification_rank(marking):
            marking = value
    return marking


def meeting_pack_pdf(meeting: Meeting, agenda: Agenda) -> bytes:
    doc = _Doc(f"Meeting pack: {meeting.title}", document_marking(agenda.nominal_ids()))
    doc.h1(f"Meeting pack: {meeting.title}")
    doc.para(f"{meeting.hub.name} tasking and coordination meeting, {long_date(meeting.held_on)}.")
    doc.para(f"Changes since {long_date(agenda.since)}.")
    doc.h2("1. New referrals")
    doc.items(
        [
            f"{c.nominal.reference} {c.nominal.full_name}, referred {short_date(c.effective_date)}"
            for c in agenda.referrals
        ]
    )
    doc.h2("2. Adoptions")
    doc.items(
        [
            f"{c.nominal.reference} {c.nominal.full_name}, adopted {short_date(c.effective_date)}"
            for c in agenda.adoptions
        ]
    )
    doc.h2("3. Tier changes")
    doc.items(
        [
            f"{d.nominal.reference} {d.nominal.full_name}: tier {d.decided_tier} ({short_date(d.decided_at)})"
            for d in agenda.tier_changes
        ]
    )
    doc.h2("4. Overdue actions")
    doc.items(
        [
            f"{a.plan.nominal.reference}: {a.tactic.name} by {a.agency.name}, due {short_date(a.due_date)}"
            for a in agenda.overdue_actions
        ]
    )
    doc.h2("5. Reviews due")
    doc.items(
        [
            f"{s.nominal.reference} {s.nominal.full_name}: review due {short_date(s.next_review_due)}"
            for s in agenda.reviews_due
        ]
    )
    doc.h2("6. Releases within 6 months")
    doc.items(
        [
            f"{r.nominal.reference} {r.nominal.full_name}: release {short_date(r.nominal.expected_release_date)}"
            + ("" if r.agreed else " - NO AGREED PLAN")
            for r in agenda.releases
        ]
    )
    doc.h2("7. Outcomes awaiting validation")
    doc.items(
        [
            f"{o.action.plan.nominal.reference}: {o.get_rating_display()} disruption by {o.agency.name} "
            f"({o.action.tactic.name}, {short_date(o.occurred_on)}) - {o.justification}"
            for o in agenda.unvalidated
        ]
    )
    doc.h2("8. Orders expiring")
    doc.items(
        [
            f"{o.nominal.reference}: {o.get_order_type_display()} ends {short_date(o.end_date)}"
            for o in agenda.orders_expiring
        ]
    )
    return bytes(doc.output())


def meeting_minutes_pdf(meeting: Meeting, record: MeetingRecord) -> bytes:
    doc = _Doc(f"Minutes: {meeting.title}", document_marking(record.nominal_ids()))
    doc.h1(f"Minutes: {meeting.title}")
    doc.para(f"{meeting.hub.name}, {long_date(meeting.held_on)}. Status: {meeting.get_status_display()}.")
    doc.h2("Attendance")
    doc.items([f"{a.attendee} ({a.agency.name})" for a in meeting.attendance.select_related("agency")])
    doc.h2("Decisions")
    doc.items([(f"{d.nominal.reference}: " if d.nominal else "") + d.text for d in record.decisions])
    doc.h2("Outcomes decided")
    doc.items(
        [
            f"{o.action.plan.nominal.reference}: {o.get_rating_display()} by {o.agency.name} - {o.get_status_display()}"
            + (f" ({o.decision_reason})" if o.decision_reason else "")
            for o in record.decided_outcomes
        ]
    )
    doc.h2("New actions")
    doc.items(
        [
            f"{a.plan.nominal.reference}: {a.tactic.name} by {a.agency.name}, due {short_date(a.due_date)}"
            for a in record.new_actions
        ]
    )
    doc.h2("Minutes")
    doc.para(meeting.minutes or "No minutes recorded yet.")
    return bytes(doc.output())
