"""Words of the assessment app shared by its rules, selectors and pages."""


class ResultsView:
    """How much of a closed calibration exercise's results an actor may see."""

    FULL = "full"  # every assessor by name
    HUB = "hub"  # aggregates, plus the actor's own hub's assessors by name
    OWN = "own"  # aggregates, plus the actor's own scores
