"""Claims: computed from the posts, actuals entered or imported, four eyes, the state machine, the grant's
limit, and every refusal changing nothing."""

from datetime import date

import pytest

from marsoc.core.audit import AuditEvent
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.funding import services
from marsoc.funding.models import Claim, PostHolding
from marsoc.funding.selectors import grant_summary

from .helpers import funding_people, seed_grant

TODAY = date(2026, 1, 10)


@pytest.fixture
def world(db):
    people = funding_people()
    return people, seed_grant(people)


def _prepare(people, grant, number):
    return services.claim_prepare(actor=people["manager"], grant=grant, number=number, today=TODAY)


def _actuals(claim, delta=0):
    lines = list(claim.lines.all())
    values = {line.post_id: line.eligible_pence for line in lines}
    values[lines[0].post_id] += delta
    return values


def test_a_full_quarter_costs_a_quarter_of_each_posts_year(world):
    people, grant = world
    claim = _prepare(people, grant, 1)
    # (75,639 + 8,723 + 63,320 + 8,723 + 41,047 + 4,878) / 4 = 202,330 / 4 = £50,582.50
    assert claim.eligible_pence == 50_582_50
    assert [line.eligible_pence for line in claim.lines.all()] == [21_090_50, 18_010_75, 11_481_25]
    year_two = _prepare(people, grant, 5)
    assert year_two.eligible_pence == 50_820_00  # 203,280 / 4


def test_a_vacancy_and_a_late_start_are_pro_rata(world):
    people, grant = world
    researcher = grant.posts.get(reference="LDN-RES")
    holding = researcher.holdings.get()
    services.post_holding_end(actor=people["manager"], holding=holding, ends_on=date(2022, 3, 31))
    services.post_holding_add(
        actor=people["manager"], post=researcher, holder=holding.holder, starts_on=date(2022, 5, 16)
    )
    claim = _prepare(people, grant, 2)  # 1 April to 30 June 2022: held 46 of 91 days
    line = claim.lines.get(post=researcher)
    assert (line.days_held, line.days_in_quarter) == (46, 91)
    assert line.eligible_pence == 5_803_71  # 4,592,500 pence / 4 * 46 / 91 = 580,370.88 pence, rounded up


def test_a_post_held_by_two_people_at_once_is_refused(world):
    people, grant = world
    post = grant.posts.get(reference="LDN-MGR")
    with pytest.raises(ValidationFailed) as exc:
        services.post_holding_add(
            actor=people["manager"], post=post, holder=people["officer"], starts_on=date(2023, 6, 1)
        )
    assert "one holder at a time" in str(exc.value)
    assert PostHolding.objects.filter(post=post).count() == 1


