"""The users of a load run (bench/load.py runs this in its own process, with Django): N hub managers
spread over the regional hubs, each with a known authenticator key and an API token, and for each the
ids and surnames of people of their own hub to open and to search for. Prints JSON; asserts nothing."""

import json
import sys

import django


def main(count: int, seed: int) -> None:
    django.setup()
    from marsoc.accounts.models import Agency, Hub
    from marsoc.accounts.services import api_token_issue, totp_device_set, user_create
    from marsoc.core import access
    from marsoc.core.vocabulary import Role
    from marsoc.demo.generate import DEMO_PASSWORD, totp_key_hex
    from marsoc.nominals.models import Nominal
    from marsoc.plans.models import Plan

    hubs = list(Hub.objects.filter(is_national=False).order_by("code"))
    users = []
    for i in range(count):
        hub = hubs[i % len(hubs)]
        username = f"load.{i:02d}"
        agency = (
            Agency.objects.filter(hub=hub).order_by("code").first() or Agency.objects.order_by("code").first()
        )
        user = user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            agency=agency,
            hub=hub,
            roles=[Role.HUB_MANAGER],
            first_name="Load",
            last_name=f"User {i}",
            email=f"{username}@marsoc.example",
        )
        key = totp_key_hex(seed, username)
        totp_device_set(user, key)
        _, token = api_token_issue(user=user, name="load")
        # Only people this user may open, through the one access policy: the demo restricts a person
        # (DPA 2018 s.47) whom every user but the restriction's managers finds as missing (404).
        visible = Nominal.objects.filter(owner_hub=hub).filter(access.scope(user, "nominal"))
        people = list(visible.order_by("id").values_list("id", "family_name")[:200])
        users.append(
            {
                "username": username,
                "password": DEMO_PASSWORD,
                "totp_key": key,
                "token": token,
                "nominal_ids": [p[0] for p in people],
                "plan_ids": list(
                    Plan.objects.filter(nominal__in=visible.values("pk"))
                    .order_by("id")
                    .values_list("nominal_id", flat=True)[:100]
                ),
                "surnames": sorted({p[1] for p in people})[:50],
            }
        )
    json.dump(users, sys.stdout)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
