"""Every write to networks, and the records of reading them: ask the façade, validate (every problem
named, nothing saved), write and audit in one transaction."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, Establishment, Hub, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed, refused_in_context
from marsoc.core.records import create_audited
from marsoc.core.text import control_character_problem
from marsoc.core.vocabulary import Classification, classification_rank
from marsoc.intelligence.models import IntelItem
from marsoc.nominals.models import CustodyEvent, Nominal
from marsoc.nominals.vocabulary import DataSubjectCategory
from marsoc.sharing.vocabulary import ProcessingPurpose

from ..graph import Graph, NodeKey, key_label
from ..models import (
    Associate,
    Association,
    GroupAlias,
    GroupStatusChange,
    Membership,
    OrganisedCrimeGroup,
)
from ..selectors import nominal_ids
from ..vocabulary import (
    CUSTODY_TYPES,
    GROUP_ONLY_TYPES,
    AssociationType,
    Confidence,
    CrimeType,
    GroupStatus,
    MemberRole,
    NodeKind,
    SourceKind,
)

End = Nominal | Associate | OrganisedCrimeGroup
MAX_NAME = 120
ASSOCIATE_REVIEW = timedelta(days=365)  # first retention review of an associate's record, as for intelligence


def end_key(end: End) -> NodeKey:
    if isinstance(end, Nominal):
        return str(NodeKind.NOMINAL), end.pk
    if isinstance(end, Associate):
        return str(NodeKind.ASSOCIATE), end.pk
    return str(NodeKind.GROUP), end.pk


def _resource(end: End) -> str:
    return {NodeKind.NOMINAL: "nominal", NodeKind.ASSOCIATE: "associate", NodeKind.GROUP: "ocg"}[
        NodeKind(end_key(end)[0])
    ]


def _text_problem(value: str, label: str, *, required: bool, limit: int) -> str:
    text = value.strip()
    if not text:
        return f"Enter the {label}" if required else ""
    if len(text) > limit:
        return f"The {label} must be {limit} characters or fewer (it has {len(text)})"
    problem = control_character_problem(text)
    return f"The {label} {problem}" if problem else ""


def _classification_problem(actor: User, classification: str) -> str:
    if classification not in Classification.values:
        return "Select a classification"
    if not access.may(actor, "network.classify", classification):
        return refused_in_context("You cannot mark a record above your own clearance")
    return ""


def _owner_hub(actor: User, hub_id: int | None, errors: dict[str, str]) -> int | None:
    """The hub that will own the record: the actor's, or (for the national team) one they name."""
    chosen = hub_id if hub_id is not None else actor.hub_id
    if chosen is None or not Hub.objects.filter(pk=chosen).exists():
        errors["owner_hub"] = refused_in_context("Select the hub that owns the record")
        return None
    if not access.may(actor, "network.record_for_hub", chosen):
        errors["owner_hub"] = refused_in_context("You can only record networks for your own hub")
        return None
    return chosen


@dataclass(frozen=True, kw_only=True)
class _Marked:
    """What every new group or associate record carries: its marking, why it is kept and its hub."""

    classification: str = Classification.OFFICIAL_SENSITIVE
    purpose: str = ProcessingPurpose.PREVENTION_DETECTION
    owner_hub_id: int | None = None


def _start_record(actor: User, data: _Marked) -> tuple[dict[str, str], int | None]:
    """A new group or associate: the actor may record networks; the errors so far and the owning hub."""
    access.require(actor, "network.record", hide=False)
    errors: dict[str, str] = {}
    return errors, _owner_hub(actor, data.owner_hub_id, errors)


def _check_marking(actor: User, data: _Marked, errors: dict[str, str], noun: str) -> None:
    """The record's marking and purpose, checked last; then refuse with every problem found."""
    if problem := _classification_problem(actor, data.classification):
        errors["classification"] = problem
    if data.purpose not in ProcessingPurpose.values:
        errors["purpose"] = f"Select the purpose the {noun} is recorded for"
    if errors:
        raise ValidationFailed(errors)


# --- groups -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupInput(_Marked):
    name: str
    lead_agency_id: int | None
    crime_types: Sequence[str]
    geography: str = ""
    aliases: Sequence[str] = ()
    status: str = GroupStatus.ACTIVE
    formed_on: date | None = None


