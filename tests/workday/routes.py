"""The access table's rows for issue 18's surfaces (work queues, the chronology, case notes), kept in their
own module so tests/test_access_matrix.py imports them and merges stay easy. Expectations are written out
by hand, as in the table."""

ROUTES = {
    "work/<slug:key>/",
    "cohort/<int:pk>/chronology/",
    "cohort/<int:pk>/chronology.csv",
    "cohort/<int:pk>/notes/",
    "cohort/<int:pk>/notes/add/",
    "cohort/<int:pk>/notes/<int:note_id>/correct/",
    "cohort/<int:pk>/notes/<int:note_id>/addendum/",
}

MANAGERS = {"london_manager", "national_manager"}
OFFICERS = {"london_officer"}
PARTNERS = {"partner_probation"}
# alerts.view: hub staff, partners and national analysts.
ALERTS = {
    "london_manager",
    "london_officer",
    "london_analyst",
    "partner_probation",
    "national_analyst",
    "national_manager",
}
NATIONAL = {"national_analyst", "national_manager"}
LINKAGE_MANAGERS = MANAGERS  # the identity-pair queue also needs "linkage.use" (hub staff, national analysts)

# (queue key, who has it). Everyone else gets 404, as for a queue that does not exist.
QUEUE_SURFACES = [
    ("referrals", MANAGERS),
    ("tier-decisions", MANAGERS),
    ("reviews-overdue", MANAGERS),
    ("reviews-due", MANAGERS),
    ("plans-awaiting", MANAGERS),
    ("outcome-claims", MANAGERS),
    ("identity-pairs", LINKAGE_MANAGERS),
    ("access-requests", MANAGERS),
    ("my-people", OFFICERS),
    ("my-actions", OFFICERS),
    ("releases-no-plan", OFFICERS),
    ("my-reviews", OFFICERS),
    ("agency-agreements", PARTNERS),
    ("agency-actions", PARTNERS),
    ("shared-this-week", PARTNERS),
    ("hub-outliers", NATIONAL),
    ("dry-runs", NATIONAL),
    ("calibration-open", NATIONAL),
    ("heavy-readers", {"inspector"}),
    ("reused-purposes", {"inspector"}),
    ("alerts", ALERTS),
    ("no-such-queue", set()),
]

# Per-person surfaces, by relation (the names of READ etc. in the table): whoever may see the person reads
# the chronology and the notes; managers, officers and partner officers who see the person record notes.
WRITE_NOTES = {
    "london_manager": {"own_hub", "non_participating"},
    "london_officer": {"own_hub", "non_participating"},
    "partner_probation": {"participating"},
    "national_manager": {"own_hub", "other_hub", "participating", "non_participating"},
}
PERSON_SURFACES = [
    ("chronology", "/cohort/{id}/chronology/", "READ"),
    ("chronology export", "/cohort/{id}/chronology.csv", "READ"),
    ("case notes", "/cohort/{id}/notes/", "READ"),
    ("record a contact", "/cohort/{id}/notes/add/", WRITE_NOTES),
]
