"""One chronology per person: every event about them that the viewer may see, from every app, in one
timeline (who, when, which agency). Each source is read through its own scoped selector or resource, so
the chronology never holds more than the pages it summarises; a partner's holds only what its agreement
lets it open (its own agency's case notes, the plan, no assessments or intelligence it may not see)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q
from django.utils import timezone

from marsoc.assessment.models import Assessment, TierDecision
from marsoc.casework.selectors import case_note_entries
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.dates import long_date
from marsoc.core.processing import switched_on
from marsoc.intelligence.models import Disclosure
from marsoc.intelligence.selectors import person_items, summary_list
from marsoc.linkage.models import Merge
from marsoc.linkage.selectors import records_visible
from marsoc.nominals.models import Nominal
from marsoc.plans.models import Action, Agreement, Outcome, PlanVersion


class Kind:
    """The kinds of entry, as the filter offers them (code, label)."""

    CUSTODY = "custody", "Custody events"
    MEMBERSHIP = "membership", "Cohort membership"
    ASSESSMENT = "assessment", "Assessments and tier decisions"
    PLAN = "plan", "Plans and agreements"
    ACTION = "action", "Actions and outcomes"
    INTELLIGENCE = "intelligence", "Intelligence and disclosures"
    LINKAGE = "linkage", "Record merges"
    NOTE = "note", "Case notes"

    ALL = (CUSTODY, MEMBERSHIP, ASSESSMENT, PLAN, ACTION, INTELLIGENCE, LINKAGE, NOTE)
    LABELS = dict(ALL)
    # Kinds that come from high-risk processing, offered only while it is switched on (core/processing.py).
    PROCESSING = {INTELLIGENCE[0]: "intelligence", LINKAGE[0]: "linkage"}


def kinds_offered() -> tuple[tuple[str, str], ...]:
    """The kinds the filter offers: every kind but those of high-risk processing switched off."""
    return tuple(k for k in Kind.ALL if k[0] not in Kind.PROCESSING or switched_on(Kind.PROCESSING[k[0]]))


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    title: str
    detail: str = ""
    who: str = ""
    agency: str = ""
    url: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def kind_label(self) -> str:
        return Kind.LABELS.get(self.kind, self.kind)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=timezone.get_current_timezone())


def _name(user: Any) -> str:
    if user is None:
        return "System"
    return str(user.get_full_name() or user.username)


def _agency_of(user: Any) -> str:
    agency = getattr(user, "agency", None) if user is not None else None
    return agency.name if agency is not None else ""


def _custody(nominal: Nominal) -> list[Entry]:
    out = []
    for e in nominal.custody_events.select_related("establishment", "recorded_by__agency"):
        bits = [str(e.establishment)] if e.establishment else []
        if e.expected_release_date:
            bits.append(f"expected release {long_date(e.expected_release_date)}")
        if e.notes:
            bits.append(e.notes)
        title = e.get_event_type_display()
        if e.reception_status:
            title += f" ({e.get_reception_status_display().lower()})"
        out.append(
            Entry(
                _at(e.occurred_on),
                Kind.CUSTODY[0],
                title,
                "; ".join(bits),
                _name(e.recorded_by),
                _agency_of(e.recorded_by),
            )
        )
    return out


def _membership(nominal: Nominal) -> list[Entry]:
    out = []
    for c in nominal.membership_changes.select_related("changed_by__agency"):
        change = (f"{c.get_from_state_display()} to " if c.from_state else "") + c.get_to_state_display()
        out.append(
            Entry(
                c.changed_at,
                Kind.MEMBERSHIP[0],
                f"Membership: {change}",
                c.rationale,
                _name(c.changed_by),
                _agency_of(c.changed_by),
            )
        )
    for p in nominal.participations.select_related("agency", "added_by__agency"):
        out.append(
            Entry(
                timezone.localtime(p.added_at),
                Kind.MEMBERSHIP[0],
                f"{p.agency.name} began to take part",
                p.rationale,
                _name(p.added_by),
                _agency_of(p.added_by),
            )
        )
        if p.ended_at:
            out.append(
                Entry(p.ended_at, Kind.MEMBERSHIP[0], f"{p.agency.name} stopped taking part", "", "", "")
            )
    return out


def _assessments(actor: Actor, nominal: Nominal) -> list[Entry]:
    if not access.may(actor, "assessment.view", nominal):
        return []
    out = []
    assessments = access.visible(
        actor, "assessment", Assessment.objects.filter(nominal=nominal)
    ).select_related("assessor__agency")
    for a in assessments:
        out.append(
            Entry(
                a.submitted_at,
                Kind.ASSESSMENT[0],
                f"Assessed: score {a.score}, {a.tier_name}",
                a.summary,
                _name(a.assessor),
                _agency_of(a.assessor),
                f"/cohort/{nominal.pk}/assessments/{a.pk}/",
            )
        )
    for d in TierDecision.objects.filter(
        nominal=nominal, assessment__in=assessments.values("pk")
    ).select_related("decided_by__agency"):
        detail = (
            d.rationale if d.decided_tier == d.computed_tier else f"Computed {d.computed_tier}; {d.rationale}"
        )
        out.append(
            Entry(
                d.decided_at,
                Kind.ASSESSMENT[0],
                f"Tier decided: {d.decided_tier}",
                detail,
                _name(d.decided_by),
                _agency_of(d.decided_by),
            )
        )
    return out


def _plans(actor: Actor, nominal: Nominal) -> list[Entry]:
    if not access.may(actor, "plan.view", nominal):
        return []
    plan_url = f"/cohort/{nominal.pk}/plan/"
    out = []
    for v in PlanVersion.objects.filter(plan__nominal=nominal).select_related(
        "created_by__agency", "requested_by__agency"
    ):
        out.append(
            Entry(
                v.created_at,
                Kind.PLAN[0],
                f"Plan version {v.number}",
                v.change_summary,
                _name(v.created_by),
                _agency_of(v.created_by),
                plan_url,
            )
        )
        if v.requested_at:
            out.append(
                Entry(
                    v.requested_at,
                    Kind.PLAN[0],
                    f"Version {v.number} sent for agreement",
                    "",
                    _name(v.requested_by),
                    _agency_of(v.requested_by),
                    plan_url,
                )
            )
    for g in Agreement.objects.filter(version__plan__nominal=nominal).select_related(
        "agency", "representative", "version"
    ):
        out.append(
            Entry(
                g.agreed_at,
                Kind.PLAN[0],
                f"{g.agency.name} agreed version {g.version.number}",
                g.note,
                _name(g.representative),
                g.agency.name,
                plan_url,
            )
        )
    actions = access.visible(actor, "plan_action", Action.objects.filter(plan__nominal=nominal))
    for a in actions.select_related("tactic", "agency", "created_by"):
        out.append(
            Entry(
                a.created_at,
                Kind.ACTION[0],
                f"Action: {a.tactic.name}",
                f"{a.get_status_display()}, due {long_date(a.due_date)}",
                _name(a.created_by),
                a.agency.name,
                plan_url,
            )
        )
    for o in Outcome.objects.filter(action__in=actions.values("pk")).select_related(
        "action__tactic", "agency", "claimed_by"
    ):
        out.append(
            Entry(
                o.claimed_at,
                Kind.ACTION[0],
                f"Outcome claimed: {o.get_rating_display()} ({o.action.tactic.name})",
                f"{o.get_status_display()}. {o.justification}",
                _name(o.claimed_by),
                o.agency.name,
                plan_url,
            )
        )
    return out


def _intelligence(actor: Actor, nominal: Nominal) -> list[Entry]:
    if not access.may(actor, "intelligence.view"):
        return []
    items = person_items(actor=actor, nominal_id=nominal.pk).select_related("recorded_by")
    out = [
        Entry(
            i.recorded_at, Kind.INTELLIGENCE[0], f"Intelligence item {i.pk} recorded",
            f"Obtained {long_date(i.intelligence_date)}, graded {i.source_evaluation}{i.intelligence_assessment}{i.handling_code}",
            _name(i.recorded_by), i.originating_agency.name, f"/intelligence/{i.pk}/",
        )
        for i in items
    ]  # fmt: skip
    for d in Disclosure.objects.filter(item__in=items.values("pk")).select_related(
        "recipient_agency", "disclosed_by__agency"
    ):
        out.append(
            Entry(
                d.disclosed_at,
                Kind.INTELLIGENCE[0],
                f"Item {d.item_id} disclosed to {d.recipient_agency.name}",
                "",
                _name(d.disclosed_by),
                _agency_of(d.disclosed_by),
            )
        )
    for s in summary_list(actor=actor, nominal_id=nominal.pk):
        out.append(
            Entry(
                s.disclosed_at,
                Kind.INTELLIGENCE[0],
                f"Nominal summary {s.reference} disclosed to {s.recipient_agency.name}",
                "",
                _name(s.disclosed_by),
                s.sharing_agency.name,
                f"/intelligence/summaries/{s.pk}/",
            )
        )
    return out


def _linkage(actor: Actor, nominal: Nominal) -> list[Entry]:
    """Merges of partner records that carry one of the person's identifiers (the link between identity
    resolution's people and the cohort), among the records the actor may see."""
    if not access.may(actor, "linkage.use"):
        return []
    ids = {(i.id_type, i.value) for i in nominal.identifiers.all()}
    if not ids:
        return []
    match = Q()
    for id_type, value in ids:
        match |= Q(**{id_type.lower(): value})
    persons = records_visible(actor).filter(match).exclude(person_id__isnull=True).values("person_id")
    out = []
    merges = Merge.objects.filter(Q(survivor_id__in=persons) | Q(absorbed_id__in=persons)).select_related(
        "merged_by__agency", "undone_by__agency"
    )
    for m in merges:
        out.append(
            Entry(
                m.merged_at,
                Kind.LINKAGE[0],
                f"Records of people {m.absorbed_id} and {m.survivor_id} merged",
                "",
                _name(m.merged_by),
                _agency_of(m.merged_by),
                f"/linkage/people/{m.survivor_id}/",
            )
        )
        if m.undone_at:
            out.append(
                Entry(
                    m.undone_at,
                    Kind.LINKAGE[0],
                    f"Merge of people {m.absorbed_id} and {m.survivor_id} undone",
                    "",
                    _name(m.undone_by),
                    _agency_of(m.undone_by),
                )
            )
    return out


