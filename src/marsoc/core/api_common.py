"""What the apps' endpoints share (issue 12): an answer read from a record by its schema's field names,
the page of a list, and the refusal of a write the policy does not allow. Kept here so every list
answers {count, page, page_size, results} the same way."""

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from . import access
from .errors import PermissionDenied
from .web import actor as _actor


def fields_of(record: Any, schema: type[Schema], **given: Any) -> dict[str, Any]:
    """Every field of `schema`: the one `given` by that name, else the record's attribute of that name
    (so each field list is written once, in the schema)."""
    return {name: given[name] if name in given else getattr(record, name) for name in schema.model_fields}


class PageOut(Schema):
    """The head of a page of a list; each list's schema adds its `results` (its own component name)."""

    count: int
    page: int
    page_size: int


def window(rows: Any, page: int, page_size: int) -> list[Any]:
    """The rows of page `page` (from 1) of a query set or list."""
    start = (page - 1) * page_size
    return list(rows[start : start + page_size])


def page_body(count: int, page: int, page_size: int, results: Sequence[Any]) -> dict[str, Any]:
    return {"count": count, "page": page, "page_size": page_size, "results": list(results)}


def may_write(request: HttpRequest, rule: str, refusal: str) -> Any:
    """The actor, when the policy lets them do `rule`; otherwise a 403 with the refusal in words."""
    actor = _actor(request)
    if not access.may(actor, rule):
        raise PermissionDenied(refusal)
    return actor
