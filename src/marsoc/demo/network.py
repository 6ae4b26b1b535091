"""Synthetic networks for demonstration data: three or four organised crime groups per hub with aliases
and crime types, memberships of the hub's adopted people, associations between members (criminal
associates, family, co-defendants), cell-mates derived from custody (two people held in the same
establishment), prison visitors and phone contacts who are not nominals, links resting on intelligence
items, and rivalries between groups. Purposes and classifications vary, so the NCA partner (whose
agreements cover networks for some hubs, custody data for London only) sees part of it and not the rest.
Bulk inserts, written by the system (the generator's audit entry covers them)."""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub, User
from marsoc.assessment.method import score
from marsoc.intelligence.models import ItemSubject
from marsoc.network.models import (
    Associate,
    Association,
    ChartItem,
    ChartShare,
    GroupAlias,
    GroupAssessment,
    GroupStatusChange,
    LinkChart,
    Membership,
    OrganisedCrimeGroup,
)
from marsoc.network.services.assessment import group_method
from marsoc.network.vocabulary import CrimeType, GroupStatus, MemberRole
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import CustodyStatus, DataSubjectCategory, MembershipState
from marsoc.plans.models import Action, Outcome
from marsoc.plans.vocabulary import GroupEffect

WORDS = ["Riverside", "Northgate", "Eastfield", "Harbour", "Crown", "Viaduct", "Foundry", "Meadow", "Canal"]
KINDS = ["Crew", "Firm", "Network", "Family", "Boys", "Line"]
VISITOR_NAMES = [("Pat", "Okafor"), ("Sam", "Hughes"), ("Jo", "Kowalski"), ("Lee", "Ahmed"), ("Kim", "Doyle")]
PURPOSES = ["prevention_detection"] * 6 + ["offender_management", "safeguarding"]
CLASSIFICATIONS = ["OFFICIAL-SENSITIVE"] * 5 + ["OFFICIAL", "SECRET"]


def reset_network() -> None:
    with transaction.atomic():
        LinkChart.objects.all().delete()
        GroupAssessment.objects.all().delete()
        Association.objects.all().delete()
        Membership.objects.all().delete()
        Associate.objects.all().delete()
        OrganisedCrimeGroup.objects.all().delete()


def generate_network(*, seed: int, today: date | None = None, per_hub: int = 4) -> dict[str, int]:
    rng = random.Random(seed * 104729 + 16)
    today = today or timezone.localdate()
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    agencies_by_hub: dict[int, list[int]] = defaultdict(list)
    for agency in Agency.objects.filter(hub__isnull=False).order_by("code"):
        assert agency.hub_id is not None
        agencies_by_hub[agency.hub_id].append(agency.pk)
    for hub in Hub.objects.filter(is_national=False).order_by("code"):
        lead_agencies = agencies_by_hub.get(hub.pk) or []
        people = list(
            Nominal.objects.filter(owner_hub=hub, membership_state=MembershipState.ADOPTED)
            .order_by("pk")
            .only("pk", "custody_status", "current_establishment_id")[:120]
        )
        if not lead_agencies or len(people) < 4:
            continue
        groups = _groups(rng, hub, lead_agencies, per_hub, today, now)
        counts["ocgs"] += len(groups)
        members = _memberships(rng, hub, groups, people, today, now)
        counts["ocg_memberships"] += sum(len(m) for m in members.values())
        counts["associations"] += _associations(rng, hub, groups, members, people, today, now)
        counts["associates"] += Associate.objects.filter(owner_hub=hub).count()
        counts["ocg_assessments"] += _assessments(rng, groups, now)
        if hub.code == "london":
            counts["link_charts"] += _chart(groups[0], now)
        counts["actions_against_groups"] += _targets(rng, hub)
    return dict(counts)


def _targets(rng: random.Random, hub: Hub) -> int:
    """A third of the plan actions of the hub's group members target their group; their outcomes say what
    the disruption did to it."""
    group_of = dict(
        Membership.objects.filter(owner_hub=hub, nominal__isnull=False).values_list("nominal_id", "group_id")
    )
    actions = [
        a
        for a in Action.objects.filter(plan__nominal_id__in=list(group_of))
        .select_related("plan")
        .order_by("pk")
        if rng.random() < 0.34
    ]
    for action in actions:
        action.target_group_id = group_of[action.plan.nominal_id]
    Action.objects.bulk_update(actions, ["target_group"])
    outcomes = list(Outcome.objects.filter(action__in=actions).order_by("pk"))
    for outcome in outcomes:
        outcome.group_effect = rng.choice(GroupEffect.values)
    Outcome.objects.bulk_update(outcomes, ["group_effect"])
    return len(actions)


