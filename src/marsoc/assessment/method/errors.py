"""The errors a method raises: each carries every problem found, not just the first."""

from __future__ import annotations

from collections.abc import Iterable


class _ProblemsError(ValueError):
    """An error carrying every problem found, not just the first."""

    heading = "problems"

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(f"{self.heading}:\n" + "\n".join(f"- {p}" for p in self.problems))


class MethodError(_ProblemsError):
    """The method file is not valid; ``problems`` lists everything wrong with it."""

    heading = "the assessment method is not valid"


class ScoringError(_ProblemsError):
    """The levels or grades given cannot be scored with this method; ``problems`` names each factor."""

    heading = "the factor levels cannot be scored"
