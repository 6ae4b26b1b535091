"""Clerical review: decisions with who and when, reversible merges audited as combination, and a
person shown to each user only from the sources their access allows."""

import pytest

from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Operation, Role
from marsoc.linkage import services
from marsoc.linkage.models import CandidatePair, LinkageRun, Merge, PairStatus, Person, SourceRecord

from ..conftest import make_user, signed_in
from .helpers import police_row, run_import, write_csv


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


@pytest.fixture
def records(db, tmp_path):
    rows = [
        police_row("R1", given="John", family="Smith", PNC_ID="2001/0123456F"),
        police_row("R2", given="Jon", family="Smith"),
        police_row("R3", given="Johnny", family="Smith"),
        police_row("R4", given="Amy", family="Lee"),
    ]
    run_import(write_csv(tmp_path / "london.csv", rows))
    services.people_for_unlinked()
    # R2 and R3 are already one person (as an earlier run left them).
    r2, r3 = SourceRecord.objects.get(source_key="R2"), SourceRecord.objects.get(source_key="R3")
    SourceRecord.objects.filter(pk=r3.pk).update(person_id=r2.person_id)
    return {r.source_key: r for r in SourceRecord.objects.all()}


def _pair(left, right, probability=0.8):
    run = LinkageRun.objects.first() or LinkageRun.objects.create()
    return CandidatePair.objects.create(
        left=left,
        right=right,
        match_probability=probability,
        match_weight=2.0,
        explanation=[
            {"comparison": "first_name", "level": "Nickname of the same name", "weight": 4.2},
            {"comparison": "postcode", "level": "All other comparisons", "weight": -2.5},
        ],
        run=run,
    )


def _state():
    return {
        "records": sorted(SourceRecord.objects.values_list("pk", "person_id")),
        "people": sorted(Person.objects.values_list("pk", "merged_into_id")),
        "pairs": sorted(CandidatePair.objects.values_list("pk", "status", "decided_by_id", "decided_at")),
    }


def test_match_merges_and_unmerge_restores_the_exact_prior_state(records, national_manager):
    pair = _pair(records["R1"], records["R2"])
    before = _state()
    survivor, absorbed = sorted((records["R1"].person_id, records["R2"].person_id))
    services.pair_decide(actor=national_manager, pair_id=pair.pk, decision=PairStatus.MATCH)
    merged = _state()
    assert merged != before
    assert {
        p for r, p in merged["records"] if r in (records["R1"].pk, records["R2"].pk, records["R3"].pk)
    } == {survivor}
    assert dict(merged["people"])[absorbed] == survivor
    pair.refresh_from_db()
    assert pair.status == PairStatus.MATCH and pair.decided_by == national_manager and pair.decided_at
    merge = Merge.objects.get()
    services.merge_undo(actor=national_manager, merge_id=merge.pk)
    assert _state() == before  # records, people and the pair's decision as they were
    merge.refresh_from_db()
    assert merge.undone_by == national_manager and merge.undone_at is not None
    events = list(AuditEvent.objects.filter(action__in=["linkage.merge", "linkage.unmerge"]).order_by("id"))
    assert [(e.action, e.operation) for e in events] == [
        ("linkage.merge", Operation.COMBINATION),
        ("linkage.unmerge", Operation.COMBINATION),
    ]
    assert events[0].details["survivor"] == survivor and events[0].details["absorbed"] == absorbed


def test_unmerge_refuses_when_later_merges_depend_on_it(records, national_manager):
    first = _pair(records["R1"], records["R2"])
    services.pair_decide(actor=national_manager, pair_id=first.pk, decision=PairStatus.MATCH)
    second = _pair(records["R1"], records["R4"])
    services.pair_decide(actor=national_manager, pair_id=second.pk, decision=PairStatus.MATCH)
    earlier = Merge.objects.get(pair=first)
    before = _state()
    with pytest.raises(ValidationFailed):
        services.merge_undo(actor=national_manager, merge_id=earlier.pk)
    assert _state() == before
    services.merge_undo(actor=national_manager, merge_id=Merge.objects.get(pair=second).pk)
    services.merge_undo(actor=national_manager, merge_id=earlier.pk)  # now in order, fine


def test_decisions_need_sight_of_both_records(records, db, tmp_path):
    yorkshire = run_import(
        write_csv(tmp_path / "y.csv", [police_row("Y1")]), hub="yorkshire-humber", agency="mps"
    )
    assert yorkshire.rows_new == 1
    services.people_for_unlinked()
    pair = _pair(records["R1"], SourceRecord.objects.get(source_key="Y1"))
    london = make_user("london.mgr", [Role.HUB_MANAGER])
    with pytest.raises(NotFoundOrForbidden):
        services.pair_decide(actor=london, pair_id=pair.pk, decision=PairStatus.NOT_MATCH)
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING
    assert signed_in(london).get(f"/linkage/review/{pair.pk}/").status_code == 404
    assert pair.pk not in [p.pk for p in signed_in(london).get("/linkage/review/").context["pairs"]]


