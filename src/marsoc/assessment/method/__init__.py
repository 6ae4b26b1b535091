"""The assessment method: one versioned, data-defined way to score and rank a nominal's harm.

A method is a TOML file (the default is ``methods/marsoc-priority-v1.toml``; the reasoning is in
``docs/method-v1.md``). It declares factor groups, factors with an anchored scale (a descriptor for every
level from 0), a formula in a small safe expression language, how 3x5x2 evidence grades set a confidence,
and tiers. This package parses and validates a method, fingerprints it, and scores factor levels against it.
It is pure Python: no Django, no database.

Rules that make a score reproducible and explainable:

* A factor's value in the formula is ``level / max level`` (0..1); a group's value is the mean of its
  factors' values. Group and factor codes are the names the formula may use.
* The formula is parsed with :mod:`ast` (never ``eval``) and allows only numbers, names, ``+ - * /``,
  parentheses, unary minus and ``max()``, ``min()``, ``mean()``. It must give a value from 0 to 1.
* All arithmetic is exact (:class:`fractions.Fraction`; a decimal number in the formula or the file means
  exactly that decimal), so the same inputs give the same score on every machine.
* Score = formula value clamped to 0..1, times 100, rounded to 1 decimal place, halves rounded up
  (77.25 -> 77.3). Confidence is rounded to 3 decimal places the same way; its band is read from the
  rounded value, so the number shown and the band always agree.
* A factor's contribution is ``score - score with that factor set to 0`` (both rounded); it works for any
  formula, but contributions need not add up to the score.
"""

from __future__ import annotations

from .errors import MethodError, ScoringError
from .formula import FUNCTIONS
from .loading import DEFAULT_METHOD_FILE, load_default_method, load_method, load_method_file
from .scoring import FactorScore, ScoreResult, score
from .spec import (
    ASSESSMENT_CODES,
    SOURCE_CODES,
    ConfidenceBand,
    ConfidenceRule,
    Factor,
    Group,
    MethodSpec,
    Tier,
)

__all__ = [
    "ASSESSMENT_CODES",
    "DEFAULT_METHOD_FILE",
    "FUNCTIONS",
    "SOURCE_CODES",
    "ConfidenceBand",
    "ConfidenceRule",
    "Factor",
    "FactorScore",
    "Group",
    "MethodError",
    "MethodSpec",
    "ScoreResult",
    "ScoringError",
    "Tier",
    "load_default_method",
    "load_method",
    "load_method_file",
    "score",
]
