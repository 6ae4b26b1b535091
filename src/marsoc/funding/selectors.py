"""Reads of grants and claims, already scoped by the façade, and the figures their pages show."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from marsoc.accounts.models import Agency, User
from marsoc.assessment.selectors import EqualityOptions, equality_report
from marsoc.core import access
from marsoc.sharing.agreements import not_in_force_reason
from marsoc.sharing.models import AgreementSignOff, SharingAgreement

from .calculation import Period, YearTable, quarter_cost, quarters, year_table
from .models import (
    Claim,
    ClaimLine,
    DecisionDeclaration,
    DecisionPart2,
    DecisionRecord,
    Dpia,
    EqualityAssessment,
    FundedPost,
    Grant,
    PostCost,
    PostHolding,
)
from .vocabulary import COMMITTED_STATES, DPIA_TRANSITIONS, DpiaStatus


def grant_list(*, actor: User) -> QuerySet[Grant]:
    return access.visible(actor, "grant", Grant.objects.select_related("hub")).order_by(
        "-starts_on", "reference"
    )


def access_grant_by_id(*, actor: User, grant_id: int) -> Grant:
    return access.fetch(actor, "grant", Grant.objects.select_related("hub"), grant_id)


def access_claim_by_id(*, actor: User, claim_id: int) -> Claim:
    return access.fetch(
        actor,
        "claim",
        Claim.objects.select_related(
            "grant__hub", "prepared_by", "checked_by", "submitted_by", "recorded_paid_by", "reconciled_by"
        ).prefetch_related(Prefetch("lines", queryset=_line_qs())),
        claim_id,
    )


def _line_qs() -> QuerySet[ClaimLine]:
    return ClaimLine.objects.select_related("post").order_by("post__order", "post_id")


@dataclass(frozen=True)
class PostRow:
    post: FundedPost
    costs: list[PostCost]
    holdings: list[PostHolding]

    def holder_on(self, day: date) -> PostHolding | None:
        for holding in self.holdings:
            if holding.starts_on <= day and (holding.ends_on is None or holding.ends_on >= day):
                return holding
        return None


@dataclass(frozen=True)
class ForecastRow:
    quarter: Period
    claim: Claim | None
    amount_pence: int  # the claim's amount, or what the posts as now held would cost
    remaining_after_pence: int

    @property
    def forecast(self) -> bool:
        return self.claim is None or self.claim.state not in COMMITTED_STATES

    @property
    def shortfall(self) -> bool:
        return self.remaining_after_pence < 0


@dataclass(frozen=True)
class GrantSummary:
    grant: Grant
    tables: list[YearTable]
    posts: list[PostRow]
    claims: list[Claim]
    forecast: list[ForecastRow]
    committed_pence: int
    today: date

    @property
    def stated_total_pence(self) -> int:
        return sum(t.stated_total_pence for t in self.tables)

    @property
    def components_pence(self) -> int:
        return sum(t.components_pence for t in self.tables)

    @property
    def remaining_pence(self) -> int:
        return self.grant.amount_pence - self.committed_pence

    @property
    def stated_matches_award(self) -> bool:
        return self.stated_total_pence == self.grant.amount_pence

    @property
    def rounded_years(self) -> list[YearTable]:
        return [t for t in self.tables if t.rounding_pence]

    @property
    def first_shortfall(self) -> ForecastRow | None:
        return next((row for row in self.forecast if row.shortfall), None)


def grant_summary(*, grant: Grant, today: date | None = None) -> GrantSummary:
    """The grant's tables rebuilt from its posts, its claims and a forecast per quarter to its end."""
    today = today or timezone.localdate()
    years = list(grant.years.all())
    posts = list(
        grant.posts.prefetch_related(
            Prefetch("costs", queryset=PostCost.objects.select_related("year").order_by("year__starts_on")),
            Prefetch("holdings", queryset=PostHolding.objects.select_related("holder").order_by("starts_on")),
        )
    )
    rows = [PostRow(post=p, costs=list(p.costs.all()), holdings=list(p.holdings.all())) for p in posts]
    tables = []
    for year in years:
        costs = [
            (c.salary_pence, c.overhead_pence) for row in rows for c in row.costs if c.year_id == year.pk
        ]
        tables.append(year_table(year.label, costs, year.stated_total_pence, year.stated_quarterly_pence))
    claims = list(grant.claims.select_related("prepared_by", "checked_by").order_by("number"))
    by_number = {c.number: c for c in claims}
    committed = sum(c.claimed_pence for c in claims if c.state in COMMITTED_STATES)
    forecast = []
    left = grant.amount_pence
    for quarter in quarters(grant.starts_on, grant.ends_on):
        claim = by_number.get(quarter.number)
        if claim is not None and claim.state in COMMITTED_STATES:
            amount = claim.claimed_pence
        else:
            in_year = next((y for y in years if y.starts_on <= quarter.starts_on <= y.ends_on), None)
            amount = 0
            for row in rows:
                annual = next((c.total_pence for c in row.costs if in_year and c.year_id == in_year.pk), 0)
                spans = [(h.starts_on, h.ends_on) for h in row.holdings]
                amount += quarter_cost(annual, quarter, spans).eligible_pence
        left -= amount
        forecast.append(
            ForecastRow(quarter=quarter, claim=claim, amount_pence=amount, remaining_after_pence=left)
        )
    return GrantSummary(
        grant=grant,
        tables=tables,
        posts=rows,
        claims=claims,
        forecast=forecast,
        committed_pence=committed,
        today=today,
    )


