"""λ (the prior) from deterministic rules, checked; data without identifiers links without error."""

import dataclasses
import io
from collections import Counter

import duckdb
import pytest
from django.core.management import CommandError, call_command

from marsoc.core.errors import ValidationFailed
from marsoc.linkage import engine, files
from marsoc.linkage.mapping import built_in_mappings, load_mapping
from marsoc.linkage.prior import PriorError, PriorRule, agreeing_pairs, estimate
from marsoc.linkage.synthetic import make_feeds

from .helpers import police_row, run_import, write_csv

FEEDS = {"prison": "prison-nomis", "probation": "probation-delius", "police": "police-pnc"}


def _loaded(tmp_path, people=400, seed=4):
    paths = make_feeds(people, seed=seed).write(tmp_path)
    return files.load_files([(s, load_mapping(built_in_mappings()[m]), paths[s]) for s, m in FEEDS.items()])


def _true_lambda(truth):
    n = len(truth)
    return sum(c * (c - 1) // 2 for c in Counter(truth.values()).values()) / (n * (n - 1) / 2)


def _settings(m, u):
    """A one-comparison model on column x: missing, exact (m, u), else."""
    return {
        "comparisons": [
            {
                "output_column_name": "x",
                "comparison_levels": [
                    {"sql_condition": "x_l IS NULL OR x_r IS NULL", "is_null_level": True},
                    {"sql_condition": "x_l = x_r", "m_probability": m, "u_probability": u},
                    {"sql_condition": "ELSE", "m_probability": 1 - m, "u_probability": 1 - u},
                ],
            }
        ]
    }


def _table(values):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (unique_id BIGINT, x VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values, start=1)))
    return con


RULE = PriorRule("same x", keys=(("x",),), levels=(("x", 1),))


def test_lambda_solves_the_rule_count_for_the_true_rate():
    # 4 records, 6 pairs, one agreeing on x (D/N = 1/6); r = 0.5, f = 0.1:
    # λ = (1/6 - 0.1) / (0.5 - 0.1) = 1/6.
    con = _table(["a", "a", "b", "c"])
    value, found = estimate(con, "t", _settings(0.5, 0.1), [RULE], 4, columns=["unique_id", "x"])
    assert value == pytest.approx(1 / 6)
    assert found[0].agreeing_pairs == 1 and found[0].recall == pytest.approx(0.5)
    # A precise rule (an identifier) has no false agreements: λ = (1/6) / 0.5.
    precise = dataclasses.replace(RULE, precise=True)
    assert estimate(con, "t", _settings(0.5, 0.1), [precise], 4, columns=["unique_id", "x"])[
        0
    ] == pytest.approx(1 / 3)


def test_lambda_outside_zero_and_one_is_refused_with_its_cause():
    con = _table(["a", "b", "c", "d"])  # nobody agrees
    with pytest.raises(PriorError, match="same x: no two records meet it"):
        estimate(con, "t", _settings(0.5, 0.1), [RULE], 4, columns=["unique_id", "x"])
    con = _table(["a", "a", "a", "a"])  # every pair agrees: more than a recall of 0.5 allows (λ > 1)
    with pytest.raises(PriorError, match=r"gives λ = 2.25: 6 pairs meet it, more than the model.s recall"):
        estimate(con, "t", _settings(0.5, 0.1), [RULE], 4, columns=["unique_id", "x"])
    con = _table(["a", "a", "b", "c"])
    with pytest.raises(PriorError, match="no better than chance"):
        estimate(con, "t", _settings(0.1, 0.1), [RULE], 4, columns=["unique_id", "x"])
    with pytest.raises(PriorError, match="fewer than two records"):
        estimate(con, "t", _settings(0.5, 0.1), [RULE], 1, columns=["unique_id", "x"])


def test_agreeing_pairs_counts_a_pair_agreeing_on_two_keys_once():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES (1, 'p', 'c'), (2, 'p', 'c'), (3, NULL, 'c'), (4, NULL, NULL)) v(unique_id, pnc, cro)"
    )
    rule = PriorRule("id", keys=(("pnc",), ("cro",)), levels=())
    assert agreeing_pairs(con, "t", rule) == 3  # 1-2 (both keys), 1-3 and 2-3 (CRO); NULLs never agree


def test_data_without_identifiers_links_and_lambda_is_near_the_true_rate(tmp_path):
    loaded = _loaded(tmp_path)
    bare = [dataclasses.replace(r, pnc="", cro="", nomis="", crn="") for r in loaded.records]
    model = engine.train(bare)
    value = model.settings["probability_two_random_records_match"]
    true = _true_lambda(loaded.truth)
    assert 0 < value < 1 and true / 2 < value < true * 2, (value, true)
    used = {e["rule"]: e for e in model.summary["prior_rules"]}
    assert used["a shared identifier (PNC, CRO, NOMIS or CRN)"]["problem"] == "no two records meet it"
    clusters, _, det = engine.link_records(bare, model.settings, engine.Thresholds())
    assert det == []
    assert engine.evaluate_clusters(clusters.cluster_of, loaded.truth, 0.7).f1 > 0.95


def test_names_without_dates_or_identifiers_cannot_give_a_prior(tmp_path):
    loaded = _loaded(tmp_path, people=150)
    names_only = [
        dataclasses.replace(r, pnc="", cro="", nomis="", crn="", date_of_birth=None) for r in loaded.records
    ]
    with pytest.raises(PriorError, match=r"cannot be estimated from this data \(a shared identifier"):
        engine.train(names_only)


def test_dedupe_without_identifiers_runs_and_names_only_is_a_clear_error(tmp_path):
    rows = []
    for i in range(40):
        rows.append(
            police_row(
                f"A{i}",
                given=f"Name{i}",
                family=f"Fam{i % 17}x{i}",
                dob=f"{1 + i % 28:02d}/0{1 + i % 9}/19{50 + i}",
                TRUTH=f"p{i}",
            )
        )
        rows.append(
            police_row(
                f"B{i}",
                given=f"Name{i}",
                family=f"Fam{i % 17}x{i}",
                dob=f"{1 + i % 28:02d}/0{1 + i % 9}/19{50 + i}",
                TRUTH=f"p{i}",
            )
        )
    path = write_csv(tmp_path / "p.csv", rows)
    out = io.StringIO()
    call_command("dedupe", "police-pnc", str(path), "--evaluate", stdout=out)
    assert "configured threshold 0.70" in out.getvalue()
    no_dates = write_csv(tmp_path / "n.csv", [{**r, "DATE_OF_BIRTH": ""} for r in rows])
    with pytest.raises(CommandError, match=r"The prior .* cannot be estimated"):
        call_command("dedupe", "police-pnc", str(no_dates), stdout=io.StringIO())


def test_training_in_the_service_says_why_it_cannot(db, tmp_path, settings):
    from marsoc.linkage import services

    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"
    rows = [police_row(f"P{i}", given=f"G{i // 2}", family=f"F{i // 2}", dob="") for i in range(60)]
    run_import(write_csv(tmp_path / "p.csv", rows))
    with pytest.raises(ValidationFailed, match="cannot be estimated"):
        services.model_train(actor=None)
