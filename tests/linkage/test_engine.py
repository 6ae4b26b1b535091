"""The engine's pure parts, with hand-worked values."""

from datetime import date

import duckdb

from marsoc.linkage.comparisons import _identifier_conditions
from marsoc.linkage.engine import (
    EngineRecord,
    births_of,
    cluster,
    dates_compatible,
    deterministic_pairs,
    evaluate_clusters,
    identifiers_of,
)
from marsoc.linkage.table import table_of


def test_table_of_derives_transposed_dates_nicknames_and_aliases():
    row = table_of(
        [
            EngineRecord(
                id=1,
                given_names="Bill",
                family_name="Smith-Jones",
                aliases=("Will Brown",),
                date_of_birth=date(1980, 3, 2),
                postcode="SW1A1AA",
            )
        ]
    )[0]
    assert row["dob"] == "1980-03-02"
    assert row["dob_swapped"] == "1980-02-03"  # 2 March read as 3 February
    assert row["first_name_canon"] == "william"
    assert row["first_names_all"] == ["bill", "will", "william"]
    assert row["surnames_all"] == ["brown", "smith jones"]
    assert row["aliases"] == ["will brown"]
    assert row["postcode_district"] == "SW1A"
    # A day above 12 cannot be a month, so there is no transposed form.
    assert table_of([EngineRecord(id=2, date_of_birth=date(1980, 3, 13))])[0]["dob_swapped"] is None


def test_deterministic_pairs_link_on_shared_identifiers():
    records = [
        EngineRecord(id=1, pnc="2001/0123456F"),
        EngineRecord(id=2, pnc="2001/0123456F", nomis="A1234BC"),
        EngineRecord(id=3, nomis="A1234BC"),
        EngineRecord(id=4, crn="X123456"),
    ]
    assert deterministic_pairs(records) == [(1, 2, "PNC 2001/0123456F"), (2, 3, "NOMIS A1234BC")]


def test_cluster_refuses_links_that_join_records_people_said_differ():
    # 1-2 and 2-3 would chain 1 and 3 together; a "not a match" between 1 and 3 stops the second link.
    result = cluster([1, 2, 3, 4], [(1, 2), (2, 3), (3, 4)], forbidden=[(1, 3)])
    assert result.cluster_of == {1: 1, 2: 1, 3: 3, 4: 3}
    assert result.blocked == [(2, 3)]


def test_scored_links_never_give_one_person_two_identifiers_of_a_kind():
    # 1 and 2 hold different NOMIS numbers: two prisoners. 3 (no identifier) is linked to 1 first,
    # so the cluster {1, 3} holds NOMIS A1111AA and the scored link 3-2 would give it a second one.
    # 4 shares PNC with 2 and has a CRN; 5 has a different CRN, so 4-5 is refused too.
    records = [
        EngineRecord(id=1, nomis="A1111AA"),
        EngineRecord(id=2, nomis="A2222BB", pnc="2001/0123456F"),
        EngineRecord(id=3),
        EngineRecord(id=4, pnc="2001/0123456F", crn="X123456"),
        EngineRecord(id=5, crn="X654321"),
    ]
    result = cluster(
        [1, 2, 3, 4, 5],
        [(2, 4)],  # the deterministic link (shared PNC) is taken first and unchecked
        scored_links=[(1, 3), (3, 2), (4, 5)],
        identifiers=identifiers_of(records),
    )
    assert result.cluster_of == {1: 1, 2: 2, 3: 1, 4: 2, 5: 5}
    assert result.blocked == [(3, 2), (4, 5)]
    # Without the identifiers every link is taken.
    assert set(
        cluster([1, 2, 3, 4, 5], [(2, 4)], scored_links=[(1, 3), (3, 2), (4, 5)]).cluster_of.values()
    ) == {1}


def test_dates_compatible_allows_slips_and_refuses_other_years():
    born = date(1985, 3, 5)
    for other in (
        born,
        date(1985, 5, 3),  # day and month transposed
        date(1985, 3, 15),  # a keying slip of ten days
        date(1985, 11, 30),  # the same year: two slips on two records can land anywhere in it
        date(1995, 3, 5),  # one keystroke in the year
        date(1958, 3, 5),  # two neighbouring digits swapped
    ):
        assert dates_compatible(born, other) and dates_compatible(other, born), other
    assert dates_compatible(date(1984, 12, 28), date(1985, 1, 4))  # within a month, across a new year
    for other in (date(1986, 7, 20), date(1975, 3, 6), date(1990, 1, 1)):
        assert not dates_compatible(born, other), other
        assert not dates_compatible(other, born), other