def claimable_quarters(*, grant: Grant, today: date | None = None) -> list[Period]:
    """Quarters that have ended and have no claim yet (claims are made in arrears)."""
    today = today or timezone.localdate()
    taken = set(grant.claims.values_list("number", flat=True))
    return [
        q for q in quarters(grant.starts_on, grant.ends_on) if q.ends_on < today and q.number not in taken
    ]


# --- decision records ------------------------------------------------------------------------------------
def decision_list(*, actor: User) -> QuerySet[DecisionRecord]:
    return access.visible(
        actor, "decision", DecisionRecord.objects.select_related("drafted_by", "approved_by")
    ).order_by("-drafted_at", "reference")


def access_decision_by_id(*, actor: User, decision_id: int) -> DecisionRecord:
    return access.fetch(
        actor,
        "decision",
        DecisionRecord.objects.select_related(
            "drafted_by", "approved_by", "published_by", "sharing_agreement"
        ).prefetch_related(
            Prefetch("declarations", queryset=DecisionDeclaration.objects.select_related("ticked_by")),
            "grants",
        ),
        decision_id,
    )


def decision_part2_for(*, actor: User, decision: DecisionRecord) -> DecisionPart2 | None:
    """The exempt Part 2, only for those the façade lets read it (None for everyone else, or none)."""
    if not access.may(actor, "decision.part2"):
        return None
    return DecisionPart2.objects.filter(decision=decision).first()


def has_part2(decision: DecisionRecord) -> bool:
    """Whether a Part 2 exists (said on the form, as the seed's form does), never its content."""
    return DecisionPart2.objects.filter(decision=decision).exists()


# --- the governance register -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterRow:
    kind: str
    record: Dpia | EqualityAssessment
    status: str
    owner: str
    review_due_on: date
    overdue: bool
    prompt: str = ""  # why to revisit it now ("" when nothing asks)

    @property
    def is_dpia(self) -> bool:
        return isinstance(self.record, Dpia)


def equality_flags(*, actor: User) -> list[str]:
    """The groups today's equality monitoring flags as over-represented (national figures, the adopted
    cohort, the default reference population), in words; [] for those who may not read the report."""
    if not access.may(actor, "equality.view"):
        return []
    national = equality_report(actor=actor, options=EqualityOptions()).scope("national")
    return [f"{row.label} ({table.label.lower()})" for table, row in national.flags] if national else []


