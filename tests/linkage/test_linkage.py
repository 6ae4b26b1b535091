"""Linkage runs over imported synthetic feeds: identifiers link, IDs stay stable across runs, and
people's decisions are respected by every later run."""

from collections import Counter

import pytest

from marsoc.linkage import engine, services
from marsoc.linkage.models import CandidatePair, Merge, PairStatus, Person, SourceRecord
from marsoc.linkage.synthetic import FEED_COLUMNS, make_feeds

from .helpers import FEEDS, run_import, write_csv


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


def _import_feeds(tmp_path, feeds, suffix=""):
    for source, rows in feeds.rows.items():
        mapping, agency = FEEDS[source]
        run_import(
            write_csv(tmp_path / f"{source}{suffix}.csv", rows, FEED_COLUMNS[source]),
            mapping=mapping,
            agency=agency,
        )


@pytest.fixture
def linked(db, tmp_path, national_manager, settings):
    # A low review threshold so that even these clean small feeds leave pairs for review.
    settings.LINKAGE_THRESHOLDS = {"auto_link": 0.95, "review": 0.05}
    feeds = make_feeds(250, seed=7)
    _import_feeds(tmp_path, feeds)
    model = services.model_train(actor=national_manager)
    run = services.linkage_run(actor=national_manager, model=model)
    return feeds, model, run


def _assignment():
    return dict(SourceRecord.objects.values_list("pk", "person_id"))


def test_model_is_stored_with_version_and_training_summary(linked):
    _feeds, model, run = linked
    assert model.version == 1 and model.splink_version == "5.0.0"
    assert model.training_summary["records"] == SourceRecord.objects.count()
    assert model.settings_json["link_type"] == "dedupe_only"
    assert [c["output_column_name"] for c in model.settings_json["comparisons"]] == [
        "first_name",
        "surname",
        "dob",
        "sex",
        "postcode",
        "alias",
        "identifiers",
    ]
    assert run.summary["records"] == SourceRecord.objects.count()


def test_records_sharing_an_identifier_are_one_person(linked):
    for field in ("pnc", "nomis"):
        values = SourceRecord.objects.exclude(**{field: ""}).values_list(field, "person_id")
        people: dict[str, set[int]] = {}
        for value, person in values:
            people.setdefault(value, set()).add(person)
        assert people and all(len(p) == 1 for p in people.values()), field


def test_every_record_has_a_live_person_and_truth_is_mostly_recovered(linked):
    feeds, _model, _run = linked
    assert not SourceRecord.objects.filter(person__isnull=True).exists()
    assert not SourceRecord.objects.filter(person__merged_into__isnull=False).exists()
    # With the truth column (not stored) re-read from the feeds: how many true people ended whole.
    truth = {}
    for source, rows in feeds.rows.items():
        agency = FEEDS[source][1]
        key_col = FEED_COLUMNS[source][0]
        for row in rows:
            truth[(agency, row[key_col].strip().upper() if source != "police" else row[key_col])] = row[
                "TRUTH"
            ]
    people_of: dict[str, set[int]] = {}
    for agency, key, person in SourceRecord.objects.values_list(
        "source_agency__code", "source_key", "person_id"
    ):
        t = truth.get((agency, key.upper() if agency != "mps" else key))
        if t:
            people_of.setdefault(t, set()).add(person)
    whole = sum(1 for p in people_of.values() if len(p) == 1)
    assert whole / len(people_of) > 0.95


def test_rerun_keeps_every_person_id(linked, national_manager):
    before = _assignment()
    services.linkage_run(actor=national_manager)
    assert _assignment() == before