def test_scored_links_never_join_dates_of_birth_years_apart():
    # 2 has no date of birth and scores highly with both 1 and 3, namesakes born ten years apart
    # and more than one keystroke apart. The stronger link (1-2) is taken and 2-3 refused, so the
    # chain does not make one person of all three; 4 (a slip of 1's date) still joins.
    births = {1: date(1980, 6, 1), 3: date(1990, 2, 14), 4: date(1980, 6, 11)}
    result = cluster([1, 2, 3, 4], [], scored_links=[(1, 2), (2, 3), (2, 4)], births=births)
    assert result.cluster_of == {1: 1, 2: 1, 3: 3, 4: 1}
    assert result.blocked == [(2, 3)]
    # A person's "match" decision is a link of the first kind and is not second-guessed.
    assert set(cluster([1, 2, 3], [(1, 2), (2, 3)], births=births).cluster_of.values()) == {1}
    # A cluster holding two dates (by a person's decision) still takes a record matching one of them.
    two_dates = cluster([1, 3, 5], [(1, 3)], scored_links=[(3, 5)], births={**births, 5: date(1980, 6, 1)})
    assert set(two_dates.cluster_of.values()) == {1} and two_dates.blocked == []
    assert births_of([EngineRecord(id=7), EngineRecord(id=8, date_of_birth=date(1980, 6, 1))]) == {
        8: date(1980, 6, 1)
    }


def test_identifier_comparison_levels():
    none_in_common, shared = _identifier_conditions()
    cases = {
        # (pnc_l, nomis_l, pnc_r, nomis_r): (no kind held by both, one shared)
        ("P1", None, None, "N1"): (True, False),
        ("P1", "N1", "P1", "N2"): (False, True),
        ("P1", None, "P2", None): (False, False),  # the "different identifiers" level
    }
    for (pnc_l, nomis_l, pnc_r, nomis_r), expected in cases.items():
        row = duckdb.execute(
            f"SELECT coalesce({none_in_common}, FALSE), coalesce({shared}, FALSE) FROM (SELECT "
            "?::VARCHAR pnc_l, ?::VARCHAR nomis_l, ?::VARCHAR pnc_r, ?::VARCHAR nomis_r, "
            "NULL::VARCHAR cro_l, NULL::VARCHAR cro_r, NULL::VARCHAR crn_l, NULL::VARCHAR crn_r)",
            [pnc_l, nomis_l, pnc_r, nomis_r],
        ).fetchone()
        assert row == expected


def test_evaluate_clusters_counts_pairs():
    # Truth: {1,2,3} one person, {4} another. Predicted: {1,2}, {3,4}.
    # True pairs 3 (1-2, 1-3, 2-3); predicted pairs 2 (1-2, 3-4); correct 1 (1-2).
    ev = evaluate_clusters({1: 1, 2: 1, 3: 3, 4: 3}, {1: "a", 2: "a", 3: "a", 4: "b"}, 0.9)
    assert (ev.true_positives, ev.false_positives, ev.false_negatives) == (1, 1, 2)
    assert ev.precision == 0.5 and round(ev.recall, 4) == 0.3333 and ev.f1 == 0.4


