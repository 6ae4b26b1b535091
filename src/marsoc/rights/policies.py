"""Rules for data-subject rights, registered with the access façade (marsoc.core.access).

Subject access requests, restrictions, corrections and retention reviews are the work of the hub that
owns the person's record (its managers and officers; the national team for every hub); approving a
response, restricting a person and deciding a MoPI review need a manager. A restricted person is hidden
from everyone but the restriction's named managers by the façade itself (`hides_people` below, applied
by `access.scope` to every resource declared in the apps' holdings.py)."""

from typing import Any

from django.db.models import Q, QuerySet

from marsoc.core import access
from marsoc.core.access import NOTHING, Decision, Facts
from marsoc.core.subjects import hides_people, person_paths
from marsoc.nominals.models import Nominal

from .models import PersonRestriction, SubjectAccessRequest


@hides_people
def restricted_people(actor_id: int | None) -> QuerySet[PersonRestriction, Any]:
    """People under a restriction in force that does not name the actor among its managers."""
    active = PersonRestriction.objects.filter(lifted_at__isnull=True)
    if actor_id is not None:
        active = active.exclude(managers=actor_id)
    return active.values("nominal_id")


person_paths("subject_access_request", "nominal")


@access.resource("subject_access_request", classification_field="")
def request_reach(f: Facts) -> Q:
    """The requests of the hub the actor works for (managers and officers; the national team: all)."""
    if not f.case_writer:
        return NOTHING
    if f.national_team:
        return Q()
    return Q(owner_hub_id=f.hub_id) if f.hub_id is not None else NOTHING


@access.rule("rights.handle")
def can_handle(f: Facts, owner_hub_id: int) -> bool:
    """Record and work a request, record a correction: a manager or officer of the owner hub."""
    return f.writes_for(owner_hub_id)


@access.rule("rights.manage")
def can_manage(f: Facts, owner_hub_id: int) -> bool:
    """Restrict a person, decide a MoPI review, erase: a manager of the owner hub."""
    return f.manages(owner_hub_id)


@access.rule("rights.approve")
def can_approve(f: Facts, request: SubjectAccessRequest) -> Decision:
    """A manager of the owner hub who did not find the records approves the response (a second pair of
    eyes on the exemptions)."""
    if not f.manages(request.owner_hub_id):
        return Decision(False, "Only a manager of the hub that owns the record approves a response")
    if f.actor_id is not None and f.actor_id == request.searched_by_id:
        return Decision(
            False, "Another manager must approve: you found the records and decided the exemptions"
        )
    return Decision(True)


@access.rule("rights.restriction_manager")
def is_restriction_manager(f: Facts, restriction: PersonRestriction) -> bool:
    return f.actor_id is not None and restriction.managers.filter(pk=f.actor_id).exists()


@access.rule("rights.view_person")
def can_view_rights(f: Facts, nominal: Nominal) -> bool:
    """The person's rights page: whoever may work requests for them."""
    return f.writes_for(nominal.owner_hub_id)


@access.rule("rights.home")
def sees_rights_work(f: Facts) -> bool:
    """The rights work list: managers and officers of a hub (and of the national team)."""
    return f.case_writer and f.hub_id is not None
