"""Load the tools, powers and interventions catalogue (data in marsoc/plans/catalogue.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from marsoc.plans.catalogue import load_catalogue

    load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
