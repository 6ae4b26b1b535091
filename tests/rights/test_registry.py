"""Every app declares what it holds about a person (core.subjects). The coverage test walks the app
registry: a model with a foreign key (or many-to-many) to a nominal that no holding covers fails it, so a
new app cannot be left out of subject access or erasure. The second test builds one person with a record
in every app and checks that each row about them is in what the registry returns."""

from django.apps import apps
from django.db import models

from marsoc.core import subjects
from marsoc.nominals.models import Nominal

from .helpers import full_person


def nominal_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False) and f.is_relation and f.related_model is Nominal
    ]


def nominal_models() -> list[type[models.Model]]:
    return [Nominal] + [m for m in apps.get_models() if nominal_fields(m)]


def test_every_model_with_a_nominal_reference_is_covered():
    covered = subjects.covered_models()
    missing = sorted(m._meta.label for m in nominal_models() if m not in covered)
    assert not missing, f"register what these hold about a person in the app's holdings.py: {missing}"


def test_the_coverage_check_fails_for_an_unregistered_model():
    """The walk finds every kind of reference (a foreign key, a one-to-one, a many-to-many)."""
    from marsoc.casework.models import CaseNote
    from marsoc.intelligence.models import IntelItem
    from marsoc.plans.models import Plan

    found = set(nominal_models())
    assert {CaseNote, Plan, IntelItem} <= found
    assert CaseNote in subjects.covered_models()


def _rows_about(model: type[models.Model], nominal: Nominal) -> set[int]:
    if model is Nominal:
        return {nominal.pk}
    q = models.Q()
    for f in nominal_fields(model):
        q |= models.Q(**{f.name: nominal})
    return set(model._default_manager.filter(q).values_list("pk", flat=True))


def test_a_person_in_every_app_is_found_whole(db):
    full = full_person()
    found = {(r.model, r.pk) for r in subjects.records_about(full.nominal)}
    sections = {r.section for r in subjects.records_about(full.nominal)}
    missing = []
    for model in nominal_models():
        rows = _rows_about(model, full.nominal)
        if model._meta.label_lower == "intelligence.itemsubject":
            # Shown as the item, with the person's category in it.
            rows = set(model._default_manager.filter(pk__in=rows).values_list("item_id", flat=True))
            label = "intelligence.intelitem"
        else:
            label = model._meta.label_lower
        if not rows:
            missing.append(
                f"{model._meta.label}: the test person has no row (add one to helpers.full_person)"
            )
        missing += [f"{model._meta.label} {pk}" for pk in rows if (label, pk) not in found]
    assert not missing, missing
    # Records linked through others, and by identifier, are there too.
    assert {
        "Factor scores", "Plan versions", "Plan objectives", "Plan actions", "Outcomes", "Order breaches",
        "Corrections to intelligence", "Retention reviews of intelligence", "Intelligence shared",
        "Partner records", "Partner records combined", "Associations", "Group memberships", "Case notes",
        "Partner rows held back for correction",
    } <= sections  # fmt: skip
    held_back = [
        r
        for r in subjects.records_about(full.nominal)
        if r.section == "Partner rows held back for correction"
    ]
    assert [r.reference.endswith("row 1") for r in held_back] == [True]  # the other person's row 2 is not
    # Data from an agency outside the owning hub is flagged for consultation.
    nca = [r for r in subjects.records_about(full.nominal) if r.reference == full.shared_item.reference]
    assert nca and nca[0].partner and "National Crime Agency" in nca[0].agency
    assert not any(r.partner for r in subjects.records_about(full.nominal) if r.section == "Case notes")
