"""`marsoc link MAPPING_A FILE_A MAPPING_B FILE_B`: scored pairs and clusters across two files."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from ._engine import EngineCommand, mapping_arg


class Command(EngineCommand):
    help = "Link two files of person records (mapping names or mapping file paths); --evaluate with a truth column"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mapping_a")
        parser.add_argument("file_a", type=Path)
        parser.add_argument("mapping_b")
        parser.add_argument("file_b", type=Path)
        self.add_common(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_engine(
            [
                ("a", mapping_arg(options["mapping_a"]), options["file_a"]),
                ("b", mapping_arg(options["mapping_b"]), options["file_b"]),
            ],
            options,
        )
