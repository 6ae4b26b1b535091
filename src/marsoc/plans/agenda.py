"""The tasking meeting's agenda laid out for the room: a compact count per agenda item, then one section
per person holding everything about them (referral, adoption, tier, overdue actions, review, release,
claims, orders), so the page is read person by person rather than as eight long lists."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from marsoc.nominals.models import Nominal

from .selectors import Agenda

ITEMS = [
    ("referrals", "New referrals"),
    ("adoptions", "Adoptions"),
    ("tier_changes", "Tier changes"),
    ("overdue_actions", "Overdue actions"),
    ("reviews_due", "Reviews due"),
    ("releases", "Releases within 6 months"),
    ("unvalidated", "Outcomes awaiting validation"),
    ("orders_expiring", "Orders expiring"),
]
_LABEL = dict(ITEMS)


@dataclass(frozen=True)
class Line:
    item: str  # which agenda item (a key of ITEMS)
    text: str
    on: date | None = None
    warning: str = ""  # a red tag, e.g. "No agreed plan"
    action_id: int | None = None  # an overdue action: a new action may be agreed from the meeting


@dataclass
class PersonSection:
    nominal: Nominal
    lines: list[Line] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """What is on the agenda for the person, counted per item (the accordion's summary line)."""
        counts = Counter(line.item for line in self.lines)
        return "; ".join(
            f"{_LABEL[k]}" + (f" ({counts[k]})" if counts[k] > 1 else "") for k, _ in ITEMS if counts[k]
        )

    @property
    def has_plan(self) -> bool:
        return getattr(self.nominal, "plan", None) is not None


@dataclass(frozen=True)
class AgendaCount:
    label: str
    count: int


def compact(agenda: Agenda) -> list[AgendaCount]:
    return [AgendaCount(label, len(getattr(agenda, key))) for key, label in ITEMS]


def by_person(agenda: Agenda) -> list[PersonSection]:
    """One section per person on the agenda, in the order of their first item."""
    sections: dict[int, PersonSection] = {}

    def add(nominal: Nominal, line: Line) -> None:
        sections.setdefault(nominal.pk, PersonSection(nominal)).lines.append(line)

    for c in agenda.referrals:
        add(c.nominal, Line("referrals", "Referred", c.effective_date))
    for c in agenda.adoptions:
        add(c.nominal, Line("adoptions", "Adopted", c.effective_date))
    for d in agenda.tier_changes:
        decided = timezone.localdate(d.decided_at)
        add(d.nominal, Line("tier_changes", f"Tier decided: tier {d.decided_tier}", decided))
    for a in agenda.overdue_actions:
        text = f"Overdue action: {a.tactic.name} by {a.agency.name}, due"
        add(a.plan.nominal, Line("overdue_actions", text, a.due_date, action_id=a.pk))
    for s in agenda.reviews_due:
        add(s.nominal, Line("reviews_due", "Review due", s.next_review_due))
    for r in agenda.releases:
        warning = "" if r.agreed else "No agreed plan"
        add(r.nominal, Line("releases", "Release expected", r.nominal.expected_release_date, warning))
    for o in agenda.unvalidated:
        text = f"Outcome claim #{o.pk}: {o.get_rating_display().lower()} disruption by {o.agency.name}"
        add(o.action.plan.nominal, Line("unvalidated", text, o.occurred_on))
    for order in agenda.orders_expiring:
        add(order.nominal, Line("orders_expiring", f"{order.get_order_type_display()} ends", order.end_date))
    return list(sections.values())
