"""Shared parsing for `marsoc link` and `marsoc dedupe`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsoc.core.processing import off_message, switched_on
from marsoc.linkage import files
from marsoc.linkage.engine import Thresholds
from marsoc.linkage.mapping import Mapping, MappingError, built_in_mappings, load_mapping
from marsoc.linkage.model import ModelError
from marsoc.linkage.prior import TrainingError
from marsoc.linkage.services import thresholds


def mapping_arg(value: str) -> Mapping:
    path = built_in_mappings().get(value) or Path(value)
    try:
        return load_mapping(path)
    except (OSError, MappingError) as error:
        raise CommandError(str(error)) from error


class EngineCommand(BaseCommand):
    def add_common(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="Folder for pairs.csv and clusters.csv")
        parser.add_argument("--evaluate", action="store_true", help="Score against the ground-truth column")
        parser.add_argument("--auto-link", type=float, help="Override the configured auto-link threshold")
        parser.add_argument("--review", type=float, help="Override the configured review threshold")

    def run_engine(self, specs: list[tuple[str, Mapping, Path]], options: dict[str, Any]) -> None:
        # Linking files is identity resolution too: a deployment that switched it off runs none of it.
        if not switched_on("linkage"):
            raise CommandError(off_message("linkage"))
        limits = thresholds()
        limits = Thresholds(
            auto_link=options["auto_link"] or limits.auto_link, review=options["review"] or limits.review
        )
        try:
            loaded = files.load_files(specs)
        except ModelError as error:
            raise CommandError(str(error)) from error
        if options["evaluate"] and not loaded.truth:
            raise SystemExit("Evaluate needs a ground-truth column: map one to the field 'truth'")
        self.stdout.write(
            f"{len(loaded.records)} records read, {len(loaded.rejected)} rows left out (a required field "
            f"missing or unreadable), {loaded.warned} kept with an optional field left empty"
        )
        for line in loaded.rejected[:20]:
            self.stdout.write(f"  left out: {line}")
        for line in loaded.warnings[:20]:
            self.stdout.write(f"  kept: {line}")
        try:
            result = files.run(loaded, limits)
        except TrainingError as error:
            raise CommandError(str(error)) from error
        people = len(set(result.clusters.values()))
        self.stdout.write(
            f"{len(result.deterministic)} identifier links, {len(result.scored)} pairs scored ≥ {limits.review}, "
            f"{people} people; train {result.seconds['train']} s, link {result.seconds['link']} s"
        )
        if options["out"]:
            files.write_outputs(loaded, result, options["out"])
            self.stdout.write(f"Wrote {options['out'] / 'pairs.csv'} and {options['out'] / 'clusters.csv'}")
        if options["evaluate"]:
            files.evaluate(loaded, result, limits.auto_link, self.stdout.write, review=limits.review)
