"""Quarterly claims: prepared from the posts, given their actual costs, checked by a second person,
invoiced, paid and reconciled. Each move is one transaction that locks the grant, so two claims can never
both spend the same remaining money."""

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.guards import require_or_refuse
from marsoc.core.records import save_audited
from marsoc.core.text import control_character_problem

from ..calculation import Period, quarter_cost, quarters
from ..models import Claim, ClaimLine, FundedPost, Grant, PostCost
from ..money import MoneyError, parse_pounds, pounds
from ..vocabulary import CLAIM_TRANSITIONS, COMMITTED_STATES, ClaimState

MAX_EXPLANATION = 4000
MAX_IMPORT_BYTES = 1_000_000


def _lock_grant(grant_id: int) -> Grant:
    return Grant.objects.select_for_update().get(pk=grant_id)


def _locked(actor: User, claim: Claim) -> Claim:
    """The claim, locked with its grant (grant first: every claim service takes the locks in this order)."""
    _lock_grant(claim.grant_id)
    locked = Claim.objects.select_for_update().select_related("grant").filter(pk=claim.pk).first()
    if locked is None or not access.is_visible(actor, "claim", locked):
        raise NotFoundOrForbidden("claim")
    return locked


def _lock_claim(actor: User, claim: Claim, rule: str) -> Claim:
    """The claim, locked, for an actor the rule allows on it (PermissionDenied with its reason otherwise)."""
    locked = _locked(actor, claim)
    access.require(actor, rule, locked, hide=False)
    return locked


def _move(claim: Claim, to: ClaimState) -> None:
    if to not in CLAIM_TRANSITIONS[claim.state]:
        raise ValidationFailed(
            {"state": f"A claim that is {claim.get_state_display().lower()} cannot be {to.label.lower()}"}
        )
    claim.state = to


def remaining_pence(grant: Grant, *, excluding: Claim | None = None) -> int:
    """The grant not yet spoken for by checked, submitted, paid or reconciled claims."""
    committed = grant.claims.filter(state__in=COMMITTED_STATES)
    if excluding is not None:
        committed = committed.exclude(pk=excluding.pk)
    paid = 0
    for claim in committed.only("actual_pence", "eligible_pence"):
        paid += claim.claimed_pence
    return grant.amount_pence - paid


def remaining_after(claim: Claim) -> int:
    """What the grant leaves for this claim (a read for the claim page)."""
    return remaining_pence(claim.grant, excluding=claim)


def _within_remaining(claim: Claim, errors: dict[str, str]) -> None:
    left = remaining_pence(claim.grant, excluding=claim)
    if claim.claimed_pence > left:
        errors["amount"] = (
            f"The claim of {pounds(claim.claimed_pence)} is more than the {pounds(left)} left of the grant: "
            "enter actual costs of no more than that and explain the difference"
        )


def _quarter(grant: Grant, number: int) -> Period:
    found = quarters(grant.starts_on, grant.ends_on)
    if not 1 <= number <= len(found):
        raise ValidationFailed(
            {
                "number": f"Quarter {number} is outside the grant, which has {len(found)} quarters "
                f"({grant.starts_on:%-d %B %Y} to {grant.ends_on:%-d %B %Y})"
            }
        )
    return found[number - 1]


def _lines(grant: Grant, quarter: Period) -> list[tuple[FundedPost, int, int, int]]:
    """(post, days held, days in the quarter, eligible pence) for every post of the grant."""
    year = grant.years.filter(starts_on__lte=quarter.starts_on, ends_on__gte=quarter.starts_on).first()
    found = []
    for post in grant.posts.prefetch_related("holdings"):
        cost = PostCost.objects.filter(post=post, year=year).first() if year is not None else None
        annual = cost.total_pence if cost is not None else 0
        line = quarter_cost(annual, quarter, [(h.starts_on, h.ends_on) for h in post.holdings.all()])
        found.append((post, line.days_held, line.days_in_quarter, line.eligible_pence))
    return found