@transaction.atomic
def group_create(*, actor: User, data: GroupInput) -> OrganisedCrimeGroup:
    errors, hub_id = _start_record(actor, data)
    if problem := _text_problem(data.name, "group's name", required=True, limit=MAX_NAME):
        errors["name"] = problem
    aliases = [a.strip() for a in data.aliases if a.strip()]
    for alias in aliases:
        if problem := _text_problem(alias, "alias", required=True, limit=MAX_NAME):
            errors["aliases"] = f"{problem}: {alias[:40]!r}"
    if data.lead_agency_id is None or not Agency.objects.filter(pk=data.lead_agency_id).exists():
        errors["lead_agency"] = refused_in_context("Select the lead agency")
    unknown = [c for c in data.crime_types if c not in CrimeType.values]
    if not data.crime_types:
        errors["crime_types"] = "Select at least one type of crime"
    elif unknown:
        errors["crime_types"] = f"Unknown type of crime: {', '.join(unknown)}"
    if data.status not in GroupStatus.values:
        errors["status"] = "Select the group's status"
    if data.formed_on is not None and data.formed_on > timezone.localdate():
        errors["formed_on"] = refused_in_context(
            "The date the group was first known active must be today or in the past"
        )
    if problem := _text_problem(data.geography, "geography", required=False, limit=200):
        errors["geography"] = problem
    _check_marking(actor, data, errors, "group")
    assert hub_id is not None and data.lead_agency_id is not None
    now = timezone.now()
    fields = {
        "name": data.name.strip(),
        "owner_hub_id": hub_id,
        "originating_agency_id": data.lead_agency_id,
        "crime_types": sorted(set(data.crime_types)),
        "geography": data.geography.strip(),
        "status": data.status,
        "formed_on": data.formed_on,
        "classification": data.classification,
        "purpose": data.purpose,
        "recorded_by": actor,
        "recorded_at": now,
    }
    details = {"name": data.name.strip(), "status": data.status, "classification": data.classification}
    group = create_audited(actor, AuditAction.OCG_CREATE, OrganisedCrimeGroup, fields, details=details)
    for alias in sorted(set(aliases)):
        GroupAlias.objects.create(group=group, name=alias)
    GroupStatusChange.objects.create(
        group=group,
        from_status="",
        to_status=data.status,
        effective_date=data.formed_on or timezone.localdate(),
        reason="Group recorded",
        changed_by=actor,
        changed_at=now,
    )
    return group


@transaction.atomic
def group_status_change(
    *, actor: User, group: OrganisedCrimeGroup, to_status: str, effective_date: date | None, reason: str
) -> GroupStatusChange:
    locked = OrganisedCrimeGroup.objects.select_for_update().filter(pk=group.pk).first()
    if locked is None or not access.is_visible(actor, "ocg", locked):
        raise NotFoundOrForbidden("group")
    access.require(actor, "ocg.edit", locked, hide=False)
    errors: dict[str, str] = {}
    if to_status not in GroupStatus.values:
        errors["to_status"] = "Select the group's new status"
    elif to_status == locked.status:
        errors["to_status"] = refused_in_context(
            f"The group is already {locked.get_status_display().lower()}"
        )
    last = locked.status_changes.order_by("-effective_date", "-id").first()
    if effective_date is None:
        errors["effective_date"] = "Enter the date of the change"
    elif effective_date > timezone.localdate():
        errors["effective_date"] = refused_in_context("The date of the change must be today or in the past")
    elif last is not None and effective_date < last.effective_date:
        errors["effective_date"] = refused_in_context(
            f"The date of the change must be on or after the last change ({last.effective_date:%d %B %Y})"
        )
    if problem := _text_problem(reason, "reason", required=True, limit=2000):
        errors["reason"] = problem
    if errors:
        raise ValidationFailed(errors)
    assert effective_date is not None
    change = GroupStatusChange.objects.create(
        group=locked,
        from_status=locked.status,
        to_status=to_status,
        effective_date=effective_date,
        reason=reason.strip(),
        changed_by=actor,
        changed_at=timezone.now(),
    )
    locked.status = to_status
    locked.dismantled_on = effective_date if to_status == GroupStatus.DISMANTLED else None
    locked.save(update_fields=["status", "dismantled_on"])
    audit_about(
        actor,
        AuditAction.OCG_STATUS,
        locked,
        details={"from": change.from_status, "to": to_status, "effective_date": effective_date.isoformat()},
    )
    return change


