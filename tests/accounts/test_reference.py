"""Reference data: loaded by migration, reloadable by a command without duplicating or losing edits."""

import io

import pytest
from django.core.management import call_command

from marsoc.accounts.models import Agency, Establishment, Hub

pytestmark = pytest.mark.django_db


def test_migration_loads_the_national_team_and_ten_hubs():
    assert Hub.objects.filter(is_national=True).count() == 1
    assert Hub.objects.filter(is_national=False).count() == 10
    assert Establishment.objects.get(code="LEI").hub.code == "yorkshire-humber"
    assert set(Agency.objects.values_list("agency_type", flat=True)) >= {
        "prison",
        "probation",
        "police",
        "rocu",
        "nca",
        "home_office",
        "hmrc",
        "local_authority",
        "other",
    }


def test_reload_is_idempotent_and_keeps_administrator_edits():
    Hub.objects.filter(code="wales").update(contact_email="duty@wales.example")
    Establishment.objects.filter(code="CFI").delete()
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert "created 0 hubs, 0 agencies, 1 establishments" in out.getvalue()
    assert Hub.objects.get(code="wales").contact_email == "duty@wales.example"
    assert Hub.objects.count() == 11
    call_command("load_reference", "--overwrite", stdout=io.StringIO())
    assert Hub.objects.get(code="wales").contact_email == "marsoc.wales@hub.example"
