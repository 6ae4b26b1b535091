"""The access table's world (four people in four relations, an actor in every role), for the restriction
test that replays the table."""

from ..test_access_matrix import world  # noqa: F401
