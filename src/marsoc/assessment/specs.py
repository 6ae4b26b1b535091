"""A stored scoring method's parsed form, for selectors and services alike (so neither imports the other
for it)."""

from .method import MethodSpec, load_method
from .models import ScoringMethod

_SPEC_CACHE: dict[str, MethodSpec] = {}


def method_spec(method: ScoringMethod) -> MethodSpec:
    """The parsed method, cached by fingerprint (the text of a used method never changes)."""
    spec = _SPEC_CACHE.get(method.fingerprint)
    if spec is None:
        spec = load_method(method.source_text)
        _SPEC_CACHE[method.fingerprint] = spec
    return spec


def factor_names(method: ScoringMethod, codes: list[str]) -> list[str]:
    """The readers' names of factor codes as the method that scored them calls them (a code the method
    does not know is shown as it is, never dropped)."""
    names = {f.code: f.name for f in method_spec(method).factors}
    return [names.get(code, code) for code in codes]