def test_new_data_never_renumbers_existing_people(linked, tmp_path, national_manager):
    before = _assignment()
    more = make_feeds(40, seed=99, start=10_000)
    # New people, plus some new police records of existing people (same PNC, fresh reference).
    feeds, _model, _run = linked
    existing = feeds.rows["police"][:10]
    more.rows["police"] += [{**row, "PERSON_REF": f"NEW{i:05d}"} for i, row in enumerate(existing)]
    more.rows.pop("prison")  # its NOMIS keys would collide with the first feed's people
    more.rows.pop("probation")
    _import_feeds(tmp_path, more, suffix="-2")
    services.linkage_run(actor=national_manager)
    after = _assignment()
    # No existing person is renumbered or split. New records change the names' term frequencies, so
    # a pair near the threshold may now link two existing people (one person merged into the other):
    # that is the only way an existing record may change person, and it is rare.
    together: dict[int, set[int]] = {}
    for rid, person in before.items():
        together.setdefault(person, set()).add(after[rid])
    assert all(len(now) == 1 for now in together.values())  # nobody split
    moved = [rid for rid in before if after[rid] != before[rid]]
    assert all(after[rid] in together for rid in moved)  # merged into an existing person, not renumbered
    assert len(moved) <= len(before) // 100
    new_ids = set(after) - set(before)
    assert len(new_ids) == len(more.rows["police"])
    joined = SourceRecord.objects.filter(source_key__startswith="NEW").values_list("pnc", "person_id")
    for pnc, person in joined:
        if pnc:
            assert SourceRecord.objects.filter(pnc=pnc).exclude(person_id=person).count() == 0


def _auto_linked_pair(model):
    """Two records that the model links automatically, on scores alone (no shared identifier), and
    that make up a person on their own."""
    records = [services._engine_record(r) for r in SourceRecord.objects.all()]
    shared = {(a, b) for a, b, _ in engine.deterministic_pairs(records)}
    sizes = Counter(SourceRecord.objects.values_list("person_id", flat=True))
    person = _assignment()
    for pair in engine.predict(records, model.settings_json, threshold=model.auto_link_threshold):
        if (
            (pair.left, pair.right) not in shared
            and person[pair.left] == person[pair.right]
            and sizes[person[pair.left]] == 2
        ):
            return pair
    raise AssertionError("no auto-linked pair in the feeds")


def test_not_a_match_is_respected_by_later_runs(linked, national_manager):
    _feeds, model, run = linked
    scored = _auto_linked_pair(model)
    before = _assignment()
    assert before[scored.left] == before[scored.right]
    # A reviewer saw the pair and said no (the pair as the queue would hold it).
    queued = CandidatePair.objects.create(
        left_id=scored.left,
        right_id=scored.right,
        match_probability=scored.probability,
        match_weight=scored.weight,
        explanation=list(scored.explanation),
        run=run,
    )
    services.pair_decide(actor=national_manager, pair_id=queued.pk, decision=PairStatus.NOT_MATCH)
    for _ in range(2):  # every later run, not just the next
        services.linkage_run(actor=national_manager, model=model)
        after = _assignment()
        assert after[scored.left] != after[scored.right]
        # The lower record keeps the person id; the other gets a new one; nobody else moves.
        assert after[scored.left] == before[scored.left]
        assert after[scored.right] not in set(before.values())
        assert {r: p for r, p in after.items() if r != scored.right} == {
            r: p for r, p in before.items() if r != scored.right
        }
    queued.refresh_from_db()
    assert queued.status == PairStatus.NOT_MATCH and queued.decided_by == national_manager
    assert queued.decided_at is not None


def test_not_a_match_beats_a_shared_identifier(db, tmp_path, national_manager):
    from .helpers import police_row

    rows = [police_row("A", PNC_ID="2001/0123456F"), police_row("B", given="Joan", PNC_ID="2001/0123456F")]
    run_import(write_csv(tmp_path / "p.csv", rows))
    feeds = make_feeds(60, seed=3)
    _import_feeds(tmp_path, feeds)
    model = services.model_train(actor=national_manager)
    services.linkage_run(actor=national_manager, model=model)
    a, b = SourceRecord.objects.get(source_key="A"), SourceRecord.objects.get(source_key="B")
    assert a.person_id == b.person_id  # linked on the PNC
    from marsoc.linkage.models import LinkageRun

    pair = CandidatePair.objects.create(
        left=a,
        right=b,
        match_probability=0.9,
        match_weight=3,
        explanation=[],
        run=LinkageRun.objects.first(),
        status=PairStatus.NOT_MATCH,
        decided_by=national_manager,
    )
    assert pair.pk
    services.linkage_run(actor=national_manager, model=model)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.person_id != b.person_id
    assert Person.objects.filter(pk__in=[a.person_id, b.person_id], merged_into__isnull=True).count() == 2
    assert Merge.objects.count() == 0