def test_weak_evidence_alone_never_links(tmp_path):
    """A shared date of birth, sex and postcode with disagreeing names is not a match, however much
    weight the model gives them: the pair goes to review, never into one cluster."""
    from datetime import date

    from marsoc.linkage import engine, files
    from marsoc.linkage.mapping import built_in_mappings, load_mapping
    from marsoc.linkage.synthetic import make_feeds

    paths = make_feeds(1500, seed=5).write(tmp_path)
    feeds = {"prison": "prison-nomis", "probation": "probation-delius", "police": "police-pnc"}
    loaded = files.load_files(
        [(name, load_mapping(built_in_mappings()[mapping]), paths[name]) for name, mapping in feeds.items()]
    )
    settings = engine.train(loaded.records, seed=1).settings
    # Make an exact date of birth overwhelming (about 50 bits), so only the rule can keep them apart.
    dob = next(c for c in settings["comparisons"] if c["output_column_name"] == "dob")
    exact = next(lv for lv in dob["comparison_levels"] if lv.get("label_for_charts", "").startswith("Exact"))
    exact["m_probability"], exact["u_probability"] = 0.999, 1e-15
    born = date(1980, 3, 2)
    records = [
        engine.EngineRecord(1, "John", "Smith", date_of_birth=born, sex="M", postcode="SW1A1AA"),
        engine.EngineRecord(2, "Peter", "Okonkwo", date_of_birth=born, sex="M", postcode="SW1A1AA"),
        engine.EngineRecord(3, "John", "Smyth", date_of_birth=born, sex="M", postcode="SW1A1AA"),
    ]
    limits = engine.Thresholds(auto_link=0.7, review=0.5)
    clusters, scored, _ = engine.link_records(records, settings, limits)
    by_pair = {(p.left, p.right): p for p in scored}
    weak = by_pair[(1, 2)]
    assert weak.probability > 0.99 and not weak.identity_evidence
    assert not engine.auto_links(weak, limits)
    assert by_pair[(1, 3)].identity_evidence  # same first name, surname one letter off
    assert clusters.cluster_of[1] == clusters.cluster_of[3] != clusters.cluster_of[2]


def test_arrow_of_builds_by_column_the_same_table_as_table_of(monkeypatch):
    import pyarrow as pa

    from marsoc.linkage import table

    records = [
        EngineRecord(
            id=1, given_names="Bill  Henry", family_name="Smith-Jones", date_of_birth=date(1980, 3, 2)
        ),
        EngineRecord(
            id=2, given_names="bill", family_name="SMITH JONES", aliases=("Will Brown", "  ", "Brown")
        ),
        EngineRecord(
            id=3, given_names="", family_name="", date_of_birth=date(1980, 5, 5), postcode="SW1A1AA"
        ),
        EngineRecord(id=4, given_names="Anne", date_of_birth=date(1991, 12, 25), postcode="75001", sex="F"),
        EngineRecord(id=5, given_names="Bill Henry", pnc="2001/0123456F", town="  New   York ", region="NY"),
        EngineRecord(id=6, aliases=("  ",), date_of_birth=date(1980, 3, 2), identifier="078-05-1120"),
        EngineRecord(id=7, given_names="Kate", family_name="Smith-Jones", street_number="12", cro="12/345A"),
    ]
    monkeypatch.setattr(table, "ARROW_CHUNK", 3)  # three chunks, the last one short
    built = table.arrow_of(records)
    expected = table._arrow(table.table_of(records))
    assert built.schema == expected.schema
    assert built.to_pylist() == expected.to_pylist()
    assert table.arrow_of([]).equals(table._arrow([]))
    assert isinstance(built, pa.Table)


def test_predict_in_slices_scores_the_same_pairs_as_at_once(tmp_path, monkeypatch):
    """Scoring a slice of the left-hand records at a time (to stay inside DuckDB's memory limit)
    finds every pair that scoring all at once finds, with the same probabilities and explanations."""
    import pytest

    from marsoc.linkage import engine, files
    from marsoc.linkage.mapping import built_in_mappings, load_mapping
    from marsoc.linkage.synthetic import make_feeds

    paths = make_feeds(400, seed=3).write(tmp_path)
    feeds = {"prison": "prison-nomis", "probation": "probation-delius", "police": "police-pnc"}
    loaded = files.load_files(
        [(name, load_mapping(built_in_mappings()[mapping]), paths[name]) for name, mapping in feeds.items()]
    )
    settings = engine.train(loaded.records, seed=1).settings

    def scored(chunk: str) -> dict[tuple[int, int], tuple[float, bool, tuple]]:
        monkeypatch.setenv("MARSOC_LINKAGE_PREDICT_CHUNK", chunk)
        pairs = engine.predict(loaded.records, settings, threshold=0.5)
        return {
            (p.left, p.right): (round(p.probability, 9), p.identity_evidence, p.explanation) for p in pairs
        }

    whole = scored(str(len(loaded.records)))
    assert len(whole) > 100
    assert scored("150") == whole  # several slices
    monkeypatch.setenv("MARSOC_LINKAGE_PREDICT_CHUNK", "many")
    with pytest.raises(ValueError, match="MARSOC_LINKAGE_PREDICT_CHUNK"):
        engine.predict(loaded.records, settings, threshold=0.5)