def governance_register(
    *, actor: User, today: date | None = None, flags: list[str] | None = None
) -> list[RegisterRow]:
    """DPIAs and the latest version of each equality impact assessment, review dates and overdue flags;
    with `flags` (from `equality_flags`), each assessment is prompted to be revisited."""
    access.require(actor, "governance.view")
    today = today or timezone.localdate()
    prompt = (
        "Equality monitoring flags over-representation of " + "; ".join(flags) + ": revisit this assessment."
        if flags
        else ""
    )
    rows = [
        RegisterRow(
            "Data protection impact assessment",
            d,
            d.get_status_display(),
            d.owner.get_full_name() or d.owner.username,
            d.review_due_on,
            d.review_due_on < today,
        )
        for d in Dpia.objects.select_related("owner")
    ]
    latest: dict[str, EqualityAssessment] = {}
    for e in EqualityAssessment.objects.select_related("author").order_by("reference", "-version"):
        latest.setdefault(e.reference, e)
    rows += [
        RegisterRow(
            "Equality impact assessment",
            e,
            f"Version {e.version}, {e.assessed_on:%-d %B %Y}, monitoring period "
            f"{e.period_starts_on:%-d %B %Y} to {e.period_ends_on:%-d %B %Y}",
            e.author.get_full_name() or e.author.username,
            e.review_due_on,
            e.review_due_on < today,
            prompt,
        )
        for e in latest.values()
    ]
    return sorted(rows, key=lambda r: (not r.overdue, r.review_due_on))


@dataclass(frozen=True)
class PartySignOff:
    agency: Agency
    sign_off: AgreementSignOff | None


@dataclass(frozen=True)
class AgreementRow:
    """An agreement with each party's sign-off and why it is not in force today ("" when it is): the
    words of marsoc.sharing's one rule, the same the intelligence and nominal access rules apply."""

    agreement: SharingAgreement
    parties: list[PartySignOff]
    not_in_force: str

    @property
    def awaiting_sign_off(self) -> bool:
        return any(p.sign_off is None for p in self.parties)


def governance_agreements(*, actor: User, today: date | None = None) -> list[AgreementRow]:
    """The information-sharing agreements the actor may read, with their parties' sign-off."""
    access.require(actor, "governance.view")
    today = today or timezone.localdate()
    rows = []
    agreements = access.visible(
        actor, "agreement", SharingAgreement.objects.prefetch_related("parties", "sign_offs")
    ).order_by("reference")
    for agreement in agreements:
        signed = {s.agency_id: s for s in agreement.sign_offs.all() if s.signed_on <= today}
        parties = [
            PartySignOff(p, signed.get(p.pk)) for p in sorted(agreement.parties.all(), key=lambda a: a.name)
        ]
        rows.append(AgreementRow(agreement, parties, not_in_force_reason(agreement, today=today)))
    return rows


def access_agreement_for_sign_off(*, actor: User, agreement_id: int) -> SharingAgreement:
    """An agreement the actor may read and record sign-offs on (others answer as missing)."""
    agreement = access.fetch(actor, "agreement", SharingAgreement.objects.all(), agreement_id)
    access.require(actor, "agreement.manage")
    return agreement


def unsigned_party_choices(*, agreement: SharingAgreement) -> list[tuple[int, str]]:
    signed = AgreementSignOff.objects.filter(agreement=agreement).values("agency_id")
    return [(a.pk, a.name) for a in agreement.parties.exclude(pk__in=signed).order_by("name")]


def access_dpia_by_id(*, actor: User, dpia_id: int) -> Dpia:
    access.require(actor, "governance.manage")
    return access.fetch(actor, "dpia", Dpia.objects.select_related("owner"), dpia_id)


def dpia_next_statuses(*, dpia: Dpia) -> list[tuple[str, str]]:
    return [(s, DpiaStatus(s).label) for s in DpiaStatus.values if s in DPIA_TRANSITIONS[dpia.status]]