def test_negative_salary_is_refused(world):
    people, grant = world
    data = services.PostInput(
        "X", "Analyst", "Band D", __import__("decimal").Decimal("1"), "", [(-1, 0), (0, 0)]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.funded_post_add(actor=people["manager"], grant=grant, data=data)
    assert "salary for 2021-2022 cannot be negative" in str(exc.value)
    assert grant.posts.count() == 3


@pytest.mark.parametrize("number", [0, 9, -1])
def test_a_quarter_outside_the_grant_is_refused(world, number):
    people, grant = world
    with pytest.raises(ValidationFailed) as exc:
        _prepare(people, grant, number)
    assert f"Quarter {number} is outside the grant, which has 8 quarters" in str(exc.value)
    assert not Claim.objects.exists()


def test_claims_are_in_arrears(world):
    people, grant = world
    with pytest.raises(ValidationFailed, match="in arrears"):
        services.claim_prepare(actor=people["manager"], grant=grant, number=1, today=date(2022, 3, 31))
    services.claim_prepare(actor=people["manager"], grant=grant, number=1, today=date(2022, 4, 1))
    with pytest.raises(ValidationFailed, match="already has a claim"):
        _prepare(people, grant, 1)


def test_the_journey_draft_checked_submitted_paid_reconciled(world):
    people, grant = world
    claim = _prepare(people, grant, 3)
    with pytest.raises(ValidationFailed, match="Enter the actual costs"):
        services.claim_check(actor=people["finance"], claim=claim)
    services.claim_set_actuals(
        actor=people["manager"], claim=claim, actuals=_actuals(claim, 250_00), explanation=""
    )
    with pytest.raises(ValidationFailed, match="explain the variance"):
        services.claim_check(actor=people["finance"], claim=claim)
    services.claim_set_actuals(
        actor=people["manager"], claim=claim, actuals=_actuals(claim, 250_00), explanation="Overtime"
    )
    with pytest.raises(PermissionDenied, match="someone other than the person who prepared it"):
        services.claim_check(actor=people["manager"], claim=claim)
    with pytest.raises(PermissionDenied, match="Only a finance officer"):
        services.claim_submit(actor=people["manager"], claim=claim)
    services.claim_check(actor=people["finance"], claim=claim)
    with pytest.raises(PermissionDenied, match="Only a draft"):
        services.claim_set_actuals(
            actor=people["manager"], claim=claim, actuals=_actuals(claim), explanation=""
        )
    claim = services.claim_submit(actor=people["finance"], claim=claim)
    assert claim.invoice_number == "PCD1258-Q3" and claim.claimed_pence == 50_582_50 + 250_00
    with pytest.raises(ValidationFailed, match="cannot be reconciled"):
        services.claim_reconcile(actor=people["finance"], claim=claim, note="")
    with pytest.raises(ValidationFailed, match="Enter the amount received"):
        services.claim_record_payment(
            actor=people["finance"], claim=claim, paid_on=date.today(), paid_pence=None
        )
    services.claim_record_payment(
        actor=people["finance"], claim=claim, paid_on=date.today(), paid_pence=50_000_00
    )
    with pytest.raises(ValidationFailed, match=r"The payment is £832\.50 less than the claim"):
        services.claim_reconcile(actor=people["finance"], claim=claim, note="")
    claim = services.claim_reconcile(actor=people["finance2"], claim=claim, note="Balance paid with Q4")
    assert claim.state == "reconciled"
    actions = list(
        AuditEvent.objects.filter(object_type="claim", object_id=str(claim.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "funding.claim.prepare", "funding.claim.actuals", "funding.claim.actuals", "funding.claim.check",
        "funding.claim.submit", "funding.claim.paid", "funding.claim.reconcile",
    ]  # fmt: skip


def test_a_returned_claim_is_checked_again_by_a_second_person(world):
    people, grant = world
    claim = _prepare(people, grant, 1)
    services.claim_set_actuals(actor=people["manager"], claim=claim, actuals=_actuals(claim), explanation="")
    services.claim_check(actor=people["finance"], claim=claim)
    with pytest.raises(ValidationFailed, match="Say why"):
        services.claim_return(actor=people["finance"], claim=claim, reason=" ")
    claim = services.claim_return(actor=people["finance"], claim=claim, reason="Wrong ledger period")
    assert claim.state == "draft" and claim.checked_by is None


def test_a_claim_above_the_remaining_grant_is_refused(world):
    people, grant = world
    for number in range(1, 8):
        claim = _prepare(people, grant, number)
        services.claim_set_actuals(
            actor=people["manager"], claim=claim, actuals=_actuals(claim), explanation=""
        )
        services.claim_check(actor=people["finance"], claim=claim)
    last = _prepare(people, grant, 8)
    # 405,608 - 4 x 50,582.50 - 3 x 50,820 = 50,818: the posts cost £50,820, £2 more than is left.
    assert grant_summary(grant=grant, today=TODAY).remaining_pence == 50_818_00
    with pytest.raises(ValidationFailed) as exc:
        services.claim_set_actuals(
            actor=people["manager"], claim=last, actuals=_actuals(last), explanation=""
        )
    assert "The claim of £50,820 is more than the £50,818 left of the grant" in str(exc.value)
    last.refresh_from_db()
    assert last.actual_pence is None and all(line.actual_pence is None for line in last.lines.all())
    with pytest.raises(ValidationFailed, match="more than the £50,818 left"):
        services.claim_check(actor=people["finance"], claim=last)  # the computed cost is too much, too
    services.claim_set_actuals(
        actor=people["manager"],
        claim=last,
        actuals=_actuals(last, -2_00),
        explanation="Limited to the grant",
    )
    services.claim_check(actor=people["finance"], claim=last)
    assert grant_summary(grant=grant, today=TODAY).remaining_pence == 0


CSV_OK = b'post,amount,explanation\nLDN-MGR,"21,090.50",\nLDN-OFF,18010.75,\nLDN-RES,11481.25,\n'


def test_actuals_import_is_atomic_idempotent_and_names_bad_rows(world):
    people, grant = world
    claim = _prepare(people, grant, 1)
    bad = b"post,amount\nLDN-MGR,21090.50\nLDN-XXX,10\nLDN-OFF,12.345\nLDN-MGR,1\n"
    with pytest.raises(ValidationFailed) as exc:
        services.claim_import_actuals(actor=people["manager"], claim=claim, content=bad, filename="q1.csv")
    problems = exc.value.errors["file"]
    assert (
        "Row 3, post: “LDN-XXX” is not a post of this grant (its posts: LDN-MGR, LDN-OFF, LDN-RES)"
        in problems
    )
    assert "Row 4, amount: “12.345” has more than two decimal places" in problems
    assert "Row 5, post: LDN-MGR appears more than once" in problems
    assert "The file has no row for post LDN-RES (Band E Researcher)" in problems
    claim.refresh_from_db()
    assert claim.actual_pence is None
    result = services.claim_import_actuals(
        actor=people["manager"], claim=claim, content=CSV_OK, filename="q1.csv"
    )
    assert result.changed and result.claim.actual_pence == 50_582_50 and result.claim.variance_pence == 0
    entries = AuditEvent.objects.filter(action="funding.claim.actuals").count()
    again = services.claim_import_actuals(
        actor=people["manager"], claim=claim, content=CSV_OK, filename="q1.csv"
    )
    assert not again.changed
    assert AuditEvent.objects.filter(action="funding.claim.actuals").count() == entries


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,value\nx,1\n", "needs the columns post and amount"),
        (b"\xff\xfep\x00o\x00", "not UTF-8"),
        (b"post,amount\nLDN-MGR,-5\nLDN-OFF,1\nLDN-RES,1\n", "cannot be negative"),
    ],
)
def test_broken_files_are_refused_whole(world, content, message):
    people, grant = world
    claim = _prepare(people, grant, 1)
    with pytest.raises(ValidationFailed, match=message):
        services.claim_import_actuals(actor=people["manager"], claim=claim, content=content, filename="x.csv")


def test_only_the_hub_and_the_national_team_reach_a_claim(world):
    people, grant = world
    claim = _prepare(people, grant, 1)
    for key in ("yorkshire_finance", "officer"):
        with pytest.raises((NotFoundOrForbidden, PermissionDenied)):
            services.claim_set_actuals(
                actor=people[key], claim=claim, actuals=_actuals(claim), explanation=""
            )
    with pytest.raises(NotFoundOrForbidden):
        services.claim_prepare(actor=people["board"], grant=grant, number=2, today=TODAY)


def test_the_forecast_runs_to_the_end_and_finds_the_shortfall(world):
    _people, grant = world
    summary = grant_summary(grant=grant, today=TODAY)
    assert len(summary.forecast) == 8
    assert [row.amount_pence for row in summary.forecast] == [50_582_50] * 4 + [50_820_00] * 4
    assert summary.forecast[-1].remaining_after_pence == -2_00
    assert summary.first_shortfall.quarter.number == 8
