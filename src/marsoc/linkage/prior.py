"""λ, the probability that two records drawn at random are the same person, estimated by fixed rules
from whatever strong evidence the data holds, and checked.

A *prior rule* is a deterministic rule (records agree exactly on every column of one of its keys:
a shared identifier, or the same first name, surname and date of birth) together with the levels of
the trained comparisons that the rule stands for. Counting the pairs that meet the rule gives D.
Among all N pairs, D/N = λ·r + (1 − λ)·f, where r is the chance that a true match meets the rule and
f the chance that two different people do. Both come from the model once EM has trained it:
r = q·Πm and f = q·Πu over the rule's levels, with q the share of pairs in which none of the rule's
comparisons is missing (measured on a seeded sample of random pairs, as missing values do not depend
on whether two records match); a *precise* rule (an identifier) has f = 0. So

    λ = (D/N − f) / (r − f)

which neither assumes a recall nor a fixed fallback. Each rule with agreeing pairs gives an
estimate; the one from the rule met by the most pairs (the most evidence) is used. A
value outside 0 < λ < 1 is refused with the cause named (`PriorError`), never replaced silently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SAMPLE_ROWS = 1_000  # each side of the random-pair sample (a million pairs)
GROUP_SUM_LIMIT = 20_000_000  # above this many agreeing pairs the key counts are added, not joined


class TrainingError(ValueError):
    """The model cannot be trained on this data; the message says why and what would help."""


class PriorError(TrainingError):
    """λ cannot be estimated from this data; the message says why and what would help."""


@dataclass(frozen=True)
class PriorRule:
    label: str  # "a shared identifier", "the same first name, surname and date of birth"
    keys: tuple[tuple[str, ...], ...]  # a pair meets the rule if it agrees on every column of one key
    levels: tuple[tuple[str, int], ...]  # (comparison output name, index of the level the rule means)
    # Precise: two different people never meet it (an identifier), so f = 0. The u of such a level,
    # measured on random pairs, is mostly the true matches among them (about λ·m), not a false rate.
    precise: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "keys": [list(k) for k in self.keys],
            "levels": [list(x) for x in self.levels],
            "precise": self.precise,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PriorRule:
        return cls(
            label=str(data["label"]),
            keys=tuple(tuple(str(c) for c in key) for key in data["keys"]),
            levels=tuple((str(name), int(index)) for name, index in data["levels"]),
            precise=bool(data.get("precise", False)),
        )


@dataclass(frozen=True)
class RuleEstimate:
    rule: str
    agreeing_pairs: int
    recall: float  # r
    false_rate: float  # f
    value: float | None  # λ from this rule, None when it gives none
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def agreeing_pairs(con: Any, table: str, rule: PriorRule) -> int:
    """Pairs of records (each pair once) agreeing exactly on every column of at least one key. Keys
    are joined on equality (never an OR join, which DuckDB would run as a nested loop); a pair
    agreeing on two keys counts once. Missing values never agree."""
    group_sums = []
    for key in rule.keys:
        present = " AND ".join(f"{c} IS NOT NULL" for c in key)
        columns = ", ".join(key)
        (total,) = con.execute(
            f"SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) n FROM {table} "  # noqa: S608 (our own names)
            f"WHERE {present} GROUP BY {columns})"
        ).fetchall()[0]
        group_sums.append(int(total))
    if len(rule.keys) == 1 or sum(group_sums) > GROUP_SUM_LIMIT:
        return sum(group_sums)
    selects = [
        f"SELECT l.unique_id a, r.unique_id b FROM {table} l JOIN {table} r ON "  # noqa: S608
        + " AND ".join(f"l.{c} = r.{c}" for c in key)
        + " AND l.unique_id < r.unique_id"
        for key, total in zip(rule.keys, group_sums, strict=True)
        if total
    ]
    if not selects:
        return 0
    (count,) = con.execute(f"SELECT count(*) FROM ({' UNION '.join(selects)})").fetchall()[0]  # noqa: S608
    return int(count)


def _present_share(con: Any, table: str, columns: list[str], null_conditions: list[str], seed: int) -> float:
    """The share of random pairs for which none of the comparisons is at its missing level."""
    if not null_conditions:
        return 1.0
    left = ", ".join(f"{c} AS {c}_l" for c in columns)
    right = ", ".join(f"{c} AS {c}_r" for c in columns)
    sample = f"(SELECT {{}} FROM {table} USING SAMPLE {SAMPLE_ROWS} ROWS (reservoir, {{}}))"  # noqa: S608
    condition = " OR ".join(f"coalesce(({c}), FALSE)" for c in null_conditions)
    (share,) = con.execute(
        f"SELECT avg(CASE WHEN {condition} THEN 0.0 ELSE 1.0 END) FROM "  # noqa: S608
        f"{sample.format(left, seed)} CROSS JOIN {sample.format(right, seed + 1)}"
    ).fetchall()[0]
    return float(share or 0.0)


def estimate(
    con: Any,
    table: str,
    settings: dict[str, Any],
    rules: list[PriorRule],
    records: int,
    *,
    columns: list[str],
    seed: int = 1,
) -> tuple[float, list[RuleEstimate]]:
    """λ from the rules and the trained model in `settings` (see the module's docstring). Raises
    PriorError naming the cause when no rule gives 0 < λ < 1."""
    if records < 2:
        raise PriorError("The prior (λ) cannot be estimated from fewer than two records")
    total = records * (records - 1) / 2
    by_name = {c["output_column_name"]: c for c in settings["comparisons"]}
    found: list[RuleEstimate] = []
    for rule in rules:
        missing = [name for name, _ in rule.levels if name not in by_name]
        if missing:
            found.append(
                RuleEstimate(
                    rule.label, 0, 0.0, 0.0, None, f"the model has no {', '.join(missing)} comparison"
                )
            )
            continue
        d = agreeing_pairs(con, table, rule)
        if d == 0:
            found.append(RuleEstimate(rule.label, 0, 0.0, 0.0, None, "no two records meet it"))
            continue
        m = u = 1.0
        nulls: list[str] = []
        for name, index in rule.levels:
            comparison = by_name[name]
            level = comparison["comparison_levels"][index]
            m *= float(level.get("m_probability") or 0.0)
            u *= float(level.get("u_probability") or 0.0)
            nulls.extend(
                lv["sql_condition"] for lv in comparison["comparison_levels"] if lv.get("is_null_level")
            )
        q = _present_share(con, table, columns, nulls, seed)
        r, f = q * m, (0.0 if rule.precise else q * u)
        share = d / total
        if r <= f:
            found.append(
                RuleEstimate(
                    rule.label,
                    d,
                    r,
                    f,
                    None,
                    "the trained model says it tells matches from non-matches no better than chance",
                )
            )
            continue
        value = (share - f) / (r - f)
        problem = ""
        if not 0 < value < 1:
            problem = f"it gives λ = {value:.3g}: {d:,} pairs meet it, " + (
                "no more than chance predicts" if value <= 0 else "more than the model's recall allows"
            )
        found.append(RuleEstimate(rule.label, d, r, f, value if not problem else None, problem))
    usable = [e for e in found if e.value is not None]
    if not usable:
        reasons = "; ".join(f"{e.rule}: {e.problem}" for e in found) or "there are no prior rules"
        raise PriorError(
            "The prior (λ, the chance that two random records are the same person) cannot be estimated "
            f"from this data ({reasons}). Map an identifier, or given name, family name and date of "
            "birth, or give [[prior]] rules in the model file."
        )
    best = max(usable, key=lambda e: e.agreeing_pairs)
    assert best.value is not None
    return best.value, found
