"""The seed paper's grant as demonstration data: PCD 1258's £405,608 Ministry of Justice grant for three
London posts, with the figures exactly as the paper prints them, synthetic post holders, and eight
quarters of claims in different states. Written through the funding services, so every row is audited
as the work of the named demo users."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from marsoc.accounts.models import Agency, Hub, User
from marsoc.accounts.services import user_create
from marsoc.core.errors import ValidationFailed
from marsoc.funding import services
from marsoc.funding.models import Claim, Grant
from marsoc.intelligence import services as intelligence_services
from marsoc.sharing.models import SharingAgreement

SEED_AGREEMENT_PARTIES = ("mps", "hmpps-prisons-london", "hmpps-marsoc", "probation-london")

SEED_REFERENCE = "PCD 1258"


@dataclass(frozen=True)
class SeedPost:
    reference: str
    role: str
    grade: str
    costs: tuple[tuple[int, int], tuple[int, int]]  # (salary, overheads) in whole pounds, per year
    holder: tuple[str, str, str]  # synthetic username, first and last name
    backfill: str


# Paragraph 12 of the seed's report, figure for figure (whole pounds as printed).
SEED_POSTS = (
    SeedPost(
        "LDN-MGR", "ROCU MARSOC Manager", "Detective Sergeant (DS)", ((75_639, 8_723), (75_073, 9_680)),
        ("holder.ds", "Dana", "Whitcombe"),
        "Core Prison Intelligence Unit DS role backfilled from the select list; budget kept in the LRPIU",
    ),
    SeedPost(
        "LDN-OFF", "ROCU MARSOC Officer", "Detective Constable (DC)", ((63_320, 8_723), (61_923, 9_680)),
        ("holder.dc", "Lee", "Farrant"),
        "Core Prison Intelligence Unit DC role backfilled from the select list; budget kept in the LRPIU",
    ),
    SeedPost(
        "LDN-RES", "Band E Researcher", "Band E (police staff)", ((41_047, 4_878), (41_077, 5_847)),
        ("holder.researcher", "Mina", "Osei"),
        "New post: no core role vacated",
    ),
)  # fmt: skip
SEED_YEARS = (("2021-2022", 202_329, 50_582), ("2022-2023", 203_279, 50_820))


def _holder(username: str, first: str, last: str) -> User:
    """A synthetic member of staff who holds a post (no roles: they need no access to hold a post)."""
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    return user_create(
        actor=None,
        username=username,
        password=None,
        agency=Agency.objects.get(code="mps"),
        hub=Hub.objects.get(code="london"),
        roles=[],
        clearance="OFFICIAL",
        first_name=first,
        last_name=last,
    )


@transaction.atomic
def load_seed_grant(*, recorder: User, keeper: User) -> Grant:
    """The grant, its two years, its three posts and who holds them (idempotent by reference)."""
    existing = Grant.objects.filter(reference=SEED_REFERENCE).first()
    if existing is not None:
        return existing
    grant = services.grant_create(
        actor=recorder,
        data=services.GrantInput(
            reference=SEED_REFERENCE,
            title="Grant funding for the London MARSOC hub",
            funder="Ministry of Justice",
            recipient="Mayor's Office for Policing and Crime (for the Metropolitan Police Service)",
            hub=Hub.objects.get(code="london"),
            amount_pence=405_608_00,
            starts_on=date(2022, 1, 1),
            ends_on=date(2023, 12, 31),
            purpose="To keep the London MARSOC hub's three posts, created in the early adopter phase, "
            "for two more years: Lifetime Offender Management of the highest-harm SOC offenders.",
            memorandum="Memorandum of Understanding between the Ministry of Justice and MOPAC, under which "
            "eligible expenditure is recovered from the Ministry of Justice.",
            payment_terms="Quarterly in arrears, on receipt of a quarterly invoice from the MPS.",
            eligible_expenditure="Salaries and associated overheads of the three funded posts, pro rata to "
            "the time each post is filled.",
            if_funding_stops="Should funding cease, the officers in the funded posts would be redeployed "
            "within the Prison Intelligence Unit or to other roles in the Operational Command Unit.",
            years=[
                services.YearInput(label, total * 100, quarterly * 100)
                for label, total, quarterly in SEED_YEARS
            ],
        ),
    )
    for spec in SEED_POSTS:
        post = services.funded_post_add(
            actor=keeper,
            grant=grant,
            data=services.PostInput(
                reference=spec.reference,
                role=spec.role,
                grade=spec.grade,
                fte=Decimal("1.00"),
                backfill=spec.backfill,
                costs=[(salary * 100, overhead * 100) for salary, overhead in spec.costs],
            ),
        )
        services.post_holding_add(
            actor=keeper, post=post, holder=_holder(*spec.holder), starts_on=grant.starts_on
        )
    return grant


def generate_funding(*, today: date) -> dict[str, int]:
    """The seed grant and eight quarters of claims: six reconciled, one paid, one submitted (or as far as
    `today` allows: a quarter is claimed only after it ends)."""
    preparer = User.objects.get(username="london.manager")
    finance = User.objects.get(username="london.finance")
    recorder = User.objects.get(username="national.manager")
    grant = load_seed_grant(recorder=recorder, keeper=preparer)
    decisions = generate_decisions(today=today) | generate_governance(today=today)
    made = 0
    for number in range(1, 9):
        if grant.claims.filter(number=number).exists():
            continue
        try:
            claim = services.claim_prepare(actor=preparer, grant=grant, number=number, today=today)
        except ValidationFailed:
            break  # not yet ended
        made += 1
        _advance(claim, preparer=preparer, finance=finance, number=number, today=today)
    return {"grants": 1, "claims": made} | decisions


def _advance(claim: Claim, *, preparer: User, finance: User, number: int, today: date) -> None:
    lines = list(claim.lines.all())
    left = services.remaining_after(claim)
    actuals = {line.post_id: line.eligible_pence for line in lines}
    explanation = ""
    if number == 3:  # overtime on one post
        actuals[lines[0].post_id] += 1_250_00
        explanation = "Overtime for the summer release surge on the manager's post (synthetic)"
    if sum(actuals.values()) > left:  # the last quarter: the rounded award leaves a little less
        actuals[lines[-1].post_id] -= sum(actuals.values()) - left
        explanation = "Claim limited to what is left of the grant: the award's printed totals are rounded"
    if number == 8:
        return  # left as a draft with no actuals: the work a business manager has next
    services.claim_set_actuals(actor=preparer, claim=claim, actuals=actuals, explanation=explanation)
    services.claim_check(actor=finance, claim=claim)
    if number == 7:
        return  # checked, awaiting submission
    services.claim_submit(actor=finance, claim=claim)
    if number == 6:
        return  # submitted, awaiting payment
    claim.refresh_from_db()
    # Paid on the day it is recorded (a payment cannot be dated before the claim's submission, which the
    # demo makes today).
    services.claim_record_payment(
        actor=finance, claim=claim, paid_on=today, paid_pence=claim.claimed_pence, today=today
    )
    if number == 5:
        return  # paid, awaiting reconciliation
    services.claim_reconcile(actor=finance, claim=claim, note="")


SEED_DECISION = services.DecisionInput(
    reference=SEED_REFERENCE,
    title="Grant funding for the Multi-Agency Response to Serious Organised Crime (MARSOC) hub",
    executive_summary="Approval is sought to accept £405,608 of Ministry of Justice funding for the London "
    "MARSOC hub from 1 January 2022 to 31 December 2023, keeping the three posts created in the early "
    "adopter phase.",
    recommendation="Approve the acceptance of an offer of funding from the Ministry of Justice of £405,608 "
    "to maintain the London MARSOC hub.",
    part1_body="The early adopter phase ran from 1 January to 31 December 2021. The funding keeps a "
    "Detective Sergeant, a Detective Constable and a Band E researcher in the hub; payment is made "
    "quarterly in arrears on invoice, under a memorandum of understanding between the Ministry of Justice "
    "and MOPAC. Should funding cease, the officers would be redeployed within the Prison Intelligence Unit.",
    decision_maker_title="Deputy Mayor for Policing and Crime",
)


def generate_decisions(*, today: date) -> dict[str, int]:
    """PCD 1258 approved and published (accepting the seed grant); a deferred one; one with a Part 2; a
    draft with a deadline and declarations still to tick. All synthetic apart from the seed's own text."""
    from marsoc.funding.models import DecisionRecord
    from marsoc.funding.vocabulary import DeclarationKind

    drafter = User.objects.get(username="london.manager")
    finance = User.objects.get(username="london.finance")
    national = User.objects.get(username="national.manager")
    maker = User.objects.get(username="decision.maker")
    if DecisionRecord.objects.filter(reference=SEED_REFERENCE).exists():
        return {"decisions": 0}
    grant = Grant.objects.filter(reference=SEED_REFERENCE).first()

    def ticked(decision: DecisionRecord, on: date) -> None:
        for kind in DeclarationKind:
            who = finance if kind == DeclarationKind.FINANCIAL else national if kind in (
                DeclarationKind.DIRECTOR, DeclarationKind.CHIEF_EXECUTIVE) else drafter  # fmt: skip
            services.decision_declare(actor=who, decision=decision, kind=kind, today=on)

    def published(
        data: services.DecisionInput, *, drafted_on: date, ticked_on: date, approved_on: date | None = None
    ) -> None:
        """Drafted, every declaration ticked, approved with no interests declared, and published."""
        decision = services.decision_draft(actor=drafter, data=data, today=drafted_on)
        ticked(decision, ticked_on)
        services.decision_approve(
            actor=maker, decision=decision, interest_declaration="None", confirmed=True, today=approved_on
        )
        services.decision_publish(actor=drafter, decision=decision)

    published(
        replace(SEED_DECISION, grant=grant),
        drafted_on=date(2022, 8, 18),
        ticked_on=date(2022, 9, 9),
        approved_on=date(2022, 9, 13),
    )
    published(
        services.DecisionInput(
            reference="PCD 1311",
            title="Relocation of the London hub during the Cobalt Square refurbishment (synthetic)",
            executive_summary="Temporary office moves for the hub while the building is refurbished.",
            recommendation="Approve the temporary relocation and its costs.",
            part1_body="Synthetic demonstration record. The hub moves for six months; the cost is met from "
            "existing budgets.",
            decision_maker_title="Deputy Mayor for Policing and Crime",
            deferred_until=today + timedelta(days=60),
            deferral_reason="Publishing the new address before the move would compromise its security.",
        ),
        drafted_on=today,
        ticked_on=today,
    )
    published(
        services.DecisionInput(
            reference="PCD 1342",
            title="Covert capability for the prison intelligence unit (synthetic)",
            executive_summary="Approval of a capability to support disruption of organised crime in custody.",
            recommendation="Approve the purchase set out in Part 2.",
            part1_body="Synthetic demonstration record. The capability and its supplier are described in "
            "Part 2, which is exempt from publication.",
            decision_maker_title="Deputy Mayor for Policing and Crime",
            part2=services.Part2Input(
                body="Synthetic exempt detail: the capability, its supplier and the deployment plan.",
                exemption="s31",
                rationale="Disclosure would be likely to prejudice the prevention or detection of crime "
                "(Freedom of Information Act 2000, section 31(1)(a)).",
            ),
        ),
        drafted_on=today,
        ticked_on=today,
    )

    draft = services.decision_draft(
        actor=drafter,
        data=services.DecisionInput(
            reference="PCD 1377",
            title="Extension of MARSOC funding to 2025 (synthetic)",
            executive_summary="Approval to bid for a further year of funding for the three posts.",
            recommendation="Approve the bid.",
            part1_body="Synthetic demonstration record awaiting its declarations.",
            decision_maker_title="Deputy Mayor for Policing and Crime",
            decide_by=today + timedelta(days=10),
            decide_by_reason="The funder's bidding round closes then.",
        ),
        today=today,
    )
    services.decision_declare(actor=finance, decision=draft, kind=DeclarationKind.FINANCIAL, today=today)
    return {"decisions": 4}


