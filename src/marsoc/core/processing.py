"""High-risk processing as a switch: identity resolution (linkage), intelligence sharing and network
analysis run only where the deployment lists them in `MARSOC_HIGH_RISK_PROCESSING` (docs/deployment.md,
"High-risk processing and its DPIA"; the DPIA each listed one needs in production is checked by
marsoc.funding.dpia_gate).

A processing not listed is off, decided here and nowhere else:
- its pages, exports and API endpoints answer 404 (`ProcessingSwitchMiddleware`, core/middleware.py,
  keyed by the URL namespace of its pages and the paths of its endpoints, before any view runs);
- every façade rule it owns answers no (`rule_switched_off`, asked by core.access for each rule), so
  whatever asks the façade before offering it leaves it out: the navigation, a person's sub-navigation
  tabs and network mini-chart, a group's plans, chronology entries, home-page queues, buttons, and the
  services behind commands and worker tasks;
- templates that link to it without asking a rule read `processing_on` (web.context_processors).

What stays on when a processing is off: information-sharing agreements (they govern partners' access
to every nominal surface, not only intelligence) and the intelligence subject-access export (a data
subject's right of access covers what is held whatever runs; docs/rights.md), though their pages sit
under /intelligence/."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Processing:
    code: str
    label: str
    namespaces: tuple[str, ...]  # URL namespaces of its pages and exports
    api_paths: tuple[str, ...]  # its endpoints: these paths and everything under them
    rule_prefixes: tuple[str, ...]  # the façade rules it owns ("network." owns "network.view", ...)
    kept: tuple[str, ...] = ()  # pages in its namespaces that belong to something else, "ns:name"


HIGH_RISK_PROCESSING: dict[str, Processing] = {
    p.code: p
    for p in (
        Processing(
            "linkage",
            "Identity resolution (matching people across agencies' records)",
            namespaces=("linkage",),
            api_paths=("/api/linkage",),
            rule_prefixes=("linkage.", "feed_import.", "source_record."),
        ),
        Processing(
            "intelligence",
            "Sharing graded intelligence and summaries with partner agencies",
            namespaces=("intelligence",),
            api_paths=("/api/intelligence", "/api/summaries"),
            rule_prefixes=("intelligence.", "intel_item.", "summary.", "retention.", "access_request."),
            kept=(
                "intelligence:agreements",
                "intelligence:agreement_new",
                "intelligence:agreement",
                "intelligence:subject_access",
            ),
        ),
        Processing(
            "network",
            "Network analysis (associations and organised crime groups)",
            namespaces=("network",),
            api_paths=("/api/network",),
            rule_prefixes=("network.", "ocg.", "link_chart."),
        ),
    )
}


def switched_on(code: str) -> bool:
    """Whether this deployment runs the processing (listed in MARSOC_HIGH_RISK_PROCESSING)."""
    return code in getattr(settings, "MARSOC_HIGH_RISK_PROCESSING", ())


def off_message(code: str) -> str:
    """Why a command or task of this processing does nothing."""
    return f"{HIGH_RISK_PROCESSING[code].label} is switched off in this service (MARSOC_HIGH_RISK_PROCESSING)"


def switched_off() -> list[Processing]:
    return [p for code, p in HIGH_RISK_PROCESSING.items() if not switched_on(code)]


def processing_on() -> dict[str, bool]:
    """For templates: {"linkage": True, "intelligence": False, ...}."""
    return {code: switched_on(code) for code in HIGH_RISK_PROCESSING}


def rule_switched_off(rule_name: str) -> Processing | None:
    """The processing switched off that owns this façade rule, if any."""
    for p in switched_off():
        if rule_name.startswith(p.rule_prefixes):
            return p
    return None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def route_switched_off(*, namespace: str, url_name: str, path: str) -> Processing | None:
    """The processing switched off that owns this page or endpoint, if any."""
    for p in switched_off():
        if namespace in p.namespaces and f"{namespace}:{url_name}" not in p.kept:
            return p
        if any(_under(path, prefix) for prefix in p.api_paths):
            return p
    return None


def api_path_switched_off(path: str) -> bool:
    """For the OpenAPI document: an operation path ("/api/network/groups") of a processing switched off."""
    return any(_under(path, prefix) for p in switched_off() for prefix in p.api_paths)