def _recorded_by(actor: User, hub_id: int | None) -> dict[str, object]:
    """Who recorded a record, when, for which hub and from which agency (every network record says)."""
    assert hub_id is not None and actor.agency_id is not None
    return {
        "owner_hub_id": hub_id,
        "originating_agency_id": actor.agency_id,
        "recorded_by": actor,
        "recorded_at": timezone.now(),
    }


# --- associates -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssociateInput(_Marked):
    family_name: str
    given_names: str = ""
    date_of_birth: date | None = None
    description: str = ""
    data_subject_category: str = DataSubjectCategory.OTHER
    review_due: date | None = None


@transaction.atomic
def associate_create(*, actor: User, data: AssociateInput) -> Associate:
    errors, hub_id = _start_record(actor, data)
    if problem := _text_problem(data.family_name, "family name", required=True, limit=100):
        errors["family_name"] = problem
    if problem := _text_problem(data.given_names, "given names", required=False, limit=100):
        errors["given_names"] = problem
    if problem := _text_problem(data.description, "description", required=False, limit=200):
        errors["description"] = problem
    today = timezone.localdate()
    if data.date_of_birth is not None and data.date_of_birth > today:
        errors["date_of_birth"] = refused_in_context("The date of birth must be in the past")
    if data.data_subject_category not in DataSubjectCategory.values:
        errors["data_subject_category"] = "Select the category of data subject"
    if data.review_due is not None and data.review_due <= today:
        errors["review_due"] = refused_in_context("The review date must be in the future")
    _check_marking(actor, data, errors, "associate")
    fields = {
        "family_name": data.family_name.strip(),
        "given_names": data.given_names.strip(),
        "date_of_birth": data.date_of_birth,
        "description": data.description.strip(),
        "data_subject_category": data.data_subject_category,
        "classification": data.classification,
        "purpose": data.purpose,
        "review_due": data.review_due or today + ASSOCIATE_REVIEW,
        **_recorded_by(actor, hub_id),
    }
    details = {"category": data.data_subject_category, "classification": data.classification}
    return create_audited(actor, AuditAction.ASSOCIATE_CREATE, Associate, fields, details=details)


# --- links ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Where a link came from, and how far it is believed."""

    source_kind: str
    intel_item_id: int | None = None
    establishment_id: int | None = None
    source_reference: str = ""
    confidence: str = Confidence.MEDIUM
    started_on: date | None = None
    ended_on: date | None = None
    classification: str = ""  # "" takes the intelligence item's, or OFFICIAL-SENSITIVE
    purpose: str = ProcessingPurpose.PREVENTION_DETECTION
    notes: str = ""
    owner_hub_id: int | None = None  # the national team names the hub; others record for their own


def _check_evidence(actor: User, ev: Evidence, errors: dict[str, str]) -> dict[str, object]:
    """The evidence's problems into `errors`; its fields for the model when there are none."""
    item: IntelItem | None = None
    today = timezone.localdate()
    if ev.source_kind not in SourceKind.values:
        errors["source_kind"] = "Select where the link came from"
    elif ev.source_kind == SourceKind.INTELLIGENCE:
        try:
            item = access.fetch(actor, "intel_item", IntelItem.objects.all(), ev.intel_item_id or 0)
        except NotFoundOrForbidden:
            errors["intel_item"] = refused_in_context(
                "Enter the reference of an intelligence item you may see"
            )
    elif ev.source_kind == SourceKind.CUSTODY:
        if ev.establishment_id is None or not Establishment.objects.filter(pk=ev.establishment_id).exists():
            errors["establishment"] = refused_in_context("Select the establishment where the link was formed")
    elif ev.source_kind == SourceKind.FEED:
        problem = _text_problem(ev.source_reference, "feed and record reference", required=True, limit=100)
        if problem:
            errors["source_reference"] = refused_in_context(problem)
    if ev.confidence not in Confidence.values:
        errors["confidence"] = "Select how confident the evidence makes you"
    if ev.started_on is not None and ev.started_on > today:
        errors["started_on"] = refused_in_context("The start date must be today or in the past")
    if ev.started_on is not None and ev.ended_on is not None and ev.ended_on < ev.started_on:
        errors["ended_on"] = refused_in_context("The end date must be on or after the start date")
    classification = ev.classification or (item.classification if item else Classification.OFFICIAL_SENSITIVE)
    if problem := _classification_problem(actor, classification):
        errors["classification"] = problem
    elif item is not None and classification_rank(classification) < classification_rank(item.classification):
        # The weakest source rule: a link is never easier to see than the item it came from.
        errors["classification"] = refused_in_context(
            f"A link from {item.reference} must be classified at least {item.classification}, as the item is"
        )
    if ev.purpose not in ProcessingPurpose.values:
        errors["purpose"] = "Select the purpose the link is recorded for"
    if problem := _text_problem(ev.notes, "notes", required=False, limit=2000):
        errors["notes"] = problem
    return {
        "source_kind": ev.source_kind,
        "intel_item": item,
        "establishment_id": ev.establishment_id if ev.source_kind == SourceKind.CUSTODY else None,
        "source_reference": ev.source_reference.strip() if ev.source_kind == SourceKind.FEED else "",
        "confidence": ev.confidence,
        "started_on": ev.started_on,
        "ended_on": ev.ended_on,
        "classification": classification,
        "purpose": ev.purpose
        if ev.purpose in ProcessingPurpose.values
        else ProcessingPurpose.PREVENTION_DETECTION,
        "notes": ev.notes.strip(),
    }


