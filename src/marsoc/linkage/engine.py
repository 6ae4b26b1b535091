"""The linkage engine: deterministic links on strong identifiers, then Splink on DuckDB for the rest,
then clusters that respect people's decisions. Free of Django, so the same code serves the service,
`marsoc link` / `marsoc dedupe` and bench/linkage.py.

Nothing here downloads anything: DuckDB's string functions are built in and the model is trained
on the records in hand.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import splink
from splink import DuckDBAPI, Linker, block_on

from . import duck
from .columns import COLUMNS, IDENTIFIERS
from .comparisons import settings_creator
from .evaluation import Evaluation, evaluate_clusters
from .model import CRIMINAL_JUSTICE, ModelError, ModelSpec
from .prior import PriorRule, TrainingError
from .prior import estimate as estimate_prior
from .table import arrow_of, table_of

__all__ = ["Evaluation", "evaluate_clusters"]  # re-exported: bench/ and tests score through the engine

DEFAULT_AUTO_LINK = 0.70  # chosen on a generated training sample (seed 2); see docs/linkage.md
DEFAULT_REVIEW = 0.5


# slots: a million records are held at once; without a __dict__ each costs about a third as much.
@dataclass(frozen=True, slots=True)
class EngineRecord:
    id: int
    given_names: str = ""
    family_name: str = ""
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    sex: str = ""
    postcode: str = ""
    pnc: str = ""
    cro: str = ""
    nomis: str = ""
    crn: str = ""
    identifier: str = ""  # the generic fields (mapping.GENERIC_FIELDS)
    street_number: str = ""
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    region: str = ""
    source: str = ""


class PairWeights:
    """Every scored pair's weight from each comparison, held by column (NumPy arrays, a missing weight
    as 0.0). A pair's explanation (the level found and its weight, per comparison) is built only
    when it is asked for: a run needs it for the pairs that go to review, not for the hundreds of
    thousands that link."""

    def __init__(
        self, levels: dict[str, list[tuple[float, str]]], base: dict[str, Any], tf: dict[str, Any]
    ) -> None:
        self.levels = levels
        self.base = base
        self.tf = tf

    def explain(self, index: int) -> tuple[dict[str, Any], ...]:
        explanation = []
        for name, levels in self.levels.items():
            base = float(self.base[name][index] or 0.0)
            tf = float(self.tf[name][index] or 0.0) if name in self.tf else 0.0
            explanation.append(
                {"comparison": name, "level": _level_label(levels, base), "weight": round(base + tf, 2)}
            )
        return tuple(explanation)


# The comparisons that say *who* a record is are the model's names and identifiers
# (ModelSpec.evidence). A pair auto-links only if at least one of them agrees (its weight is
# positive). A date of birth, sex and postcode are shared by strangers (twins, relatives, a
# hostel), so on their own, however strong their combined weight, they are never enough: such a
# pair goes to review at most.


@dataclass(frozen=True, slots=True)
class ScoredPair:
    left: int
    right: int
    probability: float
    weight: float
    weights: PairWeights | None = field(default=None, compare=False, repr=False)
    index: int = field(default=0, compare=False, repr=False)
    # Some name or identifier agrees (ModelSpec.evidence); without it the pair never auto-links.
    identity_evidence: bool = True

    @property
    def explanation(self) -> tuple[dict[str, Any], ...]:
        """For each comparison, the level found and its weight (positive pushes towards a match)."""
        return self.weights.explain(self.index) if self.weights is not None else ()


@dataclass
class Thresholds:
    auto_link: float = DEFAULT_AUTO_LINK
    review: float = DEFAULT_REVIEW

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.auto_link <= 1:
            raise ValueError("Thresholds must satisfy 0 < review <= auto-link <= 1")


@dataclass
class TrainedModel:
    settings: dict[str, Any]
    summary: dict[str, Any]


EM_MAX_PAIRS = 2_000_000  # each EM session trains on a hash-sampled subset of its blocked pairs
RECORDS_TABLE = "marsoc_records"
PREDICT_CHUNK_RECORDS = 250_000


def predict_chunk_records() -> int:
    """`MARSOC_LINKAGE_PREDICT_CHUNK` (left-hand records scored at a time), or 250,000."""
    text = os.environ.get("MARSOC_LINKAGE_PREDICT_CHUNK", "").strip()
    if not text:
        return PREDICT_CHUNK_RECORDS
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"MARSOC_LINKAGE_PREDICT_CHUNK: {text!r} is not a whole number of records above 0")
    return int(text)


def prior_rules(spec: ModelSpec = CRIMINAL_JUSTICE) -> list[PriorRule]:
    """The deterministic rules λ is estimated from (see linkage/prior.py): a shared identifier of
    each kind the model compares, and the same first name, surname and date of birth. Level 1 is
    each comparison's exact level (level 0 is "missing")."""
    by_kind = {c.kind: c.name for c in spec.comparisons}
    rules = []
    if "cj_identifiers" in by_kind:
        rules.append(
            PriorRule(
                "a shared identifier (PNC, CRO, NOMIS or CRN)",
                keys=tuple((name,) for name in IDENTIFIERS),
                levels=((by_kind["cj_identifiers"], 1),),
                precise=True,
            )
        )
    for c in spec.comparisons:
        if c.kind == "identifier":
            rules.append(
                PriorRule(
                    f"a shared {c.column.replace('_', ' ')}",
                    keys=((c.column,),),
                    levels=((c.name, 1),),
                    precise=True,
                )
            )
    if {"first_name", "surname", "date_of_birth"} <= set(by_kind):
        rules.append(
            PriorRule(
                "the same first name, surname and date of birth",
                keys=(("first_name", "surname", "dob"),),
                levels=((by_kind["first_name"], 1), (by_kind["surname"], 1), (by_kind["date_of_birth"], 1)),
            )
        )
    return rules


