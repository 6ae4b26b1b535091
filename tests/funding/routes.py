"""The access table's rows for issue 19's surfaces (grants and claims), kept in their own module so
tests/test_access_matrix.py imports them and merges stay easy. Expectations are written out by hand."""

from marsoc.core.vocabulary import Role

ROUTES = {
    "funding/",
    "funding/grants/<int:pk>/",
    "funding/grants/<int:pk>/figures.pdf",
    "funding/grants/<int:pk>/claims/new/",
    "funding/claims/<int:pk>/",
    "funding/claims/<int:pk>/actuals/",
    "funding/claims/<int:pk>/invoice.pdf",
    "funding/claims/<int:pk>/<slug:action>/",
}

# Besides the table's actors: a London finance officer and one from another hub.
EXTRA_ACTORS = {
    "london_finance": ((Role.FINANCE_OFFICER,), "london", "mps"),
    "yorkshire_finance": ((Role.FINANCE_OFFICER,), "yorkshire-humber", "yhrocu"),
}

# Who reads the London grant and its claims: its hub manager and finance officer, the national team,
# national analysts and the Board.
READERS = {"london_manager", "london_finance", "national_manager", "national_analyst", "board_member"}
# Who keeps it (prepares claims, enters actuals): the hub manager, its finance officer, a national manager.
KEEPERS = {"london_manager", "london_finance", "national_manager"}
# Who may check a claim the London manager prepared: the keepers but the preparer.
CHECKERS = KEEPERS - {"london_manager"}

# (name, path template, who gets 200). Everyone else gets 404.
SURFACES = [
    ("grants", "/funding/", READERS | {"yorkshire_finance"}),  # the list, empty for Yorkshire
    ("grant page", "/funding/grants/{grant}/", READERS),
    ("grant figures PDF", "/funding/grants/{grant}/figures.pdf", READERS),
    ("prepare a claim", "/funding/grants/{grant}/claims/new/", KEEPERS),
    ("claim page", "/funding/claims/{claim}/", READERS),
    ("claim actuals", "/funding/claims/{claim}/actuals/", KEEPERS),
    ("claim invoice", "/funding/claims/{claim}/invoice.pdf", READERS),
    ("missing grant", "/funding/grants/999999/", set()),
    ("missing claim", "/funding/claims/999999/", set()),
]
