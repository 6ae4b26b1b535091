"""`marsoc network_custody_links --as USERNAME [--hub CODE]`: derive cell-mate links from custody records
(two people the user may see, held in the same establishment at the same time). Idempotent."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsoc.accounts.selectors import command_actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.processing import off_message, switched_on
from marsoc.network import selectors, services


class Command(BaseCommand):
    help = "Derive cell-mate links from custody records"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="as_user", help="Who derives them: a hub manager or officer")
        parser.add_argument("--hub", default="", help="Only the people of this hub (its code)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not switched_on("network"):
            raise CommandError(off_message("network"))
        actor = command_actor(options["as_user"])
        hub_id = None
        if options["hub"]:
            hub = selectors.hub_choices().filter(code=options["hub"]).first()
            if hub is None:
                raise CommandError(f"No hub with the code {options['hub']!r}")
            hub_id = hub.pk
        try:
            made = services.custody_links_derive(actor=actor, hub_id=hub_id)
        except NotFoundOrForbidden as exc:
            raise CommandError(f"{actor.username} may not record networks") from exc
        self.stdout.write(f"{len(made)} cell-mate link(s) derived")
