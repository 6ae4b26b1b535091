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


class ContextRefusal(str):
    """A message refusing input that is well formed but that its context does not allow: a referenced
    record that does not exist or that the actor may not use, a date that must follow today, a field that
    must agree with another, a plan already awaiting agreement. Pages show it like any other message; the
    API answers 409 when every message of a refusal is one, and 422 when the request broke a constraint
    its OpenAPI document states (docs/decisions/0019-api-constraints-and-context.md)."""


def refused_in_context(message: str) -> str:
    return ContextRefusal(message)


def refused_only_in_context(errors: Mapping[str, list[str]]) -> bool:
    messages = [m for ms in errors.values() for m in ms]
    return bool(messages) and all(isinstance(m, ContextRefusal) for m in messages)


class RateLimited(Exception):
    """Too many requests with one API token in the current minute; `retry_after` seconds until the next."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class Conflict(ValidationFailed):
    """Someone else changed the record between the actor reading it and writing to it (a stale
    version, a row locked or written by a concurrent request). Nothing was saved; reloading and trying
    again is the way out. The API answers 409; pages show the errors like any other refusal."""

    def __init__(self, detail: str, errors: Mapping[str, str | list[str]] | None = None) -> None:
        super().__init__(errors or {})
        self.detail = detail
        self.args = (detail,)