def test_review_page_shows_both_records_and_the_explanation_and_records_the_decision(
    records, national_manager
):
    pair = _pair(records["R1"], records["R4"])
    client = signed_in(national_manager)
    page = client.get(f"/linkage/review/{pair.pk}/").content.decode()
    assert "John" in page and "Amy" in page and "2001/0123456F" in page
    assert "Nickname of the same name" in page and "towards a match" in page and "against a match" in page
    bad = client.post(f"/linkage/review/{pair.pk}/", {})
    assert "Select whether these are the same person" in bad.content.decode()
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING
    client.post(f"/linkage/review/{pair.pk}/", {"decision": "not_match"})
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (PairStatus.NOT_MATCH, national_manager)
    assert (
        AuditEvent.objects.filter(action="linkage.pair.decide", operation=Operation.COMBINATION).count() == 1
    )


def test_a_person_shows_each_user_only_the_sources_their_access_allows(
    records, db, tmp_path, national_manager
):
    # One person built from a London police record, a Yorkshire one and a SECRET London one.
    run_import(
        write_csv(tmp_path / "y.csv", [police_row("Y1", given="Johnathan")]),
        hub="yorkshire-humber",
    )
    run_import(
        write_csv(tmp_path / "s.csv", [police_row("S1", given="Jean", family="Secretname")]),
        agency="nca",
        classification="SECRET",
    )
    services.people_for_unlinked()
    person = records["R1"].person_id
    SourceRecord.objects.filter(source_key__in=["Y1", "S1"]).update(person_id=person)
    london_low = make_user("london.low", [Role.HUB_OFFICER], clearance="OFFICIAL-SENSITIVE")
    london_high = make_user("london.high", [Role.HUB_OFFICER])
    partner = make_user("partner.p", [Role.PARTNER_OFFICER], agency_code="probation-london")

    low = signed_in(london_low).get(f"/linkage/people/{person}/")
    assert [r.source_key for r in low.context["view"].records] == ["R1"]
    assert low.context["view"].hidden == 2
    text = low.content.decode()
    assert "Johnathan" not in text and "Secretname" not in text and 'id="hidden-note"' in text

    high = signed_in(london_high).get(f"/linkage/people/{person}/")
    assert sorted(r.source_key for r in high.context["view"].records) == ["R1", "S1"]
    assert "Johnathan" not in high.content.decode()

    national = signed_in(national_manager).get(f"/linkage/people/{person}/")
    assert sorted(r.source_key for r in national.context["view"].records) == ["R1", "S1", "Y1"]
    assert 'id="hidden-note"' not in national.content.decode()

    assert signed_in(partner).get(f"/linkage/people/{person}/").status_code == 404
    # A person whose records are all out of sight is as missing as one that does not exist.
    only_yorkshire = SourceRecord.objects.get(source_key="Y1")
    other = Person.objects.create()
    SourceRecord.objects.filter(pk=only_yorkshire.pk).update(person=other)
    assert signed_in(london_high).get(f"/linkage/people/{other.pk}/").status_code == 404
    assert signed_in(london_high).get("/linkage/people/999999/").status_code == 404


def test_import_page_shows_the_validation_report(records, db, tmp_path, national_manager):
    done = run_import(write_csv(tmp_path / "bad.csv", [police_row("B1", PNC_ID="2001/0123456Q")]))
    page = signed_in(national_manager).get(f"/linkage/imports/{done.pk}/").content.decode()
    assert "The check letter of PNC ID 2001/0123456Q is wrong: it should be F" in page
    assert "PNC_ID" in page
    assert AuditEvent.objects.filter(action="linkage.import.report", object_id=str(done.pk)).exists()


def test_upload_page_stages_and_imports_on_the_worker(
    db, national_manager, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marsoc.accounts.models import Agency, Hub

    path = write_csv(
        tmp_path / "up.csv", [police_row("U1"), police_row("U2", PNC_ID="bad"), police_row("U3", family="")]
    )
    client = signed_in(national_manager)
    empty = client.post("/linkage/imports/new/", {"mapping": "police-pnc"})
    assert "There is a problem" in empty.content.decode()
    with open(path, "rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/linkage/imports/new/",
            {
                "file": SimpleUploadedFile("up.csv", handle.read(), content_type="text/csv"),
                "mapping": "police-pnc",
                "source_agency": Agency.objects.get(code="mps").pk,
                "owner_hub": Hub.objects.get(code="london").pk,
                "classification": "OFFICIAL-SENSITIVE",
            },
        )
    assert response.status_code == 302
    # The test settings run tasks at once (the immediate backend): the import is already done.
    # U2's bad PNC is left out of its record; U3 has no family name (required) and is quarantined.
    assert sorted(SourceRecord.objects.values_list("source_key", flat=True)) == ["U1", "U2"]
    page = client.get(response["Location"]).content.decode()
    assert "Committed" in page and "PNC_ID" in page and "FAMILY_NAME is required" in page
    assert "Imported without this value" in page and "Row quarantined" in page


def test_queue_drops_pairs_whose_records_are_already_one_person(records, national_manager):
    together = _pair(records["R2"], records["R3"])  # already one person (see the fixture)
    apart = _pair(records["R1"], records["R4"])
    shown = [p.pk for p in signed_in(national_manager).get("/linkage/review/").context["pairs"]]
    assert shown == [apart.pk]
    assert together.status == PairStatus.PENDING
