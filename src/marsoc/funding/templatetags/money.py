from django import template

from ..money import pounds as _pounds

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    return _pounds(pence)


@register.filter
def abs_pounds(pence: int | None) -> str:
    return _pounds(None if pence is None else abs(pence))
