"""The DPIA gate: high-risk processing runs in production only under a completed DPIA (UK GDPR art. 35,
DPA 2018 s.64: the assessment comes before the processing). docs/deployment.md, "High-risk processing".

Production settings name the high-risk processing the service runs (`MARSOC_HIGH_RISK_PROCESSING`) and,
for each, the reference of its DPIA in the governance register (`MARSOC_DPIA_REFERENCES`). Where one is
missing, unknown to the register or not yet completed, `/readyz` answers 503 naming it (so no traffic
reaches the process) and `marsoc check --deploy --database default` fails with marsoc.E019. Other
settings (development, demonstration, tests) leave the gate open (`MARSOC_DPIA_GATE = False`)."""

from typing import Any

from django.conf import settings
from django.core import checks

from marsoc.core.processing import HIGH_RISK_PROCESSING

from .models import Dpia
from .vocabulary import DpiaStatus

# The processing the product does that is likely to result in a high risk to people's rights (ICO list:
# matching or combining datasets, profiling, sharing criminal offence data between agencies), and what
# switching one off turns off: marsoc.core.processing.
COMPLETE = (DpiaStatus.COMPLETED, DpiaStatus.REVIEWED)


def dpia_gate_problems() -> list[str]:
    """Why the high-risk processing switched on may not run, one line per processing ([] when it may)."""
    references: dict[str, str] = getattr(settings, "MARSOC_DPIA_REFERENCES", {})
    problems = []
    for code in getattr(settings, "MARSOC_HIGH_RISK_PROCESSING", ()):
        processing = HIGH_RISK_PROCESSING.get(code)
        if processing is None:
            problems.append(
                f"{code!r} is not high-risk processing the service knows: use one of {sorted(HIGH_RISK_PROCESSING)}"
            )
            continue
        what = processing.label
        reference = references.get(code, "").strip()
        dpia = Dpia.objects.filter(reference=reference).first() if reference else None
        if not reference:
            problems.append(
                f"{what} is switched on without a DPIA reference (MARSOC_DPIA_REFERENCES {code}=...)"
            )
        elif dpia is None:
            problems.append(f"{what} names DPIA {reference}, which the governance register does not hold")
        elif dpia.status not in COMPLETE:
            problems.append(
                f"{what} names DPIA {reference}, which is {dpia.get_status_display().lower()}, not completed"
            )
    return problems


def gate_open() -> bool:
    return not getattr(settings, "MARSOC_DPIA_GATE", False)


@checks.register(checks.Tags.security, deploy=True)
def dpia_gate_check(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """`check --deploy --database default`: the gate's problems as errors (it needs the database)."""
    if gate_open() or not databases:
        return []
    return [checks.Error(problem, id="marsoc.E019") for problem in dpia_gate_problems()]
