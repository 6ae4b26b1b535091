"""Rules of the shared kernel, registered with the access façade: the audit log and clearance."""

from . import access
from .access import Facts


@access.rule("audit.read")
def can_read_audit(f: Facts) -> bool:
    """Inspectors browse and export the log; nobody edits it."""
    return f.inspector


@access.rule("clearance.covers")
def clearance_covers(f: Facts, classification: str) -> bool:
    """The actor's clearance is at or above `classification` (to record or import material at it)."""
    return f.cleared_for(classification)
