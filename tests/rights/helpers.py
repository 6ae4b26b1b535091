"""One person with a record in every app that can hold one (built with the ORM where the point is only
that a row exists), and a second person sharing some of them, so erasure can show it removes one
person's rows and keeps the other's."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from marsoc.accounts.models import Establishment, User
from marsoc.assessment.models import DryRunChange, MethodDryRun, TierDecision
from marsoc.assessment.services import active_method, assessment_submit, method_spec
from marsoc.casework.models import CaseNote
from marsoc.core.vocabulary import Role
from marsoc.intelligence import models as intel
from marsoc.linkage.models import (
    CandidatePair,
    FeedImport,
    LinkageRun,
    Merge,
    Person,
    QuarantinedRow,
    SourceRecord,
    SourceRecordVersion,
)
from marsoc.network.models import Association, Membership, OrganisedCrimeGroup
from marsoc.nominals.models import Nominal
from marsoc.nominals.services import alias_add, custody_event_record, participation_add
from marsoc.plans import services as plan_services
from marsoc.plans.models import Alert, Decision, Meeting, Order, OrderBreach, Outcome
from marsoc.rights import models as rights

from ..conftest import agency, hub, make_nominal, make_user, partnership_agreement, today
from ..plans.helpers import adopt, tactic


@dataclass
class Full:
    manager: User
    officer: User
    nominal: Nominal
    other: Nominal
    item: intel.IntelItem
    shared_item: intel.IntelItem
    association: Association


def _item(manager: User, text: str, *subjects: Nominal, originating: str = "mps") -> intel.IntelItem:
    item = intel.IntelItem.objects.create(
        owner_hub=hub("london"), originating_agency=agency(originating), text=text,
        intelligence_date=today() - timedelta(days=10), classification="OFFICIAL-SENSITIVE",
        source_evaluation="2", intelligence_assessment="B", handling_code="P",
        purpose="prevention_detection", data_category="criminal_intelligence", recorded_by=manager,
    )  # fmt: skip
    for n in subjects:
        intel.ItemSubject.objects.create(item=item, nominal=n, data_subject_category="suspect")
    return item


def full_person(username: str = "full") -> Full:
    manager = make_user(f"{username}.mgr", [Role.HUB_MANAGER])
    officer = make_user(f"{username}.off", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
    nominal = adopt(make_nominal(manager, family="Everywhere", identifiers=[("NOMIS", "A1234BC")]), manager)
    other = make_nominal(manager, family="Bystander", identifiers=[("NOMIS", "B2345CD")])
    alias_add(actor=manager, nominal=nominal, alias_type="alias", given_names="Ev", family_name="Wear")
    est = Establishment.objects.filter(hub__code="london").first()
    custody_event_record(
        actor=officer, nominal=nominal, event_type="reception", occurred_on=today() - timedelta(days=400),
        establishment_id=est.pk, reception_status="sentenced",
        expected_release_date=today() + timedelta(days=90), licence_end_date=today() + timedelta(days=800),
    )  # fmt: skip
    agreement = partnership_agreement("nca")
    participation_add(
        actor=manager, nominal=nominal, agency_id=agency("nca").pk, rationale="Joint work"
    )  # fmt: skip
    # Assessment (with factor scores and the priority status), a tier decision, a method trial.
    levels = {f.code: 2 for f in method_spec(active_method()).factors}
    assessment = assessment_submit(actor=manager, nominal=nominal, levels=levels)
    TierDecision.objects.create(
        nominal=nominal, assessment=assessment, computed_tier=assessment.tier_code,
        decided_tier=assessment.tier_code, rationale="Agreed", decided_by=manager, decided_at=timezone.now(),
    )  # fmt: skip
    run = MethodDryRun.objects.create(candidate=assessment.method, requested_by=manager)
    DryRunChange.objects.create(
        dry_run=run, nominal=nominal, assessment=assessment, old_score=assessment.score,
        old_tier=assessment.tier_code, new_score=Decimal("1.0"), new_tier="low", direction="down",
    )  # fmt: skip
    # Plan, version, objective, action, outcome, order and breach, meeting decision, alert.
    plan = plan_services.plan_create(actor=manager, nominal=nominal, owner_agency_id=agency("mps").pk)
    plan_services.objective_add(actor=manager, plan=plan, text="Disrupt supply")
    action = plan_services.action_add(
        actor=manager, plan=plan, tactic_id=tactic("hmrc-tax-investigation").pk,
        agency_id=agency("hmrc").pk, due_date=today() + timedelta(days=30),
    )  # fmt: skip
    Outcome.objects.create(
        action=action, agency=agency("hmrc"), claimed_by=manager, claimed_at=timezone.now(),
        occurred_on=today(), rating="minor", justification="Cash seized",
    )  # fmt: skip
    order = Order.objects.create(
        nominal=nominal, order_type="scpo", start_date=today(), end_date=today() + timedelta(days=900)
    )
    OrderBreach.objects.create(order=order, occurred_on=today(), details="Missed curfew", reported_by=officer)
    meeting = Meeting.objects.create(hub=hub("london"), held_on=today(), title="Tasking")
    Decision.objects.create(meeting=meeting, nominal=nominal, text="Refer to HMRC")
    Alert.objects.create(
        user=officer, kind="action_assigned", key=f"t-{nominal.pk}", nominal=nominal, text="New"
    )
    # Intelligence: an item only about this person (with everything hanging off it), one shared with
    # the other person, a summary and an access request.
    item = _item(manager, "Seen at the depot", nominal)
    shared_item = _item(manager, "Both at the depot", nominal, other, originating="nca")
    intel.Disclosure.objects.create(
        item=item, recipient_agency=agency("nca"), agreement=agreement, purpose="prevention_detection",
        disclosed_at=timezone.now(), disclosed_by=manager,
    )  # fmt: skip
    intel.ConsentRequest.objects.create(
        item=item, recipient_agency=agency("nca"), agreement=agreement, purpose="prevention_detection",
        requested_at=timezone.now(),
    )  # fmt: skip
    intel.RetentionDecision.objects.create(
        item=item, outcome="retain", reason="Still relevant", decided_by=manager, decided_at=timezone.now()
    )
    intel.ItemRevision.objects.create(
        item=item, previous={"text": "Seen at the dpot"}, reason="Typo", changed_by=manager,
        changed_at=timezone.now(),
    )  # fmt: skip
    summary = intel.SummaryDisclosure.objects.create(
        nominal=nominal, owner_hub=hub("london"), sharing_agency=agency("mps"), recipient_agency=agency("nca"),
        agreement=agreement, purpose="prevention_detection", reason="Joint work",
        classification="OFFICIAL-SENSITIVE", snapshot={"reference": nominal.reference},
        disclosed_at=timezone.now(), disclosed_by=manager,
    )  # fmt: skip
    intel.SummaryCategory.objects.create(summary=summary, code="identity")
    intel.AccessRequest.objects.create(
        nominal=nominal, owner_hub=hub("london"), requested_by=officer, requester_agency=agency("mps"),
        reason="Deconfliction", requested_at=timezone.now(),
    )  # fmt: skip
    CaseNote.objects.create(
        nominal=nominal, contact_type="meeting", occurred_at=timezone.now(), outcome="completed",
        text="Met at probation", agency=agency("mps"), author=officer, created_at=timezone.now(),
        classification="OFFICIAL-SENSITIVE",
    )  # fmt: skip
    # Networks: a membership and an association with the other person, one evidenced by the item.
    owned = {
        "owner_hub": hub("london"), "originating_agency": agency("mps"), "recorded_at": timezone.now(),
        "classification": "OFFICIAL-SENSITIVE",
    }  # fmt: skip
    group = OrganisedCrimeGroup.objects.create(name="Depot crew", **owned)
    Membership.objects.create(
        group=group, nominal=nominal, role="principal", source_kind="intelligence", intel_item=item, **owned
    )
    association = Association.objects.create(
        a_nominal=nominal, b_nominal=other, association_type="criminal_associate", source_kind="feed",
        source_reference="feed 1", **owned,
    )  # fmt: skip
    # Linkage: two partner records carrying the person's NOMIS number, a version, a pair and a merge;
    # one record of the other person.
    feed = FeedImport.objects.create(
        source_agency=agency("mps"), owner_hub=hub("london"), filename="f.csv", staged_path="x",
        file_sha256="0" * 64, mapping_name="police", mapping={},
    )  # fmt: skip
    people = [Person.objects.create() for _ in range(3)]

    def record(key: str, nomis: str, person: Person) -> SourceRecord:
        return SourceRecord.objects.create(
            source_agency=agency("mps"), owner_hub=hub("london"), classification="OFFICIAL-SENSITIVE",
            source_key=key, given_names="Test", family_name="Everywhere", nomis=nomis, content_hash=key,
            first_import=feed, last_import=feed, person=person,
        )  # fmt: skip

    r1, r2 = record("P1", "A1234BC", people[0]), record("P2", "A1234BC", people[1])
    record("P3", "B2345CD", people[2])
    SourceRecordVersion.objects.create(
        record=r1, feed_import=feed, data={"family_name": "Evrywhere"}, content_hash="v"
    )
    # Rows of the file held back by validation: one carrying the person's NOMIS number, one the other's.
    for n, nomis in enumerate(("A1234BC", "B2345CD"), start=1):
        QuarantinedRow.objects.create(
            feed_import=feed, row_number=n, source_key=f"Q{n}", raw={"NOMS_NO": f" {nomis.lower()} "},
            problems=[{"row": n, "column": "SURNAME", "value": "", "reason": "SURNAME is required"}],
        )  # fmt: skip
    linkage_run = LinkageRun.objects.create()
    pair = CandidatePair.objects.create(
        left=r1, right=r2, match_probability=0.9, match_weight=3.0, explanation=[], run=linkage_run,
        status="match",
    )  # fmt: skip
    Merge.objects.create(survivor=people[0], absorbed=people[1], pair=pair, snapshot={})
    Person.objects.filter(pk=people[1].pk).update(merged_into=people[0])
    # This app's own records: a request, a lifted restriction, a correction, a retention review.
    now = timezone.now()
    rights.SubjectAccessRequest.objects.create(
        nominal=nominal, owner_hub=hub("london"), requester="The person", received_on=today(),
        due_on=today() + timedelta(days=30), created_by=manager, created_at=now,
    )  # fmt: skip
    rights.PersonRestriction.objects.create(
        nominal=nominal, reason="Contested", review_on=today(), contact="Hub", created_by=manager, created_at=now,
        lifted_at=now, lifted_by=manager, lift_reason="Resolved",
    )  # fmt: skip
    rights.Rectification.objects.create(
        nominal=nominal, what="Name", reason="Typo", since=today(), recorded_by=manager, recorded_at=now
    )
    rights.PersonReview.objects.create(
        nominal=nominal, record_group="3", reason="Kept", next_review=today() + timedelta(days=999),
        decided_by=manager, decided_at=now,
    )  # fmt: skip
    rights.RecordReview.objects.create(
        kind="order", record_id=order.pk, nominal=nominal, owner_hub=hub("london"), record_group="2",
        reason="In force", next_review=today() + timedelta(days=999), decided_by=manager, decided_at=now,
    )  # fmt: skip
    return Full(manager, officer, nominal, other, item, shared_item, association)