def _notes(actor: Actor, nominal: Nominal) -> list[Entry]:
    out = []
    for n in case_note_entries(actor=actor, nominal=nominal):
        title = (
            f"Addendum to a {n.addendum_to.get_contact_type_display().lower()}"
            if n.addendum_to
            else n.get_contact_type_display()
        )
        out.append(
            Entry(
                n.occurred_at,
                Kind.NOTE[0],
                f"{title}: {n.get_outcome_display().lower()}",
                n.text,
                _name(n.author),
                n.agency.name,
                f"/cohort/{nominal.pk}/notes/#note-{n.addendum_to_id or n.pk}",
                (n.get_classification_display(),),
            )
        )
    return out


def chronology_for(
    *,
    actor: Actor,
    nominal: Nominal,
    kinds: set[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Entry]:
    """The person's entries the actor may see, newest first, filtered by kind and date."""
    if not access.may(actor, "chronology.view", nominal):
        return []
    wanted = kinds or {k for k, _ in Kind.ALL}
    entries: list[Entry] = []
    if Kind.CUSTODY[0] in wanted:
        entries += _custody(nominal)
    if Kind.MEMBERSHIP[0] in wanted:
        entries += _membership(nominal)
    if Kind.ASSESSMENT[0] in wanted:
        entries += _assessments(actor, nominal)
    if wanted & {Kind.PLAN[0], Kind.ACTION[0]}:  # one pass over the plan reads both
        entries += _plans(actor, nominal)
    if Kind.INTELLIGENCE[0] in wanted:
        entries += _intelligence(actor, nominal)
    if Kind.LINKAGE[0] in wanted:
        entries += _linkage(actor, nominal)
    if Kind.NOTE[0] in wanted:
        entries += _notes(actor, nominal)
    entries = [e for e in entries if e.kind in wanted]
    if date_from:
        entries = [e for e in entries if timezone.localdate(e.at) >= date_from]
    if date_to:
        entries = [e for e in entries if timezone.localdate(e.at) <= date_to]
    return sorted(entries, key=lambda e: e.at, reverse=True)
