"""Field definitions and model pieces many models repeat, written once so each says only what differs.

The factories build exactly the fields the models spelled out before (the same deconstruction), so the
schema and the migrations are unchanged. The link to the user who acted is `accounts.models.by_user`
(it names the user model, which lives above core).
"""

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.db import models
from django.db.models.expressions import Combinable

from .vocabulary import Classification

_M = TypeVar("_M", bound=models.Model)


def optional_fk(
    to: type[_M], *, on_delete: Callable[..., None], related_name: str = "+", **options: Any
) -> "models.ForeignKey[_M | None, _M | None]":
    """A link the row may lack: empty in the database (null) and in forms (blank). Like `by_user`, it
    gives the target no reverse accessor unless `related_name` names one. (A link named by a string, to a
    model defined later, stays a plain ForeignKey so that its type is still known.)"""
    return models.ForeignKey(
        to, on_delete=on_delete, null=True, blank=True, related_name=related_name, **options
    )


class Referenced(models.Model):
    """A model whose rows are known by a printed reference: a prefix and the zero-padded id, e.g.
    MH0000042 (a fieldless abstract base: it adds no column)."""

    reference_prefix: ClassVar[str]
    reference_digits: ClassVar[int]

    class Meta:
        abstract = True

    @property
    def reference(self) -> str:
        if not self.pk:
            return f"{self.reference_prefix}(unsaved)"
        return f"{self.reference_prefix}{self.pk:0{self.reference_digits}d}"


def classification_field(**options: Any) -> "models.CharField[str | int | Combinable, str]":
    """A Government Security Classification marking (a record's, or the highest a user may see)."""
    return models.CharField(max_length=20, choices=Classification.choices, **options)
