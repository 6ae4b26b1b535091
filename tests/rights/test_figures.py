"""The Board's kept monthly figures leave a restricted person out (DPA 2018 s.47: restricted records leave
reports, for everyone: a snapshot is one set of counts), count them again when the restriction is lifted,
and lose an erased person; each kept dashboard is dropped so it is drawn again from the figures. The kept
figures of every completed month then equal a fresh count from the records (a count which itself leaves
restricted people out)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from marsoc.core.models import AuditEvent
from marsoc.reporting.activity import month_counts
from marsoc.reporting.models import BuiltDashboard, Figure, Snapshot
from marsoc.reporting.services import snapshot_build, snapshots_refresh
from marsoc.rights import services
from marsoc.rights.models import PersonRestriction

from ..conftest import today
from ..reporting.helpers import TODAY, reporting_world

pytestmark = pytest.mark.django_db


def _kept() -> dict[tuple, int]:
    return {
        (f.snapshot.month, f.hub_id, f.measure, f.category, f.classification): f.value
        for f in Figure.objects.select_related("snapshot")
    }


def _fresh() -> dict[tuple, int]:
    """What a rebuild of every completed month would store now."""
    out = {}
    for snapshot in Snapshot.objects.filter(complete=True):
        for c in month_counts(snapshot.month, TODAY):
            if c.value:
                out[(snapshot.month, c.hub_id, c.measure, c.category, c.classification)] = c.value
    return out


def _completed(cells: dict[tuple, int]) -> dict[tuple, int]:
    done = set(Snapshot.objects.filter(complete=True).values_list("month", flat=True))
    return {k: v for k, v in cells.items() if k[0] in done}


def _referred_in_october() -> int:
    cells = _kept()
    return sum(v for k, v in cells.items() if k[0] == date(2026, 10, 1) and k[2] == "referred")


def test_restriction_takes_the_person_out_of_the_kept_figures_and_lifting_puts_them_back():
    world = reporting_world()
    snapshots_refresh(months=4, today=TODAY)
    BuiltDashboard.objects.create(key="k", version="v", payload={}, built_at=timezone.now())
    original = _kept()
    assert _completed(original) == _fresh()
    assert _referred_in_october() == 15
    owner, person = world["owner"], world["london"][0]
    services.person_restrict(
        actor=owner, nominal=person, reason="Contests the data", review_on=today() + timedelta(days=30)
    )
    assert _referred_in_october() == 14
    assert _completed(_kept()) == _fresh() != _completed(original)
    assert not BuiltDashboard.objects.exists()
    # A month built while the restriction stands leaves them out too.
    snapshot_build(month=date(2026, 10, 1), today=TODAY)
    assert _referred_in_october() == 14
    recount = AuditEvent.objects.filter(action="reporting.figures.recount").latest("id")
    assert recount.actor_id == owner.pk and recount.details["cells"] > 0 and not recount.details["added"]
    restriction = PersonRestriction.objects.get(nominal=person)
    services.person_unrestrict(actor=owner, restriction=restriction, reason="Accuracy confirmed")
    assert _kept() == original
    assert AuditEvent.objects.filter(action="reporting.figures.recount").latest("id").details["added"]


def test_erasure_takes_the_person_out_of_the_kept_figures_once():
    world = reporting_world()
    snapshots_refresh(months=4, today=TODAY)
    owner, erased, restricted = world["owner"], world["london"][0], world["london"][1]
    services.person_restrict(
        actor=owner, nominal=restricted, reason="Contested", review_on=today() + timedelta(days=30)
    )
    BuiltDashboard.objects.create(key="k", version="v", payload={}, built_at=timezone.now())
    for nominal in (erased, restricted):  # the restricted person's part had already left
        services.person_erase(actor=owner, nominal=nominal, reason="No longer necessary")
    assert _referred_in_october() == 13
    assert _completed(_kept()) == _fresh()
    assert not BuiltDashboard.objects.exists()