@transaction.atomic
def claim_prepare(*, actor: User, grant: Grant, number: int, today: date | None = None) -> Claim:
    """A draft claim for quarter `number`, in arrears: its eligible cost computed from the posts."""
    access.require(actor, "claim.prepare", grant)
    grant = _lock_grant(grant.pk)
    quarter = _quarter(grant, number)
    today = today or timezone.localdate()
    if quarter.ends_on >= today:
        raise ValidationFailed(
            {
                "number": f"Claims are made in arrears: quarter {number} ends on "
                f"{quarter.ends_on:%-d %B %Y}, so it can be claimed from the day after"
            }
        )
    if grant.claims.filter(number=number).exists():
        raise ValidationFailed({"number": f"Quarter {number} already has a claim"})
    lines = _lines(grant, quarter)
    claim = Claim.objects.create(
        grant=grant,
        number=number,
        starts_on=quarter.starts_on,
        ends_on=quarter.ends_on,
        eligible_pence=sum(line[3] for line in lines),
        prepared_by=actor,
        prepared_at=timezone.now(),
    )
    ClaimLine.objects.bulk_create(
        ClaimLine(claim=claim, post=post, days_held=held, days_in_quarter=days, eligible_pence=pence)
        for post, held, days, pence in lines
    )
    audit_about(
        actor,
        AuditAction.CLAIM_PREPARE,
        claim,
        details={"grant": grant.reference, "quarter": number, "eligible_pence": claim.eligible_pence},
    )
    return claim


@transaction.atomic
def claim_recompute(*, actor: User, claim: Claim) -> Claim:
    """Compute a draft again from the posts (after a holding changed); actuals entered are kept."""
    locked = _lock_claim(actor, claim, "claim.edit")
    before = locked.eligible_pence
    existing = {line.post_id: line for line in locked.lines.all()}
    total = 0
    for post, held, days, pence in _lines(locked.grant, _quarter(locked.grant, locked.number)):
        line = existing.get(post.pk) or ClaimLine(claim=locked, post=post)
        line.days_held, line.days_in_quarter, line.eligible_pence = held, days, pence
        line.save()
        total += pence
    return save_audited(
        actor,
        AuditAction.CLAIM_RECOMPUTE,
        locked,
        {"eligible_pence": total},
        details={"was_pence": before, "eligible_pence": total},
    )


