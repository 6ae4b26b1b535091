"""Writes for calibration exercises: setting one up, assessors' score sheets, opening and closing it, and
the records of reading its results."""

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.guards import require_or_refuse
from marsoc.core.identifiers import IdentifierError, IdentifierType, normalise

from ..method import score
from ..models import (
    CalibrationAssignment,
    CalibrationExercise,
    CalibrationResponse,
    CalibrationStatus,
    CalibrationVignette,
    ScoringMethod,
)
from ..selectors import ExerciseResults
from ..specs import method_spec
from .methods import active_method

MIN_CALIBRATION_VIGNETTES = 2
MIN_CALIBRATION_HUBS = 2


class SheetLocked(PermissionDenied):
    """The score sheet cannot change: it was submitted, or the exercise is not open for scoring."""


def _require_manager(actor: User) -> None:
    require_or_refuse(
        actor, "calibration.manage", refusal="Only the national team can run calibration exercises"
    )


def _audit_calibration(
    actor: User,
    action: AuditAction,
    exercise: CalibrationExercise,
    details: dict[str, object] | None = None,
) -> None:
    audit_about(
        actor,
        action,
        exercise,
        object_type="calibration_exercise",
        justification="Calibration of assessors",
        details=details or {},
    )


def calibration_create(
    *,
    actor: User,
    name: str,
    opens_on: date | None,
    closes_on: date | None,
    description: str = "",
    method: ScoringMethod | None = None,
) -> CalibrationExercise:
    """A new exercise in draft, scored with `method` (the active method unless another is given)."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter a name for the exercise"
    if opens_on is None:
        errors["opens_on"] = "Enter the date scoring opens"
    if closes_on is None:
        errors["closes_on"] = "Enter the date scoring closes"
    elif opens_on is not None and closes_on < opens_on:
        errors["closes_on"] = "The closing date must be the same as or after the opening date"
    elif closes_on < timezone.localdate():
        errors["closes_on"] = "The closing date must be today or in the future"
    if method is None:
        try:
            method = active_method()
        except ValidationFailed as exc:
            errors["method"] = exc.errors["method"][0]
    if errors:
        raise ValidationFailed(errors)
    assert method is not None and opens_on is not None and closes_on is not None
    with transaction.atomic():
        exercise = CalibrationExercise.objects.create(
            name=name.strip(),
            description=description.strip(),
            method=method,
            created_by=actor,
            created_at=timezone.now(),
            opens_on=opens_on,
            closes_on=closes_on,
        )
        _audit_calibration(
            actor,
            AuditAction.CALIBRATION_CREATE,
            exercise,
            {"name": exercise.name, "method": f"{method.code} v{method.version}"},
        )
    return exercise


def calibration_vignette_add(
    *, actor: User, exercise: CalibrationExercise, title: str, narrative: str, confirm_invented: bool = False
) -> CalibrationVignette:
    """Add an invented case to a draft exercise. Text that looks like a PNC, CRO, prison number or CRN is
    refused unless the analyst confirms it is invented: vignettes must never describe a real person."""
    _require_manager(actor)
    if exercise.status != CalibrationStatus.DRAFT:
        raise PermissionDenied("Vignettes can only be added while the exercise is a draft")
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Enter a title for the vignette"
    if not narrative.strip():
        errors["narrative"] = "Enter the narrative of the case"
    elif not confirm_invented:
        found = identifier_like(narrative)
        if found:
            listed = ", ".join(f"{label} {value}" for label, value in found[:3])
            errors["narrative"] = (
                f"The narrative contains what looks like an identifier ({listed}): vignettes must be "
                "anonymised. Remove it, or confirm that it is invented"
            )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = CalibrationExercise.objects.select_for_update().get(pk=exercise.pk)
        position = (locked.vignettes.aggregate(top=Max("position"))["top"] or 0) + 1
        vignette = CalibrationVignette.objects.create(
            exercise=locked, position=position, title=title.strip(), narrative=narrative.strip()
        )
        _audit_calibration(
            actor,
            AuditAction.CALIBRATION_VIGNETTE_ADD,
            exercise,
            {
                "vignette": vignette.pk,
                "title": vignette.title,
                "identifier_warning_overridden": confirm_invented,
            },
        )
    return vignette


def calibration_assign(
    *, actor: User, exercise: CalibrationExercise, assessors: Sequence[User]
) -> list[CalibrationAssignment]:
    """Give each person a score sheet (draft or open exercises). Already assigned people are skipped."""
    _require_manager(actor)
    if exercise.status == CalibrationStatus.CLOSED:
        raise PermissionDenied("The exercise is closed")
    if not assessors:
        raise ValidationFailed({"assessors": "Select at least one assessor"})
    refused = [a.username for a in assessors if not access.may(a, "calibration.assessor")]
    if refused:
        raise ValidationFailed(
            {"assessors": f"Not an assessor in a hub (hub manager, officer or analyst): {', '.join(refused)}"}
        )
    now = timezone.now()
    with transaction.atomic():
        existing = set(exercise.assignments.values_list("assessor_id", flat=True))
        created = CalibrationAssignment.objects.bulk_create(
            [
                CalibrationAssignment(
                    exercise=exercise, assessor=a, hub_id=hub_id, assigned_by=actor, assigned_at=now
                )
                for a in assessors
                if a.pk not in existing and (hub_id := a.hub_id) is not None
            ]
        )
        _audit_calibration(
            actor,
            AuditAction.CALIBRATION_ASSIGN,
            exercise,
            {"assessors": sorted(a.username for a in assessors if a.pk not in existing)},
        )
    return created


def calibration_unassign(*, actor: User, exercise: CalibrationExercise, assessor: User) -> None:
    """Take a person off a draft exercise (nobody has scored yet)."""
    _require_manager(actor)
    if exercise.status != CalibrationStatus.DRAFT:
        raise PermissionDenied("Assessors can only be removed while the exercise is a draft")
    with transaction.atomic():
        deleted, _ = CalibrationAssignment.objects.filter(exercise=exercise, assessor=assessor).delete()
        if deleted:
            _audit_calibration(
                actor, AuditAction.CALIBRATION_UNASSIGN, exercise, {"assessor": assessor.username}
            )


def _locked_while(exercise: CalibrationExercise, status: str, refusal: str) -> CalibrationExercise:
    """The exercise row, locked, if it is still `status` (PermissionDenied with `refusal` otherwise)."""
    locked = CalibrationExercise.objects.select_for_update().get(pk=exercise.pk)
    if locked.status != status:
        raise PermissionDenied(refusal)
    return locked


def calibration_open(*, actor: User, exercise: CalibrationExercise) -> CalibrationExercise:
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_while(exercise, CalibrationStatus.DRAFT, "Only a draft exercise can be opened")
        errors: dict[str, str] = {}
        if locked.vignettes.count() < MIN_CALIBRATION_VIGNETTES:
            errors["vignettes"] = f"Add at least {MIN_CALIBRATION_VIGNETTES} vignettes before opening"
        hubs = set(locked.assignments.values_list("hub_id", flat=True))
        if len(hubs) < MIN_CALIBRATION_HUBS:
            errors["assessors"] = f"Assign assessors from at least {MIN_CALIBRATION_HUBS} hubs before opening"
        if locked.closes_on < timezone.localdate():
            errors["closes_on"] = "The closing date has passed: set up a new exercise"
        if errors:
            raise ValidationFailed(errors)
        locked.status = CalibrationStatus.OPEN
        locked.opened_at = timezone.now()
        locked.save(update_fields=["status", "opened_at"])
        _audit_calibration(actor, AuditAction.CALIBRATION_OPEN, locked)
    return locked


def calibration_close(*, actor: User, exercise: CalibrationExercise) -> CalibrationExercise:
    """Close scoring; results come from the sheets submitted by now (unsubmitted ones are left out)."""
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_while(exercise, CalibrationStatus.OPEN, "Only an open exercise can be closed")
        locked.status = CalibrationStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        sheets = locked.assignments.all()
        _audit_calibration(
            actor,
            AuditAction.CALIBRATION_CLOSE,
            locked,
            {"assigned": sheets.count(), "submitted": sheets.filter(submitted_at__isnull=False).count()},
        )
    return locked


def _locked_sheet(actor: User, exercise: CalibrationExercise) -> CalibrationAssignment:
    """The actor's own sheet, locked for update, if it may still change."""
    sheet = (
        CalibrationAssignment.objects.select_for_update()
        .select_related("exercise")
        .filter(exercise_id=exercise.pk, assessor_id=actor.pk)
        .first()
    )
    if sheet is None or not access.may(actor, "calibration.assessor"):
        raise NotFoundOrForbidden(f"calibration exercise {exercise.pk}")
    current = sheet.exercise
    if current.status != CalibrationStatus.OPEN:
        raise SheetLocked("The exercise is not open for scoring")
    if current.closes_on < timezone.localdate():
        raise SheetLocked(f"Scoring closed on {current.closes_on:%d %B %Y}")
    if sheet.submitted_at is not None:
        raise SheetLocked("You have submitted your scores: a submitted sheet cannot be changed")
    return sheet


