"""Restriction of processing of a whole person (DPA 2018 s.47(2)): the person leaves every surface for
everyone but the named restriction managers (applied by the access façade), with a reason and a review
date; the recipients of the person's data are told (s.48(4)-(5))."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied
from marsoc.nominals.models import Nominal

from ..models import NoticeKind, PersonRestriction
from ..selectors import hub_staff_for, restriction_of
from .common import Checks, audit_person, figures_follow, require_person, required_text
from .rectification import notify_recipients


def person_restrict(
    *,
    actor: User,
    nominal: Nominal,
    reason: str,
    review_on: date | None,
    manager_ids: Iterable[int] = (),
) -> PersonRestriction:
    require_person(actor, "rights.manage", nominal)
    if restriction_of(nominal) is not None:
        raise PermissionDenied("The person is already restricted")
    checks = Checks()
    reason = checks.text(
        "reason", reason, "Give the reason (for example the person contests the accuracy of the data)"
    )
    if review_on is None:
        checks.fail("review_on", "Enter the date the restriction is to be reviewed")
    elif review_on <= timezone.localdate():
        checks.fail("review_on", "The review date must be in the future")
    wanted = {int(i) for i in manager_ids}
    staff = set(hub_staff_for(nominal).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - staff:
        checks.fail("managers", "Restriction managers must be staff of the hub that owns the record")
    checks.done()
    assert review_on is not None
    with transaction.atomic():
        restriction = PersonRestriction.objects.create(
            nominal=nominal,
            reason=reason,
            review_on=review_on,
            contact=f"{actor.get_full_name() or actor.username}, {nominal.owner_hub.name}",
            created_by=actor,
            created_at=timezone.now(),
        )
        restriction.managers.set({actor.pk, *staff})
        _notice, told = notify_recipients(
            actor=actor,
            nominal=nominal,
            kind=NoticeKind.RESTRICTION,
            what="Processing of the person's data is restricted",
            reason=reason,
            since=nominal.created_at.date(),
        )
        details = {"review_on": str(review_on), "managers": sorted({actor.pk, *staff}), "told": told}
        audit_person(actor, AuditAction.RIGHTS_RESTRICT, nominal.pk, justification=reason, details=details)
        figures_follow(actor, nominal.pk, count=False, why="A person restricted (DPA 2018 s.47)")
    return restriction


def person_unrestrict(*, actor: User, restriction: PersonRestriction, reason: str) -> None:
    if not access.may(actor, "rights.restriction_manager", restriction) or restriction.lifted_at:
        raise NotFoundOrForbidden(f"restriction {restriction.pk}")
    reason = required_text("reason", reason, "Give the reason for lifting the restriction")
    with transaction.atomic():
        restriction.lifted_at, restriction.lifted_by = timezone.now(), actor
        restriction.lift_reason = reason
        restriction.save()
        audit_person(actor, AuditAction.RIGHTS_UNRESTRICT, restriction.nominal_id, justification=reason)
        figures_follow(actor, restriction.nominal_id, count=True, why="A person's restriction lifted")