def _agreeing(con: Any, columns: Iterable[str]) -> bool:
    """Do two records agree on every one of `columns` (so EM blocked on them has pairs to learn from)?"""
    names = ", ".join(columns)
    condition = " AND ".join(f"{c} IS NOT NULL" for c in columns)
    found = con.execute(
        f"SELECT 1 FROM {RECORDS_TABLE} WHERE {condition} GROUP BY {names} HAVING count(*) > 1 LIMIT 1"  # noqa: S608
    ).fetchall()
    return bool(found)


def _em_session(linker: Linker, columns: Sequence[str], max_pairs: float) -> None:
    """One EM session blocked on `columns`. On small or very clean data EM can drive a level's m (or
    u) to exactly zero, which Splink refuses mid-session (leaving the model as it was): the session
    is then run again with fewer iterations, stopping before the level collapses."""
    from splink.internals.settings import TrainingSettings

    settings = linker._settings_obj
    original = settings.training_settings
    iterations = original.max_iterations
    try:
        while True:
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*columns), max_pairs=max_pairs
                )
                return
            except ValueError as error:
                if "below the minimum allowed" not in str(error) or iterations <= 1:
                    raise TrainingError(
                        f"The model cannot be trained: EM on pairs sharing {' and '.join(columns)} fails ({error})"
                    ) from error
                iterations //= 2
                settings.training_settings = TrainingSettings(original.em_convergence, iterations)
    finally:
        settings.training_settings = original


