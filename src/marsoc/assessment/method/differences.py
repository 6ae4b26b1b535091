"""What changed between two methods, in words."""

from __future__ import annotations

from .exact import _fmt
from .spec import MethodSpec


def method_differences(old: MethodSpec, new: MethodSpec) -> list[str]:
    """What changed between two methods, in words a national analyst can check against the file."""
    found: list[str] = []
    old_factors = {f.code: f for f in old.factors}
    new_factors = {f.code: f for f in new.factors}
    added = sorted(set(new_factors) - set(old_factors))
    removed = sorted(set(old_factors) - set(new_factors))
    if added:
        found.append(
            "factors added: " + ", ".join(added) + " (people assessed without them count them at level 0)"
        )
    if removed:
        found.append("factors removed: " + ", ".join(removed))
    for code in sorted(set(old_factors) & set(new_factors)):
        before, after = old_factors[code], new_factors[code]
        if before.max_level != after.max_level:
            found.append(f"factor {code}: scale 0..{before.max_level} became 0..{after.max_level}")
        elif before.scale != after.scale:
            found.append(f"factor {code}: scale descriptors reworded")
        if before.group != after.group:
            found.append(f"factor {code}: moved from group {before.group} to {after.group}")
    if old.formula != new.formula:
        found.append(f"formula changed: {old.formula} became {new.formula}")
    old_tiers = {t.code: t for t in old.tiers}
    for tier in new.tiers:
        was = old_tiers.get(tier.code)
        if was is None:
            found.append(f"new tier {tier.code} ({tier.name}): {_fmt(tier.min)} to {_fmt(tier.max)}")
        elif (was.min, was.max) != (tier.min, tier.max):
            found.append(
                f"tier {tier.code}: {_fmt(was.min)}-{_fmt(was.max)} became {_fmt(tier.min)}-{_fmt(tier.max)}"
            )
    for code in sorted(set(old_tiers) - {t.code for t in new.tiers}):
        found.append(f"tier {code} removed")
    if old.confidence != new.confidence:
        found.append("confidence weights or bands changed (confidence only; never the score or tier)")
    return found
