"""The fault suite: real processes, real PostgreSQL, real files. Tests here that need data committed
for other connections (threads, worker processes) are transactional; a transactional test's flush
empties the reference data the migrations loaded, so `committed` loads it again first."""

import importlib

import pytest
from django.apps import apps
from django.db import connection


def reload_reference_data() -> None:
    """What the data migrations load, for a transactional test that runs after another's flush."""
    from marsoc.accounts.reference import load_reference_data
    from marsoc.plans.catalogue import load_catalogue

    load_reference_data()
    load_catalogue()
    importlib.import_module("marsoc.assessment.migrations.0002_default_method").load(apps, None)
    importlib.import_module("marsoc.assessment.migrations.0003_equality").load_default_population(apps, None)


@pytest.fixture
def committed(transactional_db):
    """A transactional database with the reference data in place (see the module docstring)."""
    reload_reference_data()


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (the module docstring says why)")
