"""`marsoc linkage_run --as USERNAME [--train]`: link every source record now (training a model first if asked or
if there is none)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsoc.accounts.selectors import command_actor
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.processing import off_message, switched_on
from marsoc.linkage import services


class Command(BaseCommand):
    help = "Run identity resolution over every imported source record"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", action="store_true", help="Train a new model version first")
        parser.add_argument(
            "--as", dest="as_user", help="Who runs it: a national analyst or national manager"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not switched_on("linkage"):
            raise CommandError(off_message("linkage"))
        actor = command_actor(options["as_user"])
        try:
            model = services.model_train(actor=actor) if options["train"] else None
            run = services.linkage_run(actor=actor, model=model)
        except (PermissionDenied, ValidationFailed) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Linkage run {run.pk}: {run.summary}")
