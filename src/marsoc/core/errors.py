"""Errors the services raise; views and the API turn them into messages and status codes."""

from collections.abc import Mapping


class NotFoundOrForbidden(Exception):
    """Raised for a record that is missing *or* that the actor may not see: callers cannot tell which."""


class PermissionDenied(Exception):
    """The actor can see the record but may not do this to it."""


class ValidationFailed(Exception):
    """Input was rejected; `errors` maps field names to messages. Nothing was saved."""

    def __init__(self, errors: Mapping[str, str | list[str]]) -> None:
        self.errors: dict[str, list[str]] = {
            field: [msg] if isinstance(msg, str) else list(msg) for field, msg in errors.items()
        }
        super().__init__("; ".join(f"{f}: {' '.join(m)}" for f, m in self.errors.items()))