def _require_visible(actor: User, end: End, label: str) -> None:
    if end.pk is None or not access.is_visible(actor, _resource(end), end):
        raise NotFoundOrForbidden(label)


def _link_owner(
    actor: User, evidence: Evidence, errors: dict[str, str], ends: Iterable[tuple[End, str]]
) -> int | None:
    """The hub a link is recorded for, once each end (named by its label) is one the actor may see and
    the actor is one who records networks."""
    for end, label in ends:
        _require_visible(actor, end, label)
    if not access.may(actor, "network.record"):
        raise NotFoundOrForbidden("network")
    return _owner_hub(actor, evidence.owner_hub_id, errors)


@transaction.atomic
def membership_record(
    *, actor: User, group: OrganisedCrimeGroup, person: Nominal | Associate, role: str, evidence: Evidence
) -> Membership:
    """A nominal or an associate in a group, with a role and the evidence for it."""
    errors: dict[str, str] = {}
    hub_id = _link_owner(actor, evidence, errors, ((group, "group"), (person, "person")))
    if role not in MemberRole.values:
        errors["role"] = "Select the person's role in the group"
    fields = _check_evidence(actor, evidence, errors)
    start, end = evidence.started_on, evidence.ended_on
    if start is not None and group.formed_on is not None and start < group.formed_on:
        errors["started_on"] = refused_in_context(
            f"The membership cannot start before the group was first known active ({group.formed_on:%d %B %Y})"
        )
    if group.dismantled_on is not None and (start or end) is not None:
        last = end or start
        assert last is not None
        if last > group.dismantled_on or (start is not None and start > group.dismantled_on):
            errors["ended_on" if end else "started_on"] = refused_in_context(
                f"The membership cannot run after the group was dismantled ({group.dismantled_on:%d %B %Y})"
            )
    if errors:
        raise ValidationFailed(errors)
    row = {
        "group": group,
        "nominal": person if isinstance(person, Nominal) else None,
        "associate": person if isinstance(person, Associate) else None,
        "role": role,
        **_recorded_by(actor, hub_id),
        **fields,
    }
    details = {"group": group.pk, "role": role, "source": evidence.source_kind}
    return create_audited(actor, AuditAction.OCG_MEMBERSHIP_RECORD, Membership, row, details=details)


@transaction.atomic
def association_record(
    *, actor: User, a: End, b: End, association_type: str, evidence: Evidence, directed: bool = False
) -> Association:
    """A link between two people, a person and a group, or two groups."""
    errors: dict[str, str] = {}
    hub_id = _link_owner(actor, evidence, errors, ((a, "first end"), (b, "second end")))
    ka, kb = end_key(a), end_key(b)
    groups = [k for k in (ka, kb) if k[0] == NodeKind.GROUP]
    if ka == kb:
        errors["b"] = refused_in_context("A person or group cannot be linked to themself")
    if association_type not in AssociationType.values:
        errors["association_type"] = "Select the type of association"
    elif association_type in GROUP_ONLY_TYPES and len(groups) != 2:
        errors["association_type"] = refused_in_context(
            f"“{AssociationType(association_type).label}” links two groups"
        )
    elif len(groups) == 2 and association_type not in GROUP_ONLY_TYPES:
        errors["association_type"] = refused_in_context(
            "Two groups are linked as working together or in rivalry"
        )
    elif association_type in CUSTODY_TYPES and (groups or NodeKind.NOMINAL not in (ka[0], kb[0])):
        errors["association_type"] = refused_in_context(
            f"“{AssociationType(association_type).label}” links a nominal in custody with another person"
        )
    fields = _check_evidence(actor, evidence, errors)
    if errors:
        raise ValidationFailed(errors)
    ends: dict[str, object] = {}
    for prefix, end in (("a", a), ("b", b)):
        ends[f"{prefix}_{end_key(end)[0]}"] = end
    row = {"association_type": association_type, "directed": directed, **_recorded_by(actor, hub_id), **ends}
    return create_audited(
        actor,
        AuditAction.ASSOCIATION_RECORD,
        Association,
        {**row, **fields},
        details={
            "a": key_label(ka),
            "b": key_label(kb),
            "type": association_type,
            "source": evidence.source_kind,
        },
        subject_ids=[k[1] for k in (ka, kb) if k[0] == NodeKind.NOMINAL],
    )


