"""`marsoc reporting_snapshot`: build the Board's monthly snapshots now, or queue them for the worker."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from marsoc.reporting.services import dashboards_warm, snapshots_refresh
from marsoc.reporting.tasks import snapshots_refresh_task


class Command(BaseCommand):
    help = "Build the monthly reporting snapshots that are missing or still running (incremental)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=24, help="how many months back (default 24)")
        parser.add_argument("--rebuild", action="store_true", help="rebuild complete months too")
        parser.add_argument("--enqueue", action="store_true", help="queue the work for the task worker")
        parser.add_argument(
            "--warm", action="store_true", help="then build and keep the dashboards readers open first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["months"]
        if months < 1 or months > 240:
            self.stderr.write("--months: give a number of months from 1 to 240")
            raise SystemExit(2)
        if options["enqueue"]:
            result = snapshots_refresh_task.enqueue(months=months, rebuild=options["rebuild"])
            self.stdout.write(f"Queued snapshot build {result.id}")
            return
        built = snapshots_refresh(months=months, rebuild=options["rebuild"])
        for snapshot in built:
            self.stdout.write(f"{snapshot}: {'complete' if snapshot.complete else 'running month'}")
        self.stdout.write(f"Built {len(built)} monthly snapshot(s)")
        if options["warm"]:
            self.stdout.write(f"Kept {dashboards_warm()} dashboard(s)")
