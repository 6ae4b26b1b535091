"""The access table's rows for issue 19's surfaces (grants and claims), kept in their own module so
tests/test_access_matrix.py imports them and merges stay easy. Expectations are written out by hand."""

from marsoc.core.vocabulary import Role

ROUTES = {
    "funding/",
    "funding/grants/<int:pk>/",
    "funding/grants/<int:pk>/figures.pdf",
    "funding/grants/<int:pk>/quarters.<str:fmt>",
    "funding/grants/<int:pk>/claims/new/",
    "funding/claims/<int:pk>/",
    "funding/claims/<int:pk>/actuals/",
    "funding/claims/<int:pk>/invoice.pdf",
    "funding/claims/<int:pk>/<slug:action>/",
    "funding/governance/",
    "funding/governance/export.<str:fmt>",
    "funding/governance/agreements/<int:pk>/sign-off/",
    "funding/governance/dpias/new/",
    "funding/governance/dpias/<int:pk>/",
    "funding/governance/equality/new/",
    "funding/decisions/",
    "funding/decisions/export.<str:fmt>",
    "funding/decisions/new/",
    "funding/decisions/<int:pk>/",
    "funding/decisions/<int:pk>/form.pdf",
    "funding/decisions/<int:pk>/<slug:action>/",
    "register/",
    "register/decisions/<int:pk>/",
}

# Besides the table's actors: a London finance officer and one from another hub.
EXTRA_ACTORS = {
    "london_finance": ((Role.FINANCE_OFFICER,), "london", "mps"),
    "yorkshire_finance": ((Role.FINANCE_OFFICER,), "yorkshire-humber", "yhrocu"),
    "decision_maker": ((Role.DECISION_MAKER,), None, "hmpps-marsoc"),
}

# Who reads the London grant and its claims: its hub manager and finance officer, the national team,
# national analysts and the Board.
READERS = {"london_manager", "london_finance", "national_manager", "national_analyst", "board_member"}
# Who keeps it (prepares claims, enters actuals): the hub manager, its finance officer, a national manager.
KEEPERS = {"london_manager", "london_finance", "national_manager"}
# Who may check a claim the London manager prepared: the keepers but the preparer.
CHECKERS = KEEPERS - {"london_manager"}

# Decision records are not a hub's: everyone who works on funding reads them (Part 1), and decision makers.
DECISION_READERS = READERS | {"london_finance", "yorkshire_finance", "decision_maker"}
# Originating officers draft and tick declarations: hub managers and finance officers.
DRAFTERS = {"london_manager", "national_manager", "london_finance", "yorkshire_finance"}
# DPIAs and equality impact assessments are kept by the managers; sign-off is recorded nationally.
GOVERNANCE_KEEPERS = {"london_manager", "national_manager"}
SIGN_OFF = {"national_manager"}
EVERYONE = "everyone"  # the public register: no sign-in, the same for all

# (name, path template, who gets 200). Everyone else gets 404.
SURFACES = [
    ("grants", "/funding/", READERS | {"yorkshire_finance"}),  # the list, empty for Yorkshire
    ("grant page", "/funding/grants/{grant}/", READERS),
    ("grant figures PDF", "/funding/grants/{grant}/figures.pdf", READERS),
    ("grant quarters CSV", "/funding/grants/{grant}/quarters.csv", READERS),
    ("grant quarters XLSX", "/funding/grants/{grant}/quarters.xlsx", READERS),
    ("grant quarters in another format", "/funding/grants/{grant}/quarters.txt", set()),
    ("prepare a claim", "/funding/grants/{grant}/claims/new/", KEEPERS),
    ("claim page", "/funding/claims/{claim}/", READERS),
    ("claim actuals", "/funding/claims/{claim}/actuals/", KEEPERS),
    ("claim invoice", "/funding/claims/{claim}/invoice.pdf", READERS),
    ("governance register", "/funding/governance/", DECISION_READERS),
    ("governance register CSV", "/funding/governance/export.csv", DECISION_READERS),
    ("governance register XLSX", "/funding/governance/export.xlsx", DECISION_READERS),
    ("governance register in another format", "/funding/governance/export.txt", set()),
    ("record a DPIA", "/funding/governance/dpias/new/", GOVERNANCE_KEEPERS),
    ("move a DPIA on", "/funding/governance/dpias/{dpia}/", GOVERNANCE_KEEPERS),
    ("missing DPIA", "/funding/governance/dpias/999999/", set()),
    ("record an EIA version", "/funding/governance/equality/new/", GOVERNANCE_KEEPERS),
    ("record a sign-off", "/funding/governance/agreements/{agreement}/sign-off/", SIGN_OFF),
    ("sign-off of a missing agreement", "/funding/governance/agreements/999999/sign-off/", set()),
    ("decisions", "/funding/decisions/", DECISION_READERS),
    ("decisions CSV", "/funding/decisions/export.csv", DECISION_READERS),
    ("decisions XLSX", "/funding/decisions/export.xlsx", DECISION_READERS),
    ("decisions in another format", "/funding/decisions/export.txt", set()),
    ("draft a decision", "/funding/decisions/new/", DRAFTERS),
    ("decision page", "/funding/decisions/{decision}/", DECISION_READERS),
    ("decision form PDF", "/funding/decisions/{decision}/form.pdf", DECISION_READERS),
    ("public register", "/register/", EVERYONE),
    ("public decision", "/register/decisions/{published}/", EVERYONE),
    ("public view of a draft", "/register/decisions/{decision}/", set()),
    ("missing decision", "/funding/decisions/999999/", set()),
    ("missing grant", "/funding/grants/999999/", set()),
    ("missing claim", "/funding/claims/999999/", set()),
]

# API (bearer token): (name, path template, who gets 200; everyone else 404).
API_SURFACES = [
    ("API grants", "/api/funding/grants", READERS | {"yorkshire_finance"}),
    ("API grant", "/api/funding/grants/{grant}", READERS),
    ("API claim", "/api/funding/claims/{claim}", READERS),
    ("API decisions", "/api/funding/decisions", DECISION_READERS),
    ("API decision", "/api/funding/decisions/{decision}", DECISION_READERS),
    ("API governance register", "/api/funding/governance", DECISION_READERS),
    ("API missing grant", "/api/funding/grants/999999", set()),
]
