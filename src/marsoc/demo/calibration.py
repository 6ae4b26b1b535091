"""Synthetic calibration exercises: one closed (results on first run) and one open (in progress).

Every vignette is invented and names no one. Assessors' levels come from a per-vignette profile plus a
per-hub lean and some noise, so the results show a realistic spread, a hub that scores high and one that
scores low. Written directly (the services refuse past dates, rightly), and audited as demo generation.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.assessment.method import MethodSpec, score
from marsoc.assessment.models import (
    CalibrationAssignment,
    CalibrationExercise,
    CalibrationResponse,
    CalibrationStatus,
    CalibrationVignette,
)
from marsoc.assessment.services import active_method, method_install_default, method_spec
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record

CLOSED_NAME = "Autumn calibration: eight invented cases"
OPEN_NAME = "Winter calibration: custody cases"

# title, narrative, rough severity per factor group (0..1): harm, likelihood, capability, custody
CLOSED_VIGNETTES: tuple[tuple[str, str, tuple[float, float, float, float]], ...] = (
    (
        "Wholesale supplier with a firearms link",
        "A man in his forties is believed to supply cocaine by the kilogram to three city networks. Two "
        "associates were found with a converted pistol last year, and intelligence says he arranged it. He "
        "moves money through a car wash and a lettings business. He is at liberty and active.",
        (0.85, 0.9, 0.8, 0.1),
    ),
    (
        "County line run from a prison cell",
        "A woman serving six years for supply is thought to direct a county line from custody using an "
        "illicit phone. Wing staff report debts being enforced on her behalf. Outside, her network is small "
        "and local; there is no sign of weapons.",
        (0.5, 0.75, 0.35, 0.8),
    ),
    (
        "Fraud organiser targeting older people",
        "A man organises courier fraud against older people across several counties, using call centres "
        "abroad. Losses are large and victims have been left in serious distress. There is no violence. He "
        "has not been seen for four months and may have moved abroad.",
        (0.7, 0.45, 0.6, 0.0),
    ),
    (
        "Enforcer released on licence",
        "A man in his thirties was released on licence after a sentence for grievous bodily harm committed "
        "for a drugs network. Probation report he has returned to the same associates. There is a single, "
        "ungraded report of him carrying a knife.",
        (0.6, 0.55, 0.4, 0.2),
    ),
    (
        "Importer with a corrupt port worker",
        "A logistics company director is suspected of importing cannabis and cocaine in refrigerated loads, "
        "helped by a port employee. Intelligence is good quality but three years old; recent reporting is "
        "thin. Wealth unexplained by the business.",
        (0.65, 0.3, 0.85, 0.0),
    ),
    (
        "Young dealer, first custody",
        "A nineteen-year-old is on remand for possession with intent to supply. He is thought to be low in "
        "a local network and to be exploited by older men. No weapons, no money laundering, no contact "
        "with staff; one fight on the wing.",
        (0.2, 0.4, 0.1, 0.3),
    ),
    (
        "Modern slavery in car washes",
        "A couple are believed to run several car washes staffed by trafficked men who are housed in "
        "overcrowded flats and paid almost nothing. Reports come from a charity and a local authority. Some "
        "victims are very vulnerable. Violence is threatened rather than used.",
        (0.75, 0.65, 0.5, 0.0),
    ),
    (
        "Prison supply and staff conditioning",
        "A long-term prisoner is thought to organise drone drops of drugs and phones, and to have "
        "conditioned an officer who has since resigned. Assaults on other prisoners over debts are linked "
        "to him. Outside, his brother runs a small network.",
        (0.55, 0.7, 0.45, 0.95),
    ),
)

OPEN_VIGNETTES: tuple[tuple[str, str], ...] = (
    (
        "Debt enforcement on a wing",
        "A prisoner is said to collect drug debts for others by threats and, twice, by scalding. He is "
        "nearing release and has an address in a town where his associates deal.",
    ),
    (
        "Phones through a visits hall",
        "A remand prisoner receives phones and spice through visits from a partner. She is believed to pass "
        "them on for profit; there is no violence reported.",
    ),
    (
        "Conveyancing by a contractor",
        "A works contractor is suspected of bringing in packages for a prisoner who pays through a family "
        "member outside. The prisoner is serving a long sentence for importation.",
    ),
    (
        "Recall after licence breach",
        "A man recalled for missing appointments was found to have met known associates of an organised "
        "crime group. Intelligence suggests a role in laundering cash through a takeaway.",
    ),
)

# Assessors and how their hub leans (in levels, before rounding): London a little high, Wales low.
CLOSED_ASSESSORS = {
    "london.officer": 0.5,
    "london.analyst": 0.3,
    "yorkshire.officer": 0.0,
    "yorkshire.manager": -0.1,
    "eastern.officer": 0.1,
    "northwest.officer": 0.2,
    "wales.analyst": -0.5,
    "westmids.officer": -0.2,
}
OPEN_ASSESSORS = ("london.officer", "london.analyst", "yorkshire.officer", "eastern.officer", "wales.analyst")


def _levels(
    rng: random.Random, spec: MethodSpec, profile: tuple[float, float, float, float], lean: float
) -> dict[str, int]:
    by_group = dict(zip((g.code for g in spec.groups), profile, strict=False))
    out = {}
    for factor in spec.factors:
        centre = by_group.get(factor.group, 0.5) * factor.max_level + rng.gauss(0, 0.5)
        out[factor.code] = max(0, min(factor.max_level, round(centre + lean + rng.gauss(0, 0.6))))
    return out


def generate_calibration(*, seed: int) -> dict[str, int]:
    """The two demo exercises, once: nothing is added if they already exist."""
    if CalibrationExercise.objects.filter(name__in=[CLOSED_NAME, OPEN_NAME]).exists():
        return {"calibration_exercises": 0}
    users = {u.username: u for u in User.objects.filter(username__in=[*CLOSED_ASSESSORS, "national.analyst"])}
    creator = users.get("national.analyst")
    assessors = [users[name] for name in CLOSED_ASSESSORS if name in users and users[name].hub_id]
    if creator is None or len(assessors) < 2:
        return {"calibration_exercises": 0}
    rng = random.Random(seed * 104729)
    method_install_default()
    method = active_method()
    spec = method_spec(method)
    now = timezone.now()
    today = timezone.localdate()
    responses: list[CalibrationResponse] = []
    with transaction.atomic():
        closed = CalibrationExercise.objects.create(
            name=CLOSED_NAME,
            description="Score each case from the narrative alone, as you would a real referral.",
            method=method,
            created_by=creator,
            created_at=now - timedelta(days=50),
            opens_on=today - timedelta(days=45),
            closes_on=today - timedelta(days=15),
            status=CalibrationStatus.CLOSED,
            opened_at=now - timedelta(days=45),
            closed_at=now - timedelta(days=14),
        )
        vignettes = CalibrationVignette.objects.bulk_create(
            [
                CalibrationVignette(exercise=closed, position=i, title=title, narrative=text)
                for i, (title, text, _profile) in enumerate(CLOSED_VIGNETTES, start=1)
            ]
        )
        sheets = CalibrationAssignment.objects.bulk_create(
            [
                CalibrationAssignment(
                    exercise=closed,
                    assessor=a,
                    hub_id=hub_id,
                    assigned_by=creator,
                    assigned_at=now - timedelta(days=48),
                    submitted_at=now - timedelta(days=rng.randint(16, 40)),
                )
                for a in assessors
                if (hub_id := a.hub_id) is not None
            ]
        )
        for sheet in sheets:
            lean = CLOSED_ASSESSORS[sheet.assessor.username]
            for vignette, (_title, _text, profile) in zip(vignettes, CLOSED_VIGNETTES, strict=True):
                levels = _levels(rng, spec, profile, lean)
                responses.append(
                    CalibrationResponse(
                        assignment=sheet,
                        vignette=vignette,
                        levels=levels,
                        score=Decimal(str(score(spec, levels).score)),
                        saved_at=sheet.submitted_at or now,
                    )
                )

        current = CalibrationExercise.objects.create(
            name=OPEN_NAME,
            description="Four custody cases. Please submit by the closing date.",
            method=method,
            created_by=creator,
            created_at=now - timedelta(days=6),
            opens_on=today - timedelta(days=5),
            closes_on=today + timedelta(days=21),
            status=CalibrationStatus.OPEN,
            opened_at=now - timedelta(days=5),
        )
        open_vignettes = CalibrationVignette.objects.bulk_create(
            [
                CalibrationVignette(exercise=current, position=i, title=title, narrative=text)
                for i, (title, text) in enumerate(OPEN_VIGNETTES, start=1)
            ]
        )
        open_sheets = CalibrationAssignment.objects.bulk_create(
            [
                CalibrationAssignment(
                    exercise=current,
                    assessor=users[name],
                    hub_id=hub_id,
                    assigned_by=creator,
                    assigned_at=now - timedelta(days=5),
                )
                for name in OPEN_ASSESSORS
                if name in users and (hub_id := users[name].hub_id) is not None
            ]
        )
        # One sheet submitted, one half done, the rest (london.officer's included) not started.
        for index, sheet in enumerate(open_sheets):
            done = {1: len(open_vignettes), 2: 2}.get(index, 0)
            for vignette in open_vignettes[:done]:
                levels = _levels(rng, spec, (0.5, 0.6, 0.4, 0.7), 0.0)
                responses.append(
                    CalibrationResponse(
                        assignment=sheet,
                        vignette=vignette,
                        levels=levels,
                        score=Decimal(str(score(spec, levels).score)),
                        saved_at=now - timedelta(days=2),
                    )
                )
            if done == len(open_vignettes):
                CalibrationAssignment.objects.filter(pk=sheet.pk).update(submitted_at=now - timedelta(days=2))
        CalibrationResponse.objects.bulk_create(responses)
        audit_record(
            actor=None,
            action=AuditAction.DEMO_CALIBRATION,
            justification="Synthetic demonstration data",
            details={"exercises": [closed.pk, current.pk], "responses": len(responses)},
        )
    return {"calibration_exercises": 2, "calibration_responses": len(responses)}
