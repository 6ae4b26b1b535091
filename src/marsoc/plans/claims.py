"""Outcome claims decided together at the tasking meeting: one form for every claim awaiting validation,
nothing pre-selected, a claim with no decision chosen left for later. All or nothing: every claim's
problem is reported at once, named by claim, and nothing is saved unless every chosen decision stands."""

from dataclasses import dataclass

from django.db import transaction

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed

from .models import Meeting
from .selectors import outcome_claim_by_id
from .services import outcome_decide, outcome_merge

DECISIONS = [("validate", "Validate"), ("reject", "Reject"), ("merge", "Merge as a duplicate")]


@dataclass(frozen=True)
class ClaimDecision:
    outcome_id: int
    decision: str  # one of DECISIONS, or "" to leave the claim for later
    reason: str = ""
    into: str = ""  # the claim number it duplicates, as typed


def _into(raw: str) -> int | None:
    raw = raw.strip().lstrip("#")
    return int(raw) if raw.isdigit() else None


def claims_decide(*, actor: User, meeting: Meeting, decisions: list[ClaimDecision]) -> int:
    """Record each chosen decision (validate, reject, merge) at `meeting`; return how many were recorded.
    Errors are keyed `decision_<id>`, `reason_<id>` and `into_<id>` (the form's fields)."""
    chosen = [d for d in decisions if d.decision]
    if not chosen:
        raise ValidationFailed({"__all__": "Choose a decision for at least one claim"})
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        for d in chosen:
            outcome = outcome_claim_by_id(d.outcome_id)
            if outcome is None or not access.may(actor, "outcome.validate", outcome.action.plan.nominal):
                raise NotFoundOrForbidden(f"outcome {d.outcome_id}")
            pk = outcome.pk
            try:
                if d.decision not in dict(DECISIONS):
                    raise ValidationFailed({"decision": "Choose validate, reject or merge"})
                if d.decision == "merge":
                    if d.into.strip() and _into(d.into) is None:
                        raise ValidationFailed({"into": "Enter the claim number as digits, for example 12"})
                    outcome_merge(
                        actor=actor, outcome=outcome, into_id=_into(d.into), reason=d.reason, meeting=meeting
                    )
                else:
                    outcome_decide(
                        actor=actor,
                        outcome=outcome,
                        validate=d.decision == "validate",
                        reason=d.reason,
                        meeting=meeting,
                    )
            except ValidationFailed as exc:
                for name, messages in exc.errors.items():
                    target = name if name in ("reason", "into") else "decision"
                    errors.setdefault(f"{target}_{pk}", []).extend(f"Claim #{pk}: {m}" for m in messages)
        if errors:
            raise ValidationFailed(errors)  # inside the transaction: the decisions already made roll back
    return len(chosen)
