"""The tools, powers and interventions catalogue as first loaded (domain.md §5).

Codes are stable. The two "TRO"s get distinct codes: travel-restriction-order (Criminal Justice and
Police Act 2001) and telecoms-restriction-order (prisons). New Financial Reporting Orders are now made
through SCPOs, so that entry is loaded already retired: it stays readable on older plans. Where the
domain notes give no legal basis, the field is left blank rather than guessed.
"""

from typing import Any

from django.utils import timezone

CUSTODY = ["remand", "sentenced", "release_6m"]
COMMUNITY = ["pre_custody", "on_licence", "post_sentence"]
LIVE = ["pre_custody", "remand", "sentenced", "release_6m", "on_licence", "post_sentence"]
LICENCE = ["release_6m", "on_licence"]

Entry = tuple[str, str, str, str, str, str, list[str], str]


def _licence_condition(code: str, condition: str, area: str, description: str = "") -> Entry:
    """A licence condition: probation's, set before release and applying on licence (4P: prevent)."""
    return (code, f"Licence condition: {condition}", "probation", "", area, "prevent", LICENCE, description)


# code, name, agency type, legal basis, life area, 4P strand, phases, description
ENTRIES: list[Entry] = [
    (
        "scpo-high-court",
        "Serious Crime Prevention Order (High Court)",
        "police",
        "Serious Crime Act 2007, s.1",
        "crime",
        "pursue",
        ["pre_custody", "post_sentence"],
        "Restricts financial dealings, working arrangements, association, premises, items and travel. Subject 18 or over.",
    ),
    (
        "scpo-on-conviction",
        "Serious Crime Prevention Order on conviction",
        "police",
        "Serious Crime Act 2007, s.19",
        "crime",
        "pursue",
        ["pre_custody", "remand"],
        "Made by the Crown Court when it convicts.",
    ),
    (
        "travel-restriction-order",
        "Travel Restriction Order",
        "police",
        "Criminal Justice and Police Act 2001, s.33",
        "travel",
        "pursue",
        ["remand", "sentenced", "release_6m"],
        "Drug trafficking offence with a sentence of 4 years or more; passports may be surrendered.",
    ),
    (
        "financial-reporting-order",
        "Financial Reporting Order",
        "police",
        "SOCPA 2005, ss.76-81",
        "business",
        "pursue",
        ["remand", "sentenced"],
        "The offender reports income and assets. New orders are now made through SCPOs.",
    ),
    (
        "stpo",
        "Slavery and Trafficking Prevention Order",
        "police",
        "Modern Slavery Act 2015, Part 2",
        "crime",
        "pursue",
        ["pre_custody", "remand", "on_licence", "post_sentence"],
        "",
    ),
    (
        "poca-confiscation",
        "Confiscation order",
        "police",
        "Proceeds of Crime Act 2002",
        "lifestyle",
        "pursue",
        ["remand", "sentenced", "release_6m"],
        "With a default sentence if unpaid.",
    ),
    (
        "poca-cash-seizure",
        "Cash seizure and forfeiture",
        "police",
        "Proceeds of Crime Act 2002",
        "lifestyle",
        "pursue",
        COMMUNITY,
        "",
    ),
    (
        "poca-account-freezing",
        "Account freezing and forfeiture",
        "police",
        "Proceeds of Crime Act 2002",
        "business",
        "pursue",
        LIVE,
        "",
    ),
    (
        "poca-restraint",
        "Restraint order",
        "police",
        "Proceeds of Crime Act 2002",
        "business",
        "pursue",
        ["pre_custody", "remand"],
        "",
    ),
    (
        "poca-civil-recovery",
        "Civil recovery",
        "nca",
        "Proceeds of Crime Act 2002",
        "business",
        "pursue",
        ["pre_custody", "sentenced", "post_sentence"],
        "",
    ),
    (
        "telecoms-restriction-order",
        "Telecommunications Restriction Order",
        "prison",
        "Telecommunications Restriction Orders (Custodial Institutions) (England and Wales) Regulations 2016",
        "behaviour",
        "pursue",
        CUSTODY,
        "Mobile networks disconnect illicit phones in custody.",
    ),
    (
        "prison-comms-monitoring",
        "Communications monitoring (PIN phone and mail)",
        "prison",
        "PSI 04/2016",
        "behaviour",
        "pursue",
        CUSTODY,
        "Prisoner Communication Monitoring Service.",
    ),
    (
        "security-recategorisation",
        "Security categorisation review",
        "prison",
        "PSI 40/2011",
        "behaviour",
        "protect",
        CUSTODY,
        "Including Category A and E-list (escape risk) management.",
    ),
    (
        "prison-transfer",
        "Transfer or re-allocation",
        "prison",
        "",
        "behaviour",
        "pursue",
        CUSTODY,
        "Moves the person away from associates or markets.",
    ),
    ("prison-search", "Cell and targeted searches", "prison", "", "crime", "pursue", CUSTODY, ""),
    (
        "visits-restriction",
        "Visits restrictions (closed visits, banned visitors)",
        "prison",
        "",
        "lifestyle",
        "pursue",
        CUSTODY,
        "",
    ),
    (
        "adjudication-referral",
        "Adjudication and referral to police",
        "prison",
        "",
        "crime",
        "pursue",
        CUSTODY,
        "",
    ),
    ("corruption-referral", "Corruption referral", "prison", "", "crime", "protect", CUSTODY, ""),
    _licence_condition(
        "licence-non-association", "non-association", "behaviour", "Set before release; applies on licence."
    ),
    _licence_condition("licence-exclusion-zone", "exclusion zone", "travel"),
    _licence_condition("licence-curfew-em", "curfew and electronic monitoring", "lifestyle"),
    _licence_condition("licence-disclosure", "disclosure of phones, vehicles and finances", "lifestyle"),
    ("recall", "Recall to custody", "probation", "", "crime", "pursue", ["on_licence"], ""),
    (
        "mappa-referral",
        "MAPPA referral",
        "probation",
        "",
        "behaviour",
        "protect",
        ["release_6m", "on_licence", "post_sentence"],
        "",
    ),
    (
        "immigration-status-check",
        "Immigration status check",
        "home_office",
        "",
        "lifestyle",
        "pursue",
        LIVE,
        "",
    ),
    (
        "deportation",
        "Deportation or removal",
        "home_office",
        "",
        "travel",
        "pursue",
        ["sentenced", "release_6m", "on_licence", "post_sentence"],
        "",
    ),
    (
        "dvla-licence-revocation",
        "Driving licence revocation",
        "other",
        "",
        "vehicles",
        "pursue",
        COMMUNITY,
        "DVLA.",
    ),
    (
        "dvla-vehicle-registration",
        "Vehicle registration enquiries",
        "other",
        "",
        "vehicles",
        "pursue",
        COMMUNITY,
        "DVLA.",
    ),
    ("hmrc-tax-investigation", "Tax investigation", "hmrc", "", "business", "pursue", LIVE, ""),
    (
        "la-tenancy-enforcement",
        "Tenancy enforcement",
        "local_authority",
        "",
        "lifestyle",
        "pursue",
        COMMUNITY,
        "",
    ),
    (
        "la-licensing",
        "Licensing review (premises, taxis)",
        "local_authority",
        "",
        "business",
        "pursue",
        COMMUNITY,
        "",
    ),
    (
        "la-trading-standards",
        "Trading standards enforcement",
        "local_authority",
        "",
        "business",
        "pursue",
        COMMUNITY,
        "",
    ),
    ("la-planning", "Planning enforcement", "local_authority", "", "business", "pursue", COMMUNITY, ""),
    (
        "dwp-benefit-fraud",
        "Benefit fraud investigation",
        "other",
        "",
        "lifestyle",
        "pursue",
        COMMUNITY,
        "DWP.",
    ),
]
RETIRED = {"financial-reporting-order"}


def load_catalogue(apps: Any = None) -> int:
    """Create the entries that are missing (never overwrites a national administrator's edits).
    `apps` is the migration app registry when called from a migration. Returns how many were created."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    tactic_model = apps.get_model("plans", "Tactic")
    existing = set(tactic_model.objects.values_list("code", flat=True))
    now = timezone.now()
    rows = [
        tactic_model(
            code=code,
            name=name,
            agency_type=agency_type,
            legal_basis=basis,
            life_area=area,
            strand=strand,
            phases=list(phases),
            description=description,
            retired_at=now if code in RETIRED else None,
        )
        for code, name, agency_type, basis, area, strand, phases, description in ENTRIES
        if code not in existing
    ]
    tactic_model.objects.bulk_create(rows)
    return len(rows)
