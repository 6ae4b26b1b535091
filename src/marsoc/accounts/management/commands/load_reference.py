"""`marsoc load_reference`: (re)load hubs, agencies and establishments from the reference file."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from marsoc.accounts.reference import REFERENCE_FILE, load_reference_data


class Command(BaseCommand):
    help = "Create missing hubs, agencies and establishments from the reference file (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Also reset names and contacts an administrator has edited",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = load_reference_data(overwrite=options["overwrite"])
        summary = ", ".join(f"{n} {kind}" for kind, n in created.items())
        self.stdout.write(f"Reference data from {REFERENCE_FILE.name}: created {summary}.")
