"""The access table's rows for issue 17's surfaces (Delivery Board reporting), imported by
tests/test_access_matrix.py. Expectations are written out by hand, as in the table.

Reports are aggregates: the Board, national analysts and the national team's managers see every hub;
a hub manager sees their hub beside the national figures; hub officers, hub analysts, partners,
inspectors and administrators have no report pages (404)."""

ROUTES = {
    "reporting/",
    "reporting/pack.pdf",
    "reporting/export.xlsx",
    "reporting/export.csv",
    "reporting/pack/commentary/",
}

EVERY_HUB = {"board_member", "national_analyst", "national_manager"}
READERS = EVERY_HUB | {"london_manager"}

# (name, path, who gets 200; everyone else 404).
SURFACES = [
    ("Board dashboard", "/reporting/", READERS),
    ("Board dashboard, a quarter", "/reporting/?period=quarter&at=2026-07", READERS),
    ("quarterly Board pack", "/reporting/pack.pdf", READERS),
    ("figures as XLSX", "/reporting/export.xlsx?period=quarter", READERS),
    ("figures as CSV", "/reporting/export.csv", READERS),
    ("API Board figures", "/api/reporting/board?period=month", READERS),
]
# Which hubs' rows each reader is shown (by hub code); everyone sees the national row.
HUB_ROWS = {
    "board_member": "every",
    "national_analyst": "every",
    "national_manager": "every",
    "london_manager": {"london"},
}

# Forms (status only: they show no figures). The national team writes the pack's commentary.
NATIONAL_TEAM = {"national_analyst", "national_manager"}
FORMS = [
    ("pack commentary page", "/reporting/pack/commentary/", NATIONAL_TEAM),
]
