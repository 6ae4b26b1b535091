"""A correction reaches the recipients (DPA 2018 s.48(4)-(5)): every agency the audit log records as
given the person's data since it was wrong gets a notice, tracked until it acknowledges."""

from datetime import timedelta

import pytest

from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.nominals.services import participation_add
from marsoc.rights import services
from marsoc.rights.models import RecipientNotice

from ..conftest import agency, make_nominal, make_user, partnership_agreement, today


def test_two_recipients_are_told_and_acknowledge(db):
    manager = make_user("rect.mgr", [Role.HUB_MANAGER])
    nominal = make_nominal(manager, family="Corrected")
    other = make_nominal(manager, family="Elsewhere")
    partnership_agreement("nca")
    for code in ("nca", "hmrc"):
        participation_add(actor=manager, nominal=nominal, agency_id=agency(code).pk, rationale="Joint work")
    participation_add(
        actor=manager, nominal=other, agency_id=agency("hmpps-prisons-london").pk, rationale="x"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.rectification_record(
            actor=manager, nominal=nominal, what="", reason="", since=today() + timedelta(days=1)
        )
    assert set(exc.value.errors) == {"what", "reason", "since"}
    correction = services.rectification_record(
        actor=manager,
        nominal=nominal,
        what="Date of birth was 1958, is 1985",
        reason="Typing error",
        since=today(),
    )
    told = {n.agency.code: n for n in correction.notices.all()}
    assert set(told) == {"nca", "hmrc"}  # the other person's recipient is not told
    assert all(n.disclosures and n.acknowledged_at is None for n in told.values())
    event = AuditEvent.objects.get(action="rights.person.rectify")
    assert sorted(event.recipients) == sorted([agency("nca").name, agency("hmrc").name])
    # Nothing disclosed since a later date: nobody to tell.
    later = services.rectification_record(
        actor=manager, nominal=nominal, what="x", reason="y", since=today() + timedelta(days=0)
    )
    assert later.notices.count() == 2
    stranger = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber")
    with pytest.raises(NotFoundOrForbidden):
        services.notice_acknowledge(actor=stranger, notice=told["nca"], by_whom="Duty officer")
    with pytest.raises(ValidationFailed):
        services.notice_acknowledge(actor=manager, notice=told["nca"], by_whom=" ")
    services.notice_acknowledge(actor=manager, notice=told["nca"], by_whom="NCA duty officer")
    with pytest.raises(PermissionDenied):
        services.notice_acknowledge(
            actor=manager, notice=RecipientNotice.objects.get(pk=told["nca"].pk), by_whom="again"
        )
    assert RecipientNotice.objects.filter(acknowledged_at__isnull=True).count() == 3
    assert AuditEvent.objects.filter(action="rights.notice.ack", nominal_id=nominal.pk).exists()