def _explanation_problem(text: str) -> str:
    if len(text) > MAX_EXPLANATION:
        return f"The explanation must be {MAX_EXPLANATION:,} characters or fewer"
    problem = control_character_problem(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    return f"The explanation {problem}" if problem else ""


def _apply_actuals(
    actor: User, claim: Claim, actuals: Mapping[int, int], explanation: str, *, source: str, digest: str
) -> Claim:
    lines = list(claim.lines.select_related("post"))
    errors: dict[str, str] = {}
    by_post = {line.post_id: line for line in lines}
    for post_id in actuals:
        if post_id not in by_post:
            errors[f"post.{post_id}"] = "That post is not part of this claim"
    for line in lines:
        amount = actuals.get(line.post_id)
        if amount is None:
            errors[f"post.{line.post_id}"] = f"Enter the actual cost of {line.post.role}"
        elif amount < 0:
            errors[f"post.{line.post_id}"] = f"The actual cost of {line.post.role} cannot be negative"
    explanation = explanation.strip()
    if problem := _explanation_problem(explanation):
        errors["explanation"] = problem
    if errors:
        raise ValidationFailed(errors)
    claim.actual_pence = sum(actuals[line.post_id] for line in lines)
    claim.variance_explanation = explanation
    _within_remaining(claim, errors)
    if errors:
        raise ValidationFailed(errors)
    for line in lines:
        line.actual_pence = actuals[line.post_id]
        line.save(update_fields=["actual_pence"])
    changes = {
        "actual_pence": claim.actual_pence,  # set above for the check against the money remaining
        "variance_explanation": explanation,
        "actuals_source": source,
        "actuals_digest": digest,
    }
    details = {"actual_pence": claim.actual_pence, "source": source}
    return save_audited(actor, AuditAction.CLAIM_ACTUALS, claim, changes, details=details)


@transaction.atomic
def claim_set_actuals(*, actor: User, claim: Claim, actuals: Mapping[int, int], explanation: str) -> Claim:
    """Actual costs per post (pence), typed in, with the explanation of any variance."""
    locked = _lock_claim(actor, claim, "claim.edit")
    return _apply_actuals(actor, locked, actuals, explanation, source="Entered by hand", digest="")


@dataclass(frozen=True)
class ActualsImport:
    claim: Claim
    changed: bool  # False when this very file had already been imported (nothing was written)
    rows: int


IMPORT_COLUMNS = ("post", "amount")


def _parse_actuals_csv(claim: Claim, content: bytes) -> tuple[dict[int, int], str, int]:
    """(actuals by post id, explanation, data rows) or ValidationFailed naming every bad row."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed({"file": f"The file must be smaller than {MAX_IMPORT_BYTES // 1000:,} KB"})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            {
                "file": f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read): save it as CSV UTF-8"
            }
        ) from None
    if "\x00" in text:
        raise ValidationFailed({"file": "The file contains NUL bytes: it is not a CSV file"})
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            {"file": f"Row 1: the file needs the columns post and amount (missing: {', '.join(missing)})"}
        )
    posts = {p.reference.lower(): p for p in claim.grant.posts.all()}
    problems: list[str] = []
    actuals: dict[int, int] = {}
    explanation = ""
    rows = 0
    mentioned: set[int] = set()
    for number, raw in enumerate(reader, start=2):
        row = {
            (k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items()
        }
        if not any(row.values()):
            continue
        rows += 1
        reference = row.get("post", "")
        post = posts.get(reference.lower())
        if post is None:
            known = ", ".join(sorted(p.reference for p in posts.values()))
            problems.append(
                f"Row {number}, post: “{reference}” is not a post of this grant (its posts: {known})"
            )
            continue
        if post.pk in mentioned:
            problems.append(f"Row {number}, post: {post.reference} appears more than once")
            continue
        mentioned.add(post.pk)
        try:
            amount = parse_pounds(row.get("amount", ""))
        except MoneyError as exc:
            problems.append(f"Row {number}, amount: {exc}")
            continue
        if amount < 0:
            problems.append(f"Row {number}, amount: the actual cost cannot be negative")
            continue
        actuals[post.pk] = amount
        if row.get("explanation"):
            explanation = (explanation + "\n" + row["explanation"]).strip()
    for post in posts.values():
        if post.pk not in mentioned:
            problems.append(f"The file has no row for post {post.reference} ({post.role})")
    if problems:
        raise ValidationFailed({"file": problems})
    return actuals, explanation, rows


@transaction.atomic
def claim_import_actuals(*, actor: User, claim: Claim, content: bytes, filename: str) -> ActualsImport:
    """Actual costs from a finance ledger extract (CSV: post, amount, optional explanation). All rows or
    none; importing the same file again changes nothing."""
    locked = _lock_claim(actor, claim, "claim.edit")
    digest = hashlib.sha256(content).hexdigest()
    if locked.actuals_digest == digest:
        return ActualsImport(claim=locked, changed=False, rows=locked.lines.count())
    actuals, explanation, rows = _parse_actuals_csv(locked, content)
    safe_name = "".join(c for c in filename if c.isprintable())[:120] or "upload"
    _apply_actuals(
        actor,
        locked,
        actuals,
        explanation or locked.variance_explanation,
        source=f"Imported from {safe_name}",
        digest=digest,
    )
    return ActualsImport(claim=locked, changed=True, rows=rows)


@transaction.atomic
def claim_check(*, actor: User, claim: Claim) -> Claim:
    """A second person confirms the claim: actuals given, any variance explained, within the grant."""
    locked = _lock_claim(actor, claim, "claim.check")
    errors: dict[str, str] = {}
    _move(locked, ClaimState.CHECKED)
    if locked.actual_pence is None:
        errors["actuals"] = "Enter the actual costs before the claim is checked"
    elif locked.variance_pence and not locked.variance_explanation:
        errors["explanation"] = (
            f"The actual costs differ from the eligible cost by {pounds(locked.variance_pence)}: "
            "explain the variance before the claim is checked"
        )
    _within_remaining(locked, errors)
    if errors:
        raise ValidationFailed(errors)
    return save_audited(
        actor,
        AuditAction.CLAIM_CHECK,
        locked,
        {"state": locked.state, "checked_by": actor, "checked_at": timezone.now()},
        details={"claimed_pence": locked.claimed_pence},
    )


@transaction.atomic
def claim_return(*, actor: User, claim: Claim, reason: str) -> Claim:
    """Send a checked claim back to draft for correction, saying why."""
    locked = _locked(actor, claim)
    require_or_refuse(actor, "claim.prepare", locked.grant, refusal="You cannot return this claim")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the claim is going back to draft"})
    if problem := _explanation_problem(reason):
        raise ValidationFailed({"reason": problem.replace("explanation", "reason")})
    _move(locked, ClaimState.DRAFT)
    changes = {"state": locked.state, "checked_by": None, "checked_at": None}
    return save_audited(actor, AuditAction.CLAIM_RETURN, locked, changes, details={"reason": reason})


@transaction.atomic
def claim_submit(*, actor: User, claim: Claim) -> Claim:
    """Invoice the funder for a checked claim."""
    locked = _lock_claim(actor, claim, "claim.finance")
    errors: dict[str, str] = {}
    _move(locked, ClaimState.SUBMITTED)
    _within_remaining(locked, errors)
    if errors:
        raise ValidationFailed(errors)
    invoice = f"{locked.grant.reference}-Q{locked.number}".replace(" ", "")
    return save_audited(
        actor,
        AuditAction.CLAIM_SUBMIT,
        locked,
        {
            "state": locked.state,
            "invoice_number": invoice,
            "submitted_by": actor,
            "submitted_at": timezone.now(),
        },
        details={"invoice": invoice, "claimed_pence": locked.claimed_pence},
    )


@transaction.atomic
def claim_record_payment(
    *, actor: User, claim: Claim, paid_on: date | None, paid_pence: int | None, today: date | None = None
) -> Claim:
    """The funder's payment as received."""
    locked = _lock_claim(actor, claim, "claim.finance")
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    _move(locked, ClaimState.PAID)
    if paid_on is None:
        errors["paid_on"] = "Enter the date the payment was received"
    elif paid_on > today:
        errors["paid_on"] = "The date the payment was received must be today or in the past"
    elif locked.submitted_at is not None and paid_on < timezone.localtime(locked.submitted_at).date():
        errors["paid_on"] = "The payment cannot have been received before the claim was submitted"
    if paid_pence is None:
        errors["paid_amount"] = "Enter the amount received"
    elif paid_pence <= 0:
        errors["paid_amount"] = "The amount received must be more than £0"
    if errors:
        raise ValidationFailed(errors)
    return save_audited(
        actor,
        AuditAction.CLAIM_PAID,
        locked,
        {"state": locked.state, "paid_on": paid_on, "paid_pence": paid_pence, "recorded_paid_by": actor},
        details={"paid_pence": paid_pence, "paid_on": paid_on and paid_on.isoformat()},
    )


@transaction.atomic
def claim_reconcile(*, actor: User, claim: Claim, note: str) -> Claim:
    """Match the payment to the claim; a difference needs a note saying how it was settled."""
    locked = _lock_claim(actor, claim, "claim.finance")
    _move(locked, ClaimState.RECONCILED)
    note = note.strip()
    assert locked.paid_pence is not None
    difference = locked.paid_pence - locked.claimed_pence
    if problem := _explanation_problem(note):
        raise ValidationFailed({"note": problem.replace("explanation", "note")})
    if difference and not note:
        raise ValidationFailed(
            {
                "note": f"The payment is {pounds(abs(difference))} {'more' if difference > 0 else 'less'} "
                "than the claim: say how the difference was settled"
            }
        )
    changes = {
        "state": locked.state,
        "reconciled_by": actor,
        "reconciled_at": timezone.now(),
        "reconciliation_note": note,
    }
    return save_audited(
        actor, AuditAction.CLAIM_RECONCILE, locked, changes, details={"difference_pence": difference}
    )


def claim_invoice_record(*, actor: User, claim: Claim, surface: str) -> None:
    audit_about(actor, AuditAction.CLAIM_INVOICE, claim, surface=surface)
