"""Storing a parsed reference population, shared by the data migration and the services.

Takes the model classes as arguments so the migration can pass its historical models."""

from typing import Any

from .equality import DEFAULT_POPULATION_FILE, PopulationSpec, parse_population


def store_population(
    spec: PopulationSpec,
    *,
    population_model: Any,
    share_model: Any,
    hub_model: Any,
    updated_by_id: int | None = None,
    make_default: bool = False,
) -> Any:
    """Create the population and its shares, or replace the shares of the one with the same code."""
    hub = None if spec.scope == "national" else hub_model.objects.get(code=spec.scope)
    values = {
        "name": spec.name,
        "year": spec.year,
        "hub": hub,
        "population": spec.population,
        "source": spec.source,
        "source_url": spec.source_url,
        "notes": spec.notes,
        "flag_threshold": spec.flag_threshold,
        "updated_by_id": updated_by_id,
    }
    population, _created = population_model.objects.update_or_create(code=spec.code, defaults=values)
    if make_default:
        population_model.objects.filter(hub=hub, is_default=True).exclude(pk=population.pk).update(
            is_default=False
        )
        population_model.objects.filter(pk=population.pk).update(is_default=True)
        population.is_default = True
    share_model.objects.filter(population=population).delete()
    share_model.objects.bulk_create(
        [
            share_model(
                population=population,
                characteristic=characteristic,
                group=group,
                share=value,
                source=spec.sources.get(characteristic, "")[:300],
                approximate=spec.approximate.get(characteristic, False),
            )
            for characteristic, groups in spec.shares.items()
            for group, value in groups.items()
        ]
    )
    return population


def install_default_population(apps: Any = None) -> Any:
    """Load the default national population from the repository file unless it is already there."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    population_model = apps.get_model("assessment", "ReferencePopulation")
    spec = parse_population(DEFAULT_POPULATION_FILE.read_text(encoding="utf-8"))
    existing = population_model.objects.filter(code=spec.code).first()
    if existing is not None:
        return existing  # an analyst's later corrections are kept
    return store_population(
        spec,
        population_model=population_model,
        share_model=apps.get_model("assessment", "ReferenceShare"),
        hub_model=apps.get_model("accounts", "Hub"),
        make_default=not population_model.objects.filter(hub__isnull=True, is_default=True).exists(),
    )