# --- records of reading -------------------------------------------------------------------------------------


def network_consult(
    *,
    actor: User,
    centre: NodeKey,
    graph: Graph,
    purpose: str,
    surface: str,
    query: dict[str, str] | None = None,
    centre_consulted: bool = False,
) -> None:
    """Record that the actor was shown a network: every nominal in it is a subject of the entry. When the
    page already records consulting the centre person (`centre_consulted`: their profile), the entry is
    about the network only."""
    people = nominal_ids(graph.nodes)
    audit_record(
        actor=actor,
        action=AuditAction.NETWORK_VIEW,
        surface=surface,
        object_type=str(centre[0]),
        object_id=centre[1],
        nominal_id=centre[1] if centre[0] == NodeKind.NOMINAL and not centre_consulted else None,
        justification=purpose,
        details={"nodes": len(graph.nodes), "links": len(graph.links), "query": query or {}},
        subject_ids=people,
    )


def group_consult(
    *, actor: User, group: OrganisedCrimeGroup, graph: Graph, purpose: str, surface: str
) -> None:
    audit_about(
        actor,
        AuditAction.OCG_VIEW,
        group,
        surface=surface,
        justification=purpose,
        details={"nodes": len(graph.nodes), "links": len(graph.links)},
        subject_ids=nominal_ids(graph.nodes),
    )


def group_list_consult(*, actor: User, group_ids: Iterable[int], surface: str, query: dict[str, str]) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.OCG_LIST,
        surface=surface,
        details={"shown": sorted(group_ids), "query": query},
    )


def associate_consult(*, actor: User, associate: Associate, graph: Graph, purpose: str, surface: str) -> None:
    audit_about(
        actor,
        AuditAction.ASSOCIATE_VIEW,
        associate,
        surface=surface,
        justification=purpose,
        details={"links": len(graph.links)},
        subject_ids=nominal_ids(graph.nodes),
    )


def network_path_consult(
    *, actor: User, source: NodeKey, target: NodeKey, paths: Sequence[Sequence[NodeKey]], surface: str
) -> None:
    """Record a path search: the two ends asked about, and every person on the paths shown as subjects."""
    people = nominal_ids([key for path in paths for key in path] + [source, target])
    audit_record(
        actor=actor,
        action=AuditAction.NETWORK_PATH,
        surface=surface,
        object_type="network_path",
        justification="Path finding between two people or groups",
        details={"from": key_label(source), "to": key_label(target), "paths": [len(p) - 1 for p in paths]},
        subject_ids=people,
    )


def network_deconfliction_log(*, actor: User, reference: str, hub_name: str, nominal_id: int) -> None:
    """Telling someone that another hub holds an interest discloses that fact: log it (s.62)."""
    audit_record(
        actor=actor,
        action=AuditAction.NETWORK_DECONFLICTION_HIT,
        object_type="network_interest",
        justification="Deconfliction: another agency holds an interest",
        recipients=[actor.display_label],
        details={"reference": reference, "owner_hub": hub_name},
        subject_ids=[nominal_id],
    )


