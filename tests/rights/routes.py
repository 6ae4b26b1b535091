"""The access table's rows for issue 20's surfaces (data-subject rights and retention), imported by
tests/test_access_matrix.py. Expectations are written out by hand, as in the table.

Rights work belongs to the hub that owns the person's record: its managers and officers (and the
national team's) handle requests and record corrections; restriction and MoPI review need a manager.
Analysts, partners, national analysts, the Board, inspectors and administrators have no rights pages."""

ROUTES = {
    "rights/",
    "rights/people/<int:pk>/",
    "rights/people/<int:pk>/requests/new/",
    "rights/people/<int:pk>/restrict/",
    "rights/people/<int:pk>/correction/",
    "rights/people/<int:pk>/review/",
    "rights/requests/<int:pk>/",
    "rights/requests/<int:pk>/identity/",
    "rights/requests/<int:pk>/extend/",
    "rights/requests/<int:pk>/search/",
    "rights/requests/<int:pk>/approve/",
    "rights/requests/<int:pk>/records/<int:record_id>/",
    "rights/requests/<int:pk>/response.<str:fmt>",
    "rights/notices/<int:pk>/acknowledge/",
}

LONDON = {"own_hub", "non_participating"}  # the London-owned people of the table's world
HANDLE = {"london_manager": LONDON, "london_officer": LONDON, "national_manager": {"own_hub", "other_hub", "participating", "non_participating"}}  # fmt: skip
MANAGE = {"london_manager": LONDON, "national_manager": HANDLE["national_manager"]}

# Per person: (name, method, path, table of actor -> relations allowed); everyone else 404.
PERSON_SURFACES = [
    ("rights page", "get", "/rights/people/{id}/", HANDLE),
    ("record a request", "get", "/rights/people/{id}/requests/new/", HANDLE),
    ("record a correction", "get", "/rights/people/{id}/correction/", HANDLE),
    ("restrict", "get", "/rights/people/{id}/restrict/", MANAGE),
    ("MoPI review", "get", "/rights/people/{id}/review/", MANAGE),
]

# About one request of the London-owned "own_hub" person (found, in review) and a notice of a
# correction to that person: (name, method, path, who is allowed).
HANDLERS = {"london_manager", "london_officer", "national_manager"}
GLOBAL_SURFACES = [
    ("rights work", "get", "/rights/", HANDLERS),
    ("request", "get", "/rights/requests/{sar}/", HANDLERS),
    ("check identity", "get", "/rights/requests/{sar}/identity/", HANDLERS),
    ("extend deadline", "get", "/rights/requests/{sar}/extend/", HANDLERS),
    ("decide a record", "get", "/rights/requests/{sar}/records/{record}/", HANDLERS),
    ("find records", "post", "/rights/requests/{sar}/search/", HANDLERS),
    ("approve", "post", "/rights/requests/{sar}/approve/", HANDLERS),
    ("response", "get", "/rights/requests/{sar}/response.pdf", HANDLERS),
    ("acknowledge a notice", "get", "/rights/notices/{notice}/acknowledge/", HANDLERS),
]