def _chart(group: OrganisedCrimeGroup, now: datetime) -> int:
    """A London analyst's saved chart of a group and its members, shared with the hub manager and the NCA
    partner (who sees only the part its agreements cover, and is told that the rest is withheld)."""
    author = User.objects.filter(username="london.analyst").first()
    if author is None:
        return 0
    chart = LinkChart.objects.create(
        name=f"{group.name}: members", author=author, owner_hub_id=author.hub_id,
        classification="OFFICIAL-SENSITIVE", created_at=now, changed_at=now,
    )  # fmt: skip
    keys = [("group", group.pk)] + [
        ("nominal", pk)
        for pk in group.memberships.filter(nominal__isnull=False).values_list("nominal_id", flat=True)
    ]
    ChartItem.objects.bulk_create(
        [ChartItem(chart=chart, kind=k, object_id=pk, added_by=author, added_at=now) for k, pk in keys]
    )
    for user in User.objects.filter(username__in=["london.manager", "partner.nca"]):
        ChartShare.objects.create(chart=chart, user=user, shared_by=author, shared_at=now)
    return 1


def _assessments(rng: random.Random, groups: list[OrganisedCrimeGroup], now: datetime) -> int:
    """Each group scored once with the group method, by the national manager (the group priority list)."""
    assessor = User.objects.filter(username="national.manager").first()
    if assessor is None:
        return 0
    spec = group_method()
    rows = []
    for group in groups:
        levels = {f.code: rng.randint(0, len(f.scale) - 1) for f in spec.factors}
        result = score(spec, levels)
        stored = result.as_dict()
        for row, factor in zip(stored["breakdown"], result.breakdown, strict=True):
            row |= {"name": factor.name, "max_level": factor.max_level}
        rows.append(
            GroupAssessment(
                group=group, method_code=result.method_code, method_version=result.method_version,
                method_fingerprint=result.method_fingerprint, levels=levels, score=result.score,
                band=result.tier.code, band_name=result.tier.name, confidence=result.confidence,
                result=stored, rationale="Synthetic assessment", assessed_by=assessor, assessed_at=now,
            )
        )  # fmt: skip
    GroupAssessment.objects.bulk_create(rows)
    return len(rows)


def _owned(rng: random.Random, hub: Hub, agency_id: int, now: datetime) -> dict[str, object]:
    return {
        "owner_hub_id": hub.pk,
        "originating_agency_id": agency_id,
        "classification": rng.choice(CLASSIFICATIONS),
        "purpose": rng.choice(PURPOSES),
        "recorded_at": now,
    }


def _groups(
    rng: random.Random, hub: Hub, agencies: list[int], n: int, today: date, now: datetime
) -> list[OrganisedCrimeGroup]:
    groups = []
    for i in range(n):
        status = (
            GroupStatus.ACTIVE if i < n - 1 else rng.choice([GroupStatus.DORMANT, GroupStatus.DISMANTLED])
        )
        formed = today - timedelta(days=rng.randint(900, 4000))
        group = OrganisedCrimeGroup.objects.create(
            name=f"{rng.choice(WORDS)} {rng.choice(KINDS)} ({hub.name})",
            crime_types=sorted(rng.sample(CrimeType.values, rng.randint(1, 3))),
            geography=hub.name,
            status=status,
            formed_on=formed,
            dismantled_on=today - timedelta(days=60) if status == GroupStatus.DISMANTLED else None,
            **_owned(rng, hub, rng.choice(agencies), now),
        )
        group.classification = "OFFICIAL-SENSITIVE" if i == 0 else group.classification
        group.purpose = "prevention_detection" if i == 0 else group.purpose
        group.save(update_fields=["classification", "purpose"])
        GroupAlias.objects.create(group=group, name=f"{rng.choice(WORDS)[:4].upper()}{i}")
        GroupStatusChange.objects.create(
            group=group, to_status=GroupStatus.ACTIVE, effective_date=formed, reason="Group first recorded",
            changed_at=now,
        )  # fmt: skip
        if status != GroupStatus.ACTIVE:
            GroupStatusChange.objects.create(
                group=group, from_status=GroupStatus.ACTIVE, to_status=status,
                effective_date=today - timedelta(days=60), reason="Disruption operation (synthetic)",
                changed_at=now,
            )  # fmt: skip
        groups.append(group)
    return groups


def _memberships(
    rng: random.Random,
    hub: Hub,
    groups: list[OrganisedCrimeGroup],
    people: list[Nominal],
    today: date,
    now: datetime,
) -> dict[int, list[Nominal]]:
    rows: list[Membership] = []
    members: dict[int, list[Nominal]] = defaultdict(list)
    pool = people[:]
    rng.shuffle(pool)
    for number, person in enumerate(pool):
        group = groups[number % len(groups)]
        members[group.pk].append(person)
        role = MemberRole.PRINCIPAL if len(members[group.pk]) == 1 else rng.choice(MemberRole.values)
        start = group.formed_on + timedelta(days=rng.randint(0, 400)) if group.formed_on else None
        rows.append(
            Membership(
                group=group, nominal=person, role=role, source_kind="officer",
                confidence=rng.choice(["high", "medium", "low"]), started_on=start,
                ended_on=group.dismantled_on, **_owned(rng, hub, group.originating_agency_id, now),
            )
        )  # fmt: skip
    Membership.objects.bulk_create(rows)
    return members