def train(
    records: Sequence[EngineRecord],
    *,
    seed: int = 1,
    em_max_pairs: float = EM_MAX_PAIRS,
    spec: ModelSpec = CRIMINAL_JUSTICE,
    table: Any = None,
) -> TrainedModel:
    """Train on the records in hand: u by random sampling, m by EM on capped samples of blocked
    pairs, then λ from the prior rules and the trained m and u (linkage/prior.py). Raises
    prior.PriorError, naming the cause, when λ cannot be estimated."""
    started = time.perf_counter()
    arrow = table if table is not None else arrow_of(records)
    n_rows = arrow.num_rows
    con = duck.connect()
    con.register(RECORDS_TABLE, arrow)
    linker = Linker(
        DuckDBAPI(connection=con).register(arrow), settings_creator("duckdb", spec), log_level=logging.ERROR
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=min(2e6, max(1e4, n_rows * 20)), seed=seed)
    sessions = 0
    for columns in (("dob",), ("surname", "first_name")):
        if _agreeing(con, columns):
            _em_session(linker, columns, em_max_pairs)
            sessions += 1
    if not sessions:
        raise TrainingError(
            "The model cannot be trained: no two records share a date of birth, or a first name and surname"
        )
    settings = linker.misc.save_model_to_json()
    names = [name for name, _ in COLUMNS]
    value, estimates = estimate_prior(
        con, RECORDS_TABLE, settings, prior_rules(spec), n_rows, columns=names, seed=seed
    )
    settings["probability_two_random_records_match"] = value
    con.close()
    summary = {
        "records": n_rows,
        "with_identifier": sum(1 for r in records if any(getattr(r, n) for n in IDENTIFIERS)),
        "splink_version": splink.__version__,
        "probability_two_random_records_match": value,
        "prior_rules": [e.as_dict() for e in estimates],
        "model": spec.as_dict(),
        "seconds": round(time.perf_counter() - started, 2),
        "trained_on": date.today().isoformat(),
    }
    return TrainedModel(settings=settings, summary=summary)