def generate_governance(*, today: date) -> dict[str, int]:
    """The seed's "MPS DPIA has been initiated but is still to be completed" and its equality impact
    assessment ("no negative impact identified"), as register entries (demo rows, written directly)."""
    from marsoc.funding.models import Dpia, EqualityAssessment

    made = _seed_agreement()  # its own check: regenerating case data removes every agreement
    if Dpia.objects.filter(reference="DPIA-MARSOC-LDN").exists():
        return {"governance_records": made}
    owner = User.objects.get(username="london.manager")
    Dpia.objects.create(
        reference="DPIA-MARSOC-LDN",
        title="London MARSOC hub: sharing of prison and police intelligence",
        status="in_consultation",
        owner=owner,
        initiated_on=date(2022, 8, 1),
        review_due_on=today + timedelta(days=21),
        risks="Over-sharing beyond the agreement's purposes (mitigated by machine-enforced agreements); "
        "inaccurate linkage of records (clerical review of uncertain pairs). Synthetic.",
    )
    EqualityAssessment.objects.create(
        reference="EIA-MARSOC-LDN",
        version=1,
        title="London MARSOC hub",
        author=owner,
        assessed_on=date(2022, 8, 10),
        conclusions="No negative impact identified for any group with a protected characteristic; to be "
        "developed as the parameters change.",
        period_starts_on=date(2022, 1, 1),
        period_ends_on=date(2022, 6, 30),
        review_due_on=today - timedelta(days=5),
    )
    return {"governance_records": 2 + made}


