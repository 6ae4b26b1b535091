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
    "rights/people/<int:pk>/records/<slug:kind>/<int:record_id>/review/",
    "rights/records/<slug:kind>/<int:record_id>/review/",
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
    # {note}: a case note about that person (each relation has one).
    ("MoPI review of one record", "get", "/rights/people/{id}/records/case_note/{note}/review/", MANAGE),
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
    # A London partner record carrying no nominal's identifier: the London hub's managers review it.
    (
        "MoPI review of a partner record",
        "get",
        "/rights/records/partner_record/{partner}/review/",
        {"london_manager"},
    ),
]


def case_note(nominal, author):  # type: ignore[no-untyped-def]
    """A case note about the person (a record reviewed on its own), written with the ORM."""
    from django.utils import timezone

    from marsoc.accounts.models import Agency
    from marsoc.casework.models import CaseNote

    return CaseNote.objects.create(
        nominal=nominal, contact_type="meeting", occurred_at=timezone.now(), outcome="completed",
        text="Met", agency=Agency.objects.get(code="mps"), author=author, created_at=timezone.now(),
    )  # fmt: skip


def partner_record_about_nobody():  # type: ignore[no-untyped-def]
    """A London police record carrying no nominal's identifier."""
    from marsoc.accounts.models import Agency, Hub
    from marsoc.linkage.models import FeedImport, SourceRecord

    mps, london = Agency.objects.get(code="mps"), Hub.objects.get(code="london")
    feed = FeedImport.objects.create(
        source_agency=mps, owner_hub=london, filename="f.csv", staged_path="x", file_sha256="0" * 64,
        mapping_name="police", mapping={},
    )  # fmt: skip
    return SourceRecord.objects.create(
        source_agency=mps, owner_hub=london, classification="OFFICIAL-SENSITIVE", source_key="N1",
        given_names="Nobody", family_name="Known", pnc="2001/0123456F", content_hash="n", first_import=feed,
        last_import=feed,
    )  # fmt: skip
