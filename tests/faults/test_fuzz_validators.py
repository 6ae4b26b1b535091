"""Property-based fuzzing (Hypothesis) of the mapping and row validators: whatever they are given,
they answer with a mapping or MappingError, with rows or FileBroken, with a row result; nothing else
may escape (an escaping exception is an import stuck half-way, or a 500), and nothing they report may
be unstorable (a NUL or an unpaired surrogate in a problem)."""

import contextlib
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsoc.linkage.feeds import FIELD_LIMITS, FileBroken, unstorable, validate_row
from marsoc.linkage.mapping import (
    FIELDS,
    KEYS,
    Mapping,
    MappingError,
    built_in_mappings,
    load_mapping,
    mapping_from_dict,
)
from marsoc.linkage.readers import read_rows

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAPPINGS = {name: load_mapping(path) for name, path in built_in_mappings().items()}

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=10))
field_names = st.one_of(st.sampled_from(FIELDS), st.text(max_size=10))
plausible = st.fixed_dictionaries(
    {"name": st.one_of(st.text(max_size=10), values), "columns": st.dictionaries(st.text(max_size=8), st.one_of(field_names, values), max_size=5)},
    optional={
        "format": st.one_of(st.sampled_from(["csv", "xlsx", "json", "jsonl", "parquet"]), values),
        "encoding": st.one_of(st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "utf-32", "nope"]), values),
        "required": st.one_of(st.lists(field_names, max_size=4), values),
        "ignore": st.one_of(st.lists(st.text(max_size=6), max_size=3), values),
        "alias_separator": st.one_of(st.text(max_size=2), values),
        "dates": st.one_of(st.dictionaries(field_names, st.one_of(st.lists(st.text(alphabet="%dmYyHbB/-. ", max_size=8), max_size=3), values), max_size=2), values),
        "codes": st.one_of(st.dictionaries(field_names, st.one_of(st.dictionaries(st.text(max_size=3), st.one_of(st.text(max_size=2), values), max_size=3), values), max_size=2), values),
        "key_identifier": st.one_of(st.sampled_from(["", "pnc", "cro", "nomis", "crn", "source_key"]), values),
        "postcode_country": st.one_of(st.sampled_from(["GB", "", "FR"]), values),
    },
)  # fmt: skip


@FUZZ
@given(st.one_of(plausible, st.dictionaries(keys, values, max_size=8), values))
def test_mapping_from_dict_answers_a_mapping_or_mapping_error(data):
    try:
        mapping = mapping_from_dict(data)
    except MappingError as error:
        assert str(error).startswith("The mapping file is not usable")
        return
    assert isinstance(mapping, Mapping)
    assert mapping_from_dict(mapping.as_dict()) == mapping  # what is stored replays to the same mapping


@FUZZ
@given(st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
def test_load_mapping_answers_a_mapping_or_mapping_error(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.toml"
        path.write_bytes(raw)
        with contextlib.suppress(MappingError):
            load_mapping(path)


cells = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits + "/-", max_size=12),  # date-like
    st.sampled_from(["M", "F", "U", "", "A1234BC", "2001/0012345X", "123456/08T", "X123456", "SW1A 1AA", "\u202e", "\u200b", "=1", "\x00"]),
)  # fmt: skip


@FUZZ
@given(st.sampled_from(sorted(MAPPINGS)), st.data())
def test_validate_row_never_raises_and_reports_only_storable_text(name, data):
    mapping = MAPPINGS[name]
    row = data.draw(st.fixed_dictionaries({c: cells for c in mapping.columns}))
    row |= data.draw(st.dictionaries(st.text(max_size=6), cells, max_size=2))
    result = validate_row(data.draw(st.integers(1, 10**6)), row, mapping)
    for problem in [*result.problems, *result.warnings]:
        assert not unstorable(problem.value + problem.reason + problem.column)
    if not result.problems:
        for target, limit in FIELD_LIMITS.items():
            text = result.key if target == "source_key" else result.fields.get(target, "")
            assert len(text) <= limit


header = ",".join(MAPPINGS["police-pnc"].columns)


@FUZZ
@given(
    st.sampled_from(["csv", "jsonl", "json", "xlsx"]),
    st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda t: (header + "\n" + t).encode("utf-8", "surrogatepass")),
        st.lists(st.lists(cells, min_size=1, max_size=12), max_size=5).map(
            lambda rows: (header + "\n" + "\n".join(",".join(r) for r in rows)).encode(
                "utf-8", "surrogatepass"
            )
        ),
    ),
)
def test_reading_any_bytes_answers_rows_or_file_broken(fmt, raw):
    mapping = mapping_from_dict({**MAPPINGS["police-pnc"].as_dict(), "format": fmt})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f.{fmt}"
        path.write_bytes(raw)
        try:
            for number, row in read_rows(path, mapping):
                assert all(not unstorable(v) for v in row.values())
                validate_row(number, row, mapping)
        except FileBroken as broken:
            assert not unstorable(broken.problem.reason + broken.problem.value + broken.problem.column)