def _seed_agreement() -> int:
    """The seed's "information-sharing agreement ... not signed off by all partner agencies": London
    Probation has not signed, so it is not in force (the partners keep their access under ISA-DEMO-01)."""
    if SharingAgreement.objects.filter(reference="ISA-MARSOC-LDN").exists():
        return 0
    national = User.objects.get(username="national.manager")
    parties = {a.code: a for a in Agency.objects.filter(code__in=SEED_AGREEMENT_PARTIES)}
    agreement = intelligence_services.agreement_create(
        actor=national,
        data=intelligence_services.AgreementInput(
            "ISA-MARSOC-LDN", "London MARSOC hub information-sharing agreement", [a.pk for a in parties.values()],
            "Crime and Disorder Act 1998 s.115; Offender Management Act 2007 s.14",
            ["prevention_detection", "offender_management"], ["identity", "custody", "criminal_intelligence"],
            "OFFICIAL-SENSITIVE", "parties", "Review after 6 years (MoPI group 3)", date(2022, 10, 1),
        ),
    )  # fmt: skip
    reason = "Approved by the MARSOC Delivery Board (synthetic)"
    intelligence_services.agreement_set_status(
        actor=national, agreement=agreement, to_status="in_force", reason=reason
    )
    for code in SEED_AGREEMENT_PARTIES[:-1]:  # London Probation has not signed
        signer = services.SignOffInput(
            parties[code].pk, f"Head of information management, {parties[code].name}", date(2022, 9, 28)
        )
        services.agreement_sign_off(actor=national, agreement=agreement, data=signer)
    return 1
