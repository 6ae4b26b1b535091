"""Loading the reference data (hubs, agencies, establishments). Idempotent: run it as often as you like;
an administrator's later edits to names and contacts are kept unless `overwrite` is set."""

import json
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).parent / "data" / "reference.json"


def load_reference_data(apps: Any = None, *, overwrite: bool = False) -> dict[str, int]:
    """Create missing rows. `apps` is the migration app registry when called from a migration."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    hub_model = apps.get_model("accounts", "Hub")
    agency_model = apps.get_model("accounts", "Agency")
    establishment_model = apps.get_model("accounts", "Establishment")
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    created = {"hubs": 0, "agencies": 0, "establishments": 0}

    def upsert(model: Any, key: dict[str, Any], values: dict[str, Any], counter: str) -> Any:
        obj = model.objects.filter(**key).first()
        if obj is None:
            created[counter] += 1
            return model.objects.create(**key, **values)
        if overwrite:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
        return obj

    hubs = {}
    for row in data["hubs"]:
        hubs[row["code"]] = upsert(
            hub_model,
            {"code": row["code"]},
            {
                "name": row["name"],
                "region": row["region"],
                "unit": row["unit"],
                "is_national": row.get("is_national", False),
                "contact_name": f"{row['name']} duty desk",
                "contact_email": f"marsoc.{row['code']}@hub.example",
                "contact_phone": "",
            },
            "hubs",
        )
    for row in data["agencies"]:
        upsert(
            agency_model,
            {"code": row["code"]},
            {
                "name": row["name"],
                "agency_type": row["type"],
                "hub": hubs.get(row["hub"]) if row["hub"] else None,
            },
            "agencies",
        )
    for row in data["establishments"]:
        upsert(
            establishment_model,
            {"code": row["code"]},
            {"name": row["name"], "hub": hubs[row["hub"]], "active": row.get("active", True)},
            "establishments",
        )
    return created