def _level_weights(settings: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """Each comparison's levels as (match weight, label). Splink reports a pair's weight per
    comparison (mw_*), and the level is the one whose weight that is."""
    levels: dict[str, list[tuple[float, str]]] = {}
    for comparison in settings["comparisons"]:
        found = []
        for level in comparison["comparison_levels"]:
            label = level.get("label_for_charts") or level["sql_condition"]
            if level.get("is_null_level"):
                found.append((0.0, "missing on one side"))
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if m and u:
                found.append((math.log2(m / u), label))
        levels[comparison["output_column_name"]] = found
    return levels


def _level_label(levels: list[tuple[float, str]], weight: float) -> str:
    if not levels:
        return ""
    return min(levels, key=lambda lv: abs(lv[0] - weight))[1]


def model_for_dialect(
    model: dict[str, Any], dialect: str, spec: ModelSpec = CRIMINAL_JUSTICE
) -> dict[str, Any]:
    """The same trained model in another SQL dialect: settings built afresh for `dialect` from the
    same model description, with the trained λ, m and u (and term-frequency settings) copied level
    by level."""
    fresh = settings_creator(dialect, spec).create_settings_dict(dialect)
    shape = [(c["output_column_name"], len(c["comparison_levels"])) for c in fresh["comparisons"]]
    trained = [(c["output_column_name"], len(c["comparison_levels"])) for c in model["comparisons"]]
    if shape != trained:
        # A model trained before its comparisons changed (a level added since): its m and u cannot
        # be carried over level by level.
        raise ModelError(
            "The trained model's comparisons are not this model's (trained before a comparison changed): "
            "train the model again (marsoc linkage_run --train)"
        )
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    for new, old in zip(fresh["comparisons"], model["comparisons"], strict=True):
        for new_level, old_level in zip(new["comparison_levels"], old["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability", "tf_adjustment_column", "tf_adjustment_weight"):
                if key in old_level:
                    new_level[key] = old_level[key]
    return fresh


def predict(
    records: Sequence[EngineRecord],
    model: dict[str, Any],
    *,
    threshold: float,
    spark: Any = None,
    spec: ModelSpec = CRIMINAL_JUSTICE,
    table: Any = None,
) -> list[ScoredPair]:
    """Score the blocked pairs; keep those at or above `threshold`, each with the weight that each
    comparison added (positive pushes towards a match). With a Spark session, the same model runs
    on Spark (see linkage/spark.py)."""
    if len(records) < 2:
        return []
    con: Any = None
    if spark is not None:
        from .spark import spark_linker

        linker = spark_linker(spark, table_of(records), model_for_dialect(model, "spark", spec))
    else:
        arrow = table if table is not None else arrow_of(records)
        con = duck.connect()
        linker = Linker(DuckDBAPI(connection=con).register(arrow), model, log_level=logging.ERROR)
        del arrow
    # Scored a slice of the left-hand records at a time: the blocked pairs of a million records
    # do not fit DuckDB's memory limit at once, and spilling them to disk cost more than the
    # slices' repeated blocking joins (docs/performance.md, issue 13).
    chunks = max(1, math.ceil(len(records) / predict_chunk_records()))
    frame = linker.inference.predict(
        threshold_match_probability=threshold,
        num_chunks_left=chunks if spark is None else None,
        num_chunks_right=1 if spark is None else None,
    )
    levels = _level_weights(model)
    present = {c.unquote().name for c in frame.columns}
    tf_names = [n for n in levels if f"mw_tf_adj_{n}" in present]
    wanted = [
        "unique_id_l",
        "unique_id_r",
        "match_probability",
        "match_weight",
        *(f"mw_{n}" for n in levels),
        *(f"mw_tf_adj_{n}" for n in tf_names),
    ]
    # Only the columns needed, fetched by column as Arrow and held as arrays (a missing weight is
    # 0.0, as the explanation reads it): a Python float per pair and comparison cost hundreds of
    # megabytes at a million records.
    selected = frame.query_sql(f"SELECT {', '.join(wanted)} FROM {{this}}")  # noqa: S608 (our own column names)
    columns = {name: _array(selected_column) for name, selected_column in _arrow_columns(selected).items()}
    selected.drop_table_from_database_and_remove_from_cache()
    frame.drop_table_from_database_and_remove_from_cache()
    if con is not None:
        con.close()  # now, not when the linker's reference cycles are collected: it holds the table
    weights = PairWeights(
        levels,
        base={n: columns[f"mw_{n}"] for n in levels},
        tf={n: columns[f"mw_tf_adj_{n}"] for n in tf_names},
    )
    # A comparison's weight for the pair is its level's plus any term-frequency adjustment.
    evidence = np.zeros(len(columns["unique_id_l"]), dtype=bool)
    for n in spec.evidence():
        if n in weights.base:
            evidence |= (weights.base[n] + weights.tf[n] if n in weights.tf else weights.base[n]) > 0
    lefts, rights = columns["unique_id_l"].tolist(), columns["unique_id_r"].tolist()
    return [
        ScoredPair(
            left=min(a, b),
            right=max(a, b),
            probability=probability,
            weight=weight,
            weights=weights,
            index=index,
            identity_evidence=agrees,
        )
        for index, (a, b, probability, weight, agrees) in enumerate(
            zip(
                lefts,
                rights,
                columns["match_probability"].tolist(),
                columns["match_weight"].tolist(),
                evidence.tolist(),
                strict=True,
            )
        )
    ]


def _arrow_columns(frame: Any) -> dict[str, Any]:
    """A Splink frame's columns as Arrow (DuckDB), or as lists (Spark)."""
    if hasattr(frame, "as_pyarrow_table"):
        try:
            arrow = frame.as_pyarrow_table()
            return {name: arrow.column(name) for name in arrow.column_names}
        except (AttributeError, NotImplementedError):
            pass
    return dict(frame.as_dict())


def _array(values: Any) -> Any:
    """A column as a NumPy array, nulls as 0 (ids as integers, weights and probabilities as floats)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray | pa.Array):
        if pa.types.is_integer(values.type):
            return values.to_numpy()
        return pc.fill_null(values.cast(pa.float64()), 0.0).to_numpy()
    if values and isinstance(values[0], int):
        return np.asarray(values, dtype=np.int64)
    return np.asarray([0.0 if v is None else float(v) for v in values], dtype=np.float64)


def deterministic_pairs(records: Iterable[EngineRecord]) -> list[tuple[int, int, str]]:
    """Pairs that share a normalised strong identifier, as (low id, high id, "PNC 2001/0123456F")."""
    first_holder: dict[tuple[str, str], int] = {}
    pairs = []
    for r in sorted(records, key=lambda r: r.id):
        for name in IDENTIFIERS:
            value = getattr(r, name)
            if not value:
                continue
            holder = first_holder.setdefault((name, value), r.id)
            if holder != r.id:
                pairs.append((holder, r.id, f"{name.upper()} {value}"))
    return pairs


def identifiers_of(records: Iterable[EngineRecord]) -> dict[int, dict[str, str]]:
    """Each record's identifiers, for the records that hold any (clustering reads absent as none)."""
    held = ((r.id, {n: value for n in IDENTIFIERS if (value := getattr(r, n))}) for r in records)
    return {rid: values for rid, values in held if values}


def births_of(records: Iterable[EngineRecord]) -> dict[int, date]:
    return {r.id: r.date_of_birth for r in records if r.date_of_birth}


def _one_slip(a: str, b: str) -> bool:
    """One character changed, or two neighbours swapped (ISO dates are all ten characters)."""
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    if len(differ) == 1:
        return True
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    )


def dates_compatible(a: date, b: date) -> bool:
    """Could one person's date of birth have been recorded as both? Yes within the same year (day
    and month transposed, a keying slip, or two such slips on different records), within a month
    across a new year, or one keystroke apart (a mistyped year); no otherwise."""
    if a.year == b.year or abs((a - b).days) <= 31:
        return True
    return _one_slip(a.isoformat(), b.isoformat())


@dataclass
class Clustering:
    cluster_of: dict[int, int]  # record id -> cluster label (the lowest record id in it)
    # Links refused: by a "not a match", two identifiers of one kind, or dates of birth years apart.
    blocked: list[tuple[int, int]] = field(default_factory=list)


def cluster(
    record_ids: Iterable[int],
    links: Iterable[tuple[int, int]],
    *,
    forbidden: Iterable[tuple[int, int]] = (),
    scored_links: Iterable[tuple[int, int]] = (),
    identifiers: dict[int, dict[str, str]] | None = None,
    births: dict[int, date] | None = None,
) -> Clustering:
    """Connected components of `links`, then of `scored_links`, each taken in the order given
    (strongest first), refusing any link that would put two records a person said are different
    into one cluster. A scored link is also refused if it would give one person two different
    values of one identifier (two PNC IDs, two NOMIS numbers), or only dates of birth in different
    years that no slip explains (`dates_compatible`): such records are two people, or need a
    person to decide.
    The second check matters for chains: a record without a date of birth can otherwise join two
    namesakes born years apart.

    Union by size; a record alone in its cluster costs one dictionary entry, so a million records
    cluster in seconds (member lists and identifier sets exist only for merged clusters)."""
    parent: dict[int, int] = {rid: rid for rid in record_ids}
    size: dict[int, int] = {}  # root -> records in its cluster, when more than one
    members: dict[int, list[int]] = {}  # root -> its records, when more than one (for "not a match")
    held: dict[int, dict[str, set[str]]] = {}  # root -> identifiers, when merged
    born: dict[int, set[date]] = {}  # root -> dates of birth, when merged
    identifiers = identifiers or {}
    births = births or {}
    apart: dict[int, set[int]] = {}
    for a, b in forbidden:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def holding(root: int) -> dict[str, set[str]]:
        if root in held:
            return held[root]
        return {kind: {value} for kind, value in identifiers.get(root, {}).items()}

    def dates(root: int) -> set[date]:
        if root in born:
            return born[root]
        return {births[root]} if root in births else set()

    def conflicting(x: int, y: int, a: int, b: int) -> bool:
        hx, hy = holding(x), holding(y)
        if any(kind in hy and not (values & hy[kind]) for kind, values in hx.items()):
            return True
        # Like identifiers: refused only when no date on one side fits any on the other, so a
        # cluster that a person's decision gave two dates can still take a record matching either.
        dx, dy = dates(x), dates(y)
        if a in births and b in births:
            # Both linked records have a date: the model has weighed them against each other (a
            # date keyed wholly wrong is common in other partners' data). The check is for chains
            # through a record without a date, which would join dates never compared.
            return False
        return bool(dx and dy) and not any(dates_compatible(a, b) for a in dx for b in dy)

    def kept_apart(small: int, big: int) -> bool:
        return any(find(other) == big for m in members.get(small, [small]) for other in apart.get(m, ()))

    blocked = []
    # Streamed, not listed: at a million records the links are the larger part of what is held.
    taken = itertools.chain(((False, link) for link in links), ((True, link) for link in scored_links))
    for scored, (a, b) in taken:
        if a not in parent or b not in parent:
            continue
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        small, big = (ra, rb) if size.get(ra, 1) <= size.get(rb, 1) else (rb, ra)
        if (apart and kept_apart(small, big)) or (
            scored and (identifiers or births) and conflicting(small, big, a, b)
        ):
            blocked.append((a, b))
            continue
        parent[small] = big
        size[big] = size.get(big, 1) + size.pop(small, 1)
        members.setdefault(big, [big]).extend(members.pop(small, [small]))
        if identifiers:
            merged = holding(big)
            for kind, values in holding(small).items():
                merged.setdefault(kind, set()).update(values)
            held[big] = merged
            held.pop(small, None)
        if births:
            born[big] = dates(big) | dates(small)
            born.pop(small, None)
    result: dict[int, int] = {}
    for rid in parent:
        root = find(rid)
        result[rid] = min(members[root]) if root in members else root
    return Clustering(cluster_of=result, blocked=blocked)


def strongest_first(pairs: Iterable[ScoredPair]) -> list[ScoredPair]:
    """By falling probability, ties by record ids: DuckDB returns pairs in no fixed order, and the
    order decides which of two conflicting links clustering takes, so the same input must give the
    same order."""
    return sorted(pairs, key=lambda p: (-p.probability, p.left, p.right))


def auto_links(pair: ScoredPair, thresholds: Thresholds) -> bool:
    """The weak-evidence rule: a pair links without a person deciding only at or above the auto-link
    threshold *and* with a name or identifier agreeing (ModelSpec.evidence)."""
    return pair.probability >= thresholds.auto_link and pair.identity_evidence


def link_records(
    records: Sequence[EngineRecord],
    model: dict[str, Any],
    thresholds: Thresholds,
    *,
    decided_match: Iterable[tuple[int, int]] = (),
    decided_apart: Iterable[tuple[int, int]] = (),
    spark: Any = None,
    spec: ModelSpec = CRIMINAL_JUSTICE,
    table: Any = None,
) -> tuple[Clustering, list[ScoredPair], list[tuple[int, int, str]]]:
    """The whole pipeline: people's "match" decisions, then identifiers, then auto-links by
    falling probability; returns the clusters, every scored pair at or above the review threshold,
    and the deterministic links."""
    det = deterministic_pairs(records)
    scored = predict(records, model, threshold=thresholds.review, spark=spark, spec=spec, table=table)
    # The table is not needed for clustering: let it go (if the caller handed it over, not kept it)
    # before the clustering's own structures grow, since at a million records it is ~0.4 GB.
    del table
    auto = strongest_first(p for p in scored if auto_links(p, thresholds))
    links = [*decided_match, *((a, b) for a, b, _ in det)]
    clusters = cluster(
        (r.id for r in records),
        links,
        forbidden=decided_apart,
        scored_links=((p.left, p.right) for p in auto),
        identifiers=identifiers_of(records),
        births=births_of(records),
    )
    return clusters, scored, det
