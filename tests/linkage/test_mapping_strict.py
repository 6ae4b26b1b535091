"""Issue 14, defects 7 and 8: a mapping file says exactly what it means or is refused. A misspelt
key used to be ignored (so `requird` made nothing required and `[date]` changed how dates are read),
and a UTF-16 mapping was accepted though it could never work."""

import codecs
from pathlib import Path

import pytest

from marsoc.linkage.mapping import MappingError, built_in_mappings, load_mapping, mapping_from_dict

POLICE = load_mapping(built_in_mappings()["police-pnc"]).as_dict()


def _refused(**changes: object) -> str:
    with pytest.raises(MappingError) as refused:
        mapping_from_dict({**POLICE, **changes})
    return str(refused.value)


def test_the_built_in_mappings_load_and_round_trip():
    for path in built_in_mappings().values():
        mapping = load_mapping(path)
        assert mapping_from_dict(mapping.as_dict()) == mapping


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"requird": ["source_key"]}, "unknown key 'requird' (did you mean 'required'?)"),
        ({"date": {"date_of_birth": ["%d/%m/%Y"]}}, "unknown table [date] (did you mean [dates]?)"),
        ({"colums": {"A": "source_key"}}, "unknown table [colums] (did you mean [columns]?)"),
        ({"aliasseparator": "|"}, "unknown key 'aliasseparator' (did you mean 'alias_separator'?)"),
        ({"dates": {"date_of_brith": ["%d/%m/%Y"]}}, "[dates] names 'date_of_brith', which is not a date field (did you mean 'date_of_birth'?)"),
        ({"codes": {"sexx": {"M": "M"}}}, "[codes.sexx] is not a field with codes (did you mean 'sex'?)"),
        ({"codes": {"sex": {"MALE": "Male"}}}, "[codes.sex] maps 'MALE' to 'Male'"),
        ({"required": ["source_key", "famly_name"]}, "required names unknown field 'famly_name' (did you mean 'family_name'?)"),
        ({"columns": {**POLICE["columns"], "X": "surname"}}, "column 'X' maps to unknown field 'surname'"),
        ({"required": "source_key"}, "required must be a list of field names"),
        ({"dates": {"date_of_birth": ["dd/mm/yyyy"]}}, "'dd/mm/yyyy' has no day, month or year in it"),
        ({"encoding": "utf-16"}, "encoding 'utf-16' is not supported"),
        ({"encoding": "utf-32-le"}, "encoding 'utf-32-le' is not supported"),
        ({"encoding": "klingon"}, "encoding 'klingon' is not an encoding this service knows"),
        ({"alias_separator": ""}, "alias_separator must be one or more characters"),
    ],
)  # fmt: skip
def test_a_wrong_mapping_is_refused_naming_the_key_and_the_nearest_valid_one(changes, message):
    assert message in _refused(**changes)


def test_every_problem_is_listed_at_once():
    message = _refused(requird=["x"], date={"date_of_birth": ["%d"]})
    assert "'requird'" in message and "[date]" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_mapping_file_is_refused_clearly(tmp_path: Path, encoding: str):
    text = Path(built_in_mappings()["police-pnc"]).read_text(encoding="utf-8")
    path = tmp_path / "police.toml"
    path.write_bytes(
        text.encode(encoding) if encoding == "utf-16" else codecs.BOM_UTF16_BE + text.encode(encoding)
    )
    with pytest.raises(MappingError, match=r"is UTF-16 .*save it as UTF-8"):
        load_mapping(path)


def test_a_mapping_file_that_is_not_utf8_is_refused(tmp_path: Path):
    path = tmp_path / "m.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(MappingError, match="is not UTF-8 text"):
        load_mapping(path)
