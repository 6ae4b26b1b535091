"""Reporting holds counts, never a person (core.subjects): its cells are rebuilt from the records."""

from marsoc.core.subjects import not_about_a_person

not_about_a_person("report_figure", "monthly counts by hub, never a person")
