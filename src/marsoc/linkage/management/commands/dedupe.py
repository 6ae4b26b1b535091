"""`marsoc dedupe MAPPING FILE`: clusters of the records in one file that are the same person."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from ._engine import EngineCommand, mapping_arg


class Command(EngineCommand):
    help = "Find the records in one file that are the same person; --evaluate with a truth column"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mapping")
        parser.add_argument("file", type=Path)
        self.add_common(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_engine([("file", mapping_arg(options["mapping"]), options["file"])], options)
