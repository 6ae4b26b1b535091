"""`marsoc linkage_run [--train]`: link every source record now (training a model first if asked or
if there is none)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from marsoc.linkage import services


class Command(BaseCommand):
    help = "Run identity resolution over every imported source record"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", action="store_true", help="Train a new model version first")

    def handle(self, *args: Any, **options: Any) -> None:
        model = services.model_train(actor=None) if options["train"] else None
        run = services.linkage_run(actor=None, model=model)
        self.stdout.write(f"Linkage run {run.pk}: {run.summary}")