def calibration_scores_save(
    *,
    actor: User,
    exercise: CalibrationExercise,
    responses: Mapping[int, Mapping[str, int | None]],
) -> CalibrationAssignment:
    """Save the assessor's levels for one or more vignettes (vignette id -> factor code -> level, None
    for not yet scored). A vignette's levels are replaced as given; its score is computed once every
    factor has a level. Everything is checked first; one bad level saves nothing."""
    # Not yours: the same answer as a missing exercise, before anything about it is checked or said.
    if (
        not access.may(actor, "calibration.assessor")
        or not exercise.assignments.filter(assessor_id=actor.pk).exists()
    ):
        raise NotFoundOrForbidden(f"calibration exercise {exercise.pk}")
    spec = method_spec(exercise.method)
    vignettes = set(exercise.vignettes.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    clean: dict[int, dict[str, int]] = {}
    for vignette_id, levels in responses.items():
        if vignette_id not in vignettes:
            errors.setdefault("vignette", []).append(f"Vignette {vignette_id} is not part of this exercise")
            continue
        given = {code: level for code, level in levels.items() if level is not None}
        for code, level in given.items():
            try:
                factor = spec.factor(code)
            except KeyError:
                errors.setdefault("levels", []).append(f"Unknown factor '{code}'")
                continue
            if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= factor.max_level:
                errors.setdefault(f"level_{code}", []).append(
                    f"{factor.name} must be a level from 0 to {factor.max_level}"
                )
        clean[vignette_id] = given
    if not responses:
        errors["levels"] = ["Give at least one vignette's levels"]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        sheet = _locked_sheet(actor, exercise)
        complete = 0
        for vignette_id, levels in clean.items():
            value = None
            if len(levels) == len(spec.factors):
                value = Decimal(str(score(spec, levels).score))
                complete += 1
            CalibrationResponse.objects.update_or_create(
                assignment=sheet,
                vignette_id=vignette_id,
                defaults={"levels": levels, "score": value, "saved_at": now},
            )
        _audit_calibration(
            actor,
            AuditAction.CALIBRATION_SCORES_SAVE,
            exercise,
            {"vignettes": sorted(clean), "complete": complete},
        )
    return sheet


def calibration_sheet_submit(*, actor: User, exercise: CalibrationExercise) -> CalibrationAssignment:
    """Submit the assessor's sheet: every vignette fully scored. From now on it never changes."""
    with transaction.atomic():
        sheet = _locked_sheet(actor, exercise)
        scored = set(sheet.responses.filter(score__isnull=False).values_list("vignette_id", flat=True))
        missing = [v for v in exercise.vignettes.order_by("position") if v.pk not in scored]
        if missing:
            raise ValidationFailed(
                {
                    "sheet": [
                        f"Score every factor of vignette {v.position} ({v.title}) before submitting"
                        for v in missing
                    ]
                }
            )
        sheet.submitted_at = timezone.now()
        sheet.save(update_fields=["submitted_at"])
        _audit_calibration(actor, AuditAction.CALIBRATION_SHEET_SUBMIT, exercise, {"vignettes": len(scored)})
    return sheet


_IDENTIFIER_SHAPES: tuple[tuple[IdentifierType, re.Pattern[str]], ...] = (
    (IdentifierType.PNC, re.compile(r"(?<![\w/])(?:\d{2}|\d{4})/\d{1,7}[A-Z](?![\w/])", re.IGNORECASE)),
    (
        IdentifierType.CRO,
        re.compile(r"(?<![\w/])(?:\d{1,6}/\d{2}[A-Z]|SF\d{2}/\d{1,6}[A-Z])(?![\w/])", re.IGNORECASE),
    ),
    (IdentifierType.NOMIS, re.compile(r"(?<!\w)[A-Z]\d{4}[A-Z]{2}(?!\w)", re.IGNORECASE)),
    (IdentifierType.CRN, re.compile(r"(?<!\w)[A-Z]\d{6}(?!\w)", re.IGNORECASE)),
)


def identifier_like(text: str) -> list[tuple[str, str]]:
    """(label, value) for each piece of `text` shaped like a PNC ID, CRO number, prison number or CRN.

    Shape, not validity, is what matters: a real identifier typed with a slip is still a real person.
    A value that also passes the check-letter rules is labelled as valid."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for kind, pattern in _IDENTIFIER_SHAPES:
        for match in pattern.finditer(text):
            value = match.group(0)
            if value.upper() in seen:
                continue
            seen.add(value.upper())
            try:
                normalise(kind, value)
                label = f"a valid {kind.label}"
            except IdentifierError:
                label = f"a {kind.label}-shaped value"
            found.append((label, value))
    return found


def calibration_results_consult(*, actor: User, data: ExerciseResults) -> None:
    """Seeing the results is a consultation of the assessors' scores (personal data about them)."""
    _audit_calibration(
        actor,
        AuditAction.CALIBRATION_RESULTS_VIEW,
        data.exercise,
        {"view": data.view, "assessors_named": sorted(r.assessor_id for r in data.rows)},
    )


def calibration_results_export(*, actor: User, data: ExerciseResults, rows: int) -> None:
    """An export leaves the system: recorded as a disclosure, with the person exporting as recipient."""
    audit_about(
        actor,
        AuditAction.CALIBRATION_RESULTS_EXPORT,
        data.exercise,
        justification="Export of calibration results",
        recipients=[actor.display_label],
        details={
            "view": data.view,
            "rows": rows,
            "assessors_named": sorted(r.assessor_id for r in data.rows),
        },
    )
