"""Pages for a person's case notes. Thin: `nominal_page` checks access, asks the purpose and records the
consultation; the services decide and audit the writes."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from marsoc.core import access
from marsoc.core.web import actor as _actor
from marsoc.core.web import form_page
from marsoc.nominals.models import Nominal
from marsoc.nominals.views import nominal_page

from . import services
from .forms import AddendumForm, NoteForm
from .models import CaseNote
from .selectors import access_case_note_by_id, case_notes_for

FIELD_MAP = {"occurred_at": "occurred_on"}


def _input(form: NoteForm) -> services.NoteInput:
    data = form.cleaned_data
    return services.NoteInput(
        contact_type=data.get("contact_type") or "",
        occurred_at=form.occurred_at(),
        outcome=data.get("outcome") or "",
        text=data.get("text") or "",
        classification=data.get("classification") or "",
    )


@nominal_page("case_notes")
def note_list(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    now = timezone.now()
    notes = list(case_notes_for(actor=actor, nominal=nominal))
    for note in notes:
        note.can_correct = access.may(actor, "case_note.edit", note, now=now)  # type: ignore[attr-defined]
        note.can_add = access.may(actor, "case_note.addendum", note)  # type: ignore[attr-defined]
    return render(
        request,
        "casework/list.html",
        {
            "nominal": nominal,
            "notes": notes,
            "can_record": access.may(actor, "case_note.record", nominal),
            "person_tab": "notes",
        },
    )


@nominal_page("case_note_add")
def note_add(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    if not access.may(_actor(request), "case_note.record", nominal):
        raise Http404("No such page")
    return _note_page(request, nominal, None)


@nominal_page("case_note_correct")
def note_correct(request: HttpRequest, nominal: Nominal, purpose: str, note_id: int) -> HttpResponse:
    actor = _actor(request)
    note = access_case_note_by_id(actor=actor, nominal=nominal, note_id=note_id)
    decision = access.decide(actor, "case_note.edit", note, now=timezone.now())
    if not decision.allowed:
        messages.info(request, decision.reason)
        return redirect("casework:list", pk=nominal.pk)
    return _note_page(request, nominal, note)


def _note_page(request: HttpRequest, nominal: Nominal, note: CaseNote | None) -> HttpResponse:
    """Record a contact or, given the note, correct it: the same form on the same page."""
    actor = _actor(request)
    form = NoteForm(request.POST or None, initial=NoteForm.initial_for(note) if note else None)

    def save(d: dict[str, Any]) -> CaseNote:
        if note is None:
            return services.case_note_record(actor=actor, nominal=nominal, data=_input(form))
        return services.case_note_correct(actor=actor, note=note, data=_input(form))

    return form_page(
        request,
        form,
        save,
        success="Case note recorded" if note is None else "Case note corrected",
        done=reverse("casework:list", args=[nominal.pk]),
        template="casework/form.html",
        context={"nominal": nominal, "heading": "Record a contact" if note is None else "Correct a note"},
        field_map=FIELD_MAP,
    )


@nominal_page("case_note_addendum")
def note_addendum(request: HttpRequest, nominal: Nominal, purpose: str, note_id: int) -> HttpResponse:
    actor = _actor(request)
    note = access_case_note_by_id(actor=actor, nominal=nominal, note_id=note_id)
    if not access.may(actor, "case_note.addendum", note):
        raise Http404("No such page")
    return form_page(
        request,
        AddendumForm(request.POST or None),
        lambda d: services.case_note_addendum(actor=actor, note=note, text=d["text"]),
        success="Addendum added",
        done=reverse("casework:list", args=[nominal.pk]),
        template="casework/form.html",
        context={"nominal": nominal, "heading": "Add to a note", "note": note},
    )
