"""Cell-mate links derived from custody: same establishment, overlapping stays, idempotent, audited."""

from datetime import date

from django.core.management import call_command

from marsoc.accounts.models import Establishment
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.network import selectors, services
from marsoc.network.custody import Stay, overlap, stays
from marsoc.network.models import Association
from marsoc.nominals.models import CustodyEvent

from ..conftest import make_nominal, make_user


def test_stays_and_overlaps():
    got = stays(
        [
            ("reception", date(2024, 1, 1), 1),
            ("transfer", date(2024, 3, 1), 2),
            ("release", date(2024, 6, 1), None),
        ]
    )
    assert got == [Stay(1, date(2024, 1, 1), date(2024, 3, 1)), Stay(2, date(2024, 3, 1), date(2024, 6, 1))]
    assert overlap(Stay(1, date(2024, 1, 1), date(2024, 3, 1)), Stay(1, date(2024, 2, 1), None)) == (
        date(2024, 2, 1), date(2024, 3, 1),
    )  # fmt: skip
    assert overlap(Stay(1, date(2024, 1, 1), date(2024, 2, 1)), Stay(1, date(2024, 2, 1), None)) is None
    assert overlap(Stay(1, date(2024, 1, 1), None), Stay(2, date(2024, 1, 1), None)) is None


def test_cell_mates_are_derived_once_and_audited(db):
    officer = make_user(
        "custody.officer", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london"
    )
    a, b, c = (make_nominal(officer, family=f"Held{i}") for i in range(3))
    one, two = Establishment.objects.order_by("pk")[:2]
    for person, place, start in (
        (a, one, date(2024, 1, 1)),
        (b, one, date(2024, 2, 1)),
        (c, two, date(2024, 1, 1)),
    ):
        CustodyEvent.objects.create(nominal=person, event_type="reception", occurred_on=start, establishment=place,
                                    reception_status="remand")  # fmt: skip
    made = services.custody_links_derive(actor=officer)
    assert [(x.a_nominal_id, x.b_nominal_id, x.started_on) for x in made] == [(a.pk, b.pk, date(2024, 2, 1))]
    assert services.custody_links_derive(actor=officer) == []  # idempotent
    assert Association.objects.filter(association_type="cell_mate").count() == 1
    event = AuditEvent.objects.filter(action="network.custody_derive").order_by("id").first()
    assert set(event.subjects.values_list("nominal_id", flat=True)) == {a.pk, b.pk}
    graph = selectors.ego_network(actor=officer, centre=("nominal", a.pk))
    assert [x.in_custody for x in graph.links] == [True]
    call_command("network_custody_links", "--as", officer.username)
