"""Funding holds nothing about a nominal: grants, posts, claims and decisions are staff and finance data
(core.subjects)."""

from marsoc.core.subjects import not_about_a_person

for _resource in ("grant", "claim", "decision", "dpia"):
    not_about_a_person(_resource, "grant, decision and governance records, never about a nominal")