def _associations(
    rng: random.Random,
    hub: Hub,
    groups: list[OrganisedCrimeGroup],
    members: dict[int, list[Nominal]],
    people: list[Nominal],
    today: date,
    now: datetime,
) -> int:
    rows: list[Association] = []
    agency = groups[0].originating_agency_id

    def link(
        a: Nominal | Associate | OrganisedCrimeGroup,
        b: Nominal | Associate | OrganisedCrimeGroup,
        kind: str,
        **extra: object,
    ) -> None:
        ends = {}
        for prefix, end in (("a", a), ("b", b)):
            field = (
                "nominal"
                if isinstance(end, Nominal)
                else "associate"
                if isinstance(end, Associate)
                else "group"
            )
            ends[f"{prefix}_{field}"] = end
        fields = _owned(rng, hub, agency, now) | {"source_kind": "officer"} | extra
        rows.append(
            Association(association_type=kind, confidence=rng.choice(["high", "medium"]), **ends, **fields)
        )

    disrupted = {g.pk for g in groups if g.status != GroupStatus.ACTIVE}
    for group_id, group_members in members.items():
        for i, person in enumerate(group_members[1:], start=1):
            # After the disruption (60 days ago) half the links among a disrupted group's members end.
            ended = today - timedelta(days=rng.randint(1, 50))
            link(
                group_members[rng.randrange(i)],
                person,
                rng.choice(["criminal_associate", "criminal_associate", "family", "co_defendant"]),
                **({"ended_on": ended} if group_id in disrupted and rng.random() < 0.5 else {}),
            )
    # Brokers: a few people linked across groups.
    for _ in range(max(1, len(people) // 15)):
        a, b = rng.sample(people, 2)
        link(a, b, "criminal_associate", started_on=today - timedelta(days=rng.randint(30, 700)))
    # Cell-mates: people in custody in the same establishment, derived from the custody record.
    by_establishment: dict[int, list[Nominal]] = defaultdict(list)
    for person in people:
        if (
            person.custody_status in (CustodyStatus.REMAND, CustodyStatus.SENTENCED)
            and person.current_establishment_id
        ):
            by_establishment[person.current_establishment_id].append(person)
    for establishment_id, held in by_establishment.items():
        for a, b in pairwise(held):
            link(a, b, "cell_mate", source_kind="custody", establishment_id=establishment_id,
                 started_on=today - timedelta(days=rng.randint(30, 300)))  # fmt: skip
    # Visitors and phone contacts who are not nominals, on people in custody.
    inside = [p for held in by_establishment.values() for p in held][:8]
    enablers: list[Membership] = []
    for person in inside:
        given, family = rng.choice(VISITOR_NAMES)
        visitor = Associate.objects.create(
            given_names=given, family_name=family, description="Prison visitor (synthetic)",
            data_subject_category=DataSubjectCategory.OTHER, review_due=today + timedelta(days=365),
            **_owned(rng, hub, agency, now),
        )  # fmt: skip
        link(visitor, person, rng.choice(["prison_visitor", "phone_contact"]), source_kind="custody",
             establishment_id=person.current_establishment_id, directed=True)  # fmt: skip
        # Running a network from custody: the visitor works for a street group the prisoner is not in.
        own = {gid for gid, ms in members.items() if person in ms}
        street = [g for g in groups if g.pk not in own and g.status == GroupStatus.ACTIVE]
        if street:
            group = rng.choice(street)
            enablers.append(
                Membership(
                    group=group, associate=visitor, role=MemberRole.ENABLER, source_kind="officer",
                    confidence="medium", started_on=today - timedelta(days=rng.randint(30, 400)),
                    **_owned(rng, hub, group.originating_agency_id, now),
                )
            )  # fmt: skip
    Membership.objects.bulk_create(enablers)
    # Links that rest on intelligence: two subjects of one item, or an item's subject and a fellow member.
    subjects = defaultdict(list)
    for row in ItemSubject.objects.filter(nominal__in=people).select_related("item").order_by("item_id")[:60]:
        subjects[row.item_id].append(row)
    in_group = {p.pk: gid for gid, ms in members.items() for p in ms}
    by_pk = {p.pk: p for p in people}
    for rows_of_item in list(subjects.values())[:12]:
        first = rows_of_item[0]
        others = [m for m in members.get(in_group.get(first.nominal_id, 0), []) if m.pk != first.nominal_id]
        if not others:
            continue
        link(by_pk[first.nominal_id], rng.choice(others), "criminal_associate", source_kind="intelligence",
             intel_item=first.item, classification=first.item.classification)  # fmt: skip
    if len(groups) >= 2:
        link(
            groups[0],
            groups[1],
            "group_rivalry",
            classification="OFFICIAL-SENSITIVE",
            purpose="prevention_detection",
        )
    Association.objects.bulk_create(rows)
    return len(rows)
