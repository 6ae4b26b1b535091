"""This app's own records about a person (requests, restrictions, corrections, reviews), for subject
access and erasure (core.subjects)."""

from collections.abc import Iterator

from marsoc.core.subjects import HeldRecord, held, holds
from marsoc.nominals.models import Nominal

from .models import (
    PersonRestriction,
    PersonReview,
    RecipientNotice,
    RecordReview,
    Rectification,
    RequestRecord,
    SubjectAccessRequest,
)

_STAFF = ("created_by", "identity_checked_by", "searched_by", "approved_by", "lifted_by", "recorded_by")


@holds(
    "requests, restrictions, corrections and reviews",
    models=[
        SubjectAccessRequest,
        RequestRecord,
        PersonRestriction,
        Rectification,
        RecipientNotice,
        PersonReview,
        RecordReview,
    ],
)
def rights_records(nominal: Nominal) -> Iterator[HeldRecord]:
    for r in SubjectAccessRequest.objects.filter(nominal=nominal):
        yield held("Requests for your records", r, reference=r.reference, exclude=("nominal", *_STAFF))
    for x in PersonRestriction.objects.filter(nominal=nominal):
        yield held("Restrictions of processing", x, exclude=("nominal", *_STAFF), recorded=x.created_at)
    for c in Rectification.objects.filter(nominal=nominal).prefetch_related("notices__agency"):
        told = tuple(("Told", str(n.agency)) for n in c.notices.all())
        yield held("Corrections", c, exclude=("nominal", *_STAFF), recorded=c.recorded_at, extra=told)
    for v in PersonReview.objects.filter(nominal=nominal):
        yield held("Retention reviews", v, exclude=("nominal", "decided_by"), recorded=v.decided_at)
    for rr in RecordReview.objects.filter(nominal=nominal):
        yield held(
            "Retention reviews of single records",
            rr,
            exclude=("nominal", "decided_by", "owner_hub"),
            recorded=rr.decided_at,
        )