@transaction.atomic
def custody_links_derive(*, actor: User, hub_id: int | None = None) -> list[Association]:
    """Cell-mate links derived from custody: two people the actor may see, held in the same establishment
    at the same time, are linked ("cell-mate or same wing", source custody, the establishment and the
    shared period). Idempotent: a pair already linked for that establishment and start is left alone.
    The links are owned by each person's hub when both share it (else the actor's)."""
    from ..custody import overlap, stays

    if not access.may(actor, "network.record"):
        raise NotFoundOrForbidden("network")
    people = access.visible(actor, "nominal", Nominal.objects.all())
    if hub_id is not None:
        people = people.filter(owner_hub_id=hub_id)
    events = (
        CustodyEvent.objects.filter(nominal__in=people.values("pk"))
        .order_by("nominal_id", "occurred_on", "id")
        .values_list("nominal_id", "event_type", "occurred_on", "establishment_id")
    )
    by_person: dict[int, list[tuple[str, date, int | None]]] = {}
    for nominal_id, kind, on, establishment in events:
        by_person.setdefault(nominal_id, []).append((kind, on, establishment))
    by_establishment: dict[int, list[tuple[int, Any]]] = {}
    for nominal_id, rows in by_person.items():
        for stay in stays(rows):
            by_establishment.setdefault(stay.establishment_id, []).append((nominal_id, stay))
    hubs = dict(Nominal.objects.filter(pk__in=list(by_person)).values_list("pk", "owner_hub_id"))
    existing = set(
        Association.objects.filter(
            association_type=AssociationType.CELL_MATE, source_kind=SourceKind.CUSTODY
        ).values_list("a_nominal_id", "b_nominal_id", "establishment_id", "started_on")
    )
    made: list[Association] = []
    now = timezone.now()
    assert actor.agency_id is not None
    for establishment_id, held in by_establishment.items():
        held.sort(key=lambda x: (x[0], x[1].started_on))
        for i, (first, stay_a) in enumerate(held):
            for second, stay_b in held[i + 1 :]:
                if first == second:
                    continue
                shared = overlap(stay_a, stay_b)
                if shared is None:
                    continue
                a, b = min(first, second), max(first, second)
                if (a, b, establishment_id, shared[0]) in existing:
                    continue
                existing.add((a, b, establishment_id, shared[0]))
                owner = hubs[a] if hubs[a] == hubs[b] else (actor.hub_id or hubs[a])
                made.append(
                    Association(
                        a_nominal_id=a, b_nominal_id=b, association_type=AssociationType.CELL_MATE,
                        source_kind=SourceKind.CUSTODY, establishment_id=establishment_id,
                        started_on=shared[0], ended_on=shared[1], confidence=Confidence.MEDIUM,
                        owner_hub_id=owner, originating_agency_id=actor.agency_id,
                        classification=Classification.OFFICIAL_SENSITIVE,
                        purpose=ProcessingPurpose.OFFENDER_MANAGEMENT, recorded_by=actor, recorded_at=now,
                        notes="Derived from custody records: held in the same establishment at the same time",
                    )
                )  # fmt: skip
    Association.objects.bulk_create(made)
    audit_record(
        actor=actor,
        action=AuditAction.NETWORK_CUSTODY_DERIVE,
        object_type="association",
        details={"created": len(made), "hub": hub_id},
        subject_ids=sorted({int(pk) for x in made for pk in (x.a_nominal_id, x.b_nominal_id) if pk}),
    )
    return made


def network_export_record(
    *,
    actor: User,
    centre: NodeKey | None,
    graph: Graph,
    fmt: str,
    recipient: str,
    purpose: str,
    chart_id: int | None = None,
) -> None:
    """An export is a disclosure (s.62): to whom, in which format, and every person in it as a subject.
    It is of a person's or group's network (`centre`) or of a saved link chart (`chart_id`)."""
    kind, pk = centre if centre is not None else ("link_chart", chart_id or 0)
    audit_record(
        actor=actor,
        action=AuditAction.NETWORK_EXPORT,
        surface=f"network export ({fmt})",
        object_type=str(kind),
        object_id=pk,
        nominal_id=pk if kind == NodeKind.NOMINAL else None,
        justification=purpose,
        recipients=[recipient],
        details={"format": fmt, "nodes": len(graph.nodes), "links": len(graph.links)},
        subject_ids=nominal_ids(graph.nodes),
    )


def communities_consult(*, actor: User, people: Iterable[NodeKey], communities: int, drifts: int) -> None:
    """Communities shown beside recorded groups: every person listed is a subject of the entry."""
    audit_record(
        actor=actor,
        action=AuditAction.NETWORK_COMMUNITIES,
        surface="communities",
        justification="Network analysis: communities and recorded groups",
        details={"communities": communities, "drifting": drifts},
        subject_ids=nominal_ids(people),
    )
