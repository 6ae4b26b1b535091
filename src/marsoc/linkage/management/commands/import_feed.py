"""`marsoc import_feed FILE --mapping prison-nomis --agency CODE --hub CODE`: stage, validate and
commit one partner extract here and now, printing progress (`--queue` leaves it to the worker).

The import acts as `--as USERNAME` (a person or a service account such as `feed.london`), recorded in
the audit log; the command refuses to run without one.

`marsoc import_feed --resume` finishes here and now every import left unfinished (staged,
validating or committing). It is rarely needed: a worker that starts queues again what a stopped
worker left (services.imports_recover). The commit is one transaction, so a stopped one wrote
nothing, and the import starts its passes again."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsoc.accounts.models import Agency, Hub
from marsoc.accounts.selectors import command_actor
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.processing import off_message, switched_on
from marsoc.linkage import services
from marsoc.linkage.models import FINISHED_STATUSES, FeedImport, ImportStatus

from ._engine import mapping_arg

SHOWN_ROWS = 20


class Command(BaseCommand):
    help = "Import a partner extract described by a mapping file"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--mapping", help="A built-in mapping name or a mapping file")
        parser.add_argument("--agency", help="Source agency code")
        parser.add_argument("--hub", help="Owner hub code")
        parser.add_argument("--resume", action="store_true", help="Finish imports a stopped worker left")
        parser.add_argument("--classification", default="OFFICIAL-SENSITIVE")
        parser.add_argument("--queue", action="store_true", help="Queue on the task worker instead")
        parser.add_argument(
            "--as",
            dest="as_user",
            help="Who imports: a user or service account allowed to import for the hub",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not switched_on("linkage"):
            raise CommandError(off_message("linkage"))
        actor = command_actor(options["as_user"])
        if options["resume"]:
            for recovered in services.imports_recover(requeue=False):
                self.stdout.write(
                    f"Import {recovered.pk} ({recovered.filename}) had been interrupted: "
                    f"{recovered.interruptions[-1]['action']}"
                )
            unfinished = FeedImport.objects.exclude(status__in=FINISHED_STATUSES)
            for feed_import in unfinished.order_by("id"):
                done = services.feed_import_process(feed_import.pk)
                self.stdout.write(f"Import {done.pk} ({done.filename}): {done.get_status_display()}")
            return
        if not (options["file"] and options["mapping"] and options["agency"] and options["hub"]):
            raise CommandError("Give a file, --mapping, --agency and --hub (or --resume)")
        if not options["file"].is_file():
            raise CommandError(f"No such file: {options['file']}")
        try:
            agency = Agency.objects.get(code=options["agency"])
            hub = Hub.objects.get(code=options["hub"])
        except (Agency.DoesNotExist, Hub.DoesNotExist) as error:
            raise CommandError(f"Unknown agency or hub: {error}") from error
        kwargs = {
            "actor": actor,
            "source_path": options["file"],
            "filename": options["file"].name,
            "mapping": mapping_arg(options["mapping"]),
            "source_agency": agency,
            "owner_hub": hub,
            "classification": options["classification"],
        }
        try:
            if options["queue"]:
                queued = services.feed_import_request(**kwargs)
                self.stdout.write(f"Import {queued.pk} queued")
                return
            staged = services.feed_stage(**kwargs)
        except (PermissionDenied, ValidationFailed) as exc:
            raise CommandError(str(exc)) from exc

        def progress(feed_import: FeedImport) -> None:
            services._save_progress(feed_import)
            self.stdout.write(f"  {feed_import.rows_read:,} rows checked")

        done = services.feed_import_process(staged.pk, progress=progress)
        # Row-level problems are printed whatever the outcome: a committed import with quarantined
        # rows needs them as much as a rejected one.
        self._print_problems(done)
        if done.status in (ImportStatus.REJECTED, ImportStatus.FAILED):
            raise CommandError(done.error)
        for warning in done.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"Import {done.pk}: {done.rows_read:,} rows, {done.rows_new:,} new, {done.rows_updated:,} changed, "
            f"{done.rows_unchanged:,} unchanged, {done.rows_quarantined:,} quarantined, "
            f"{done.rows_warned:,} kept with a field left empty"
        )

    def _print_problems(self, done: FeedImport) -> None:
        shown = 0
        for row in done.quarantine.all()[:SHOWN_ROWS]:
            for p in row.problems:
                where = f"row {p['row']}" if p["row"] else "header"
                self.stderr.write(f"  {where} {p['column']} {p['value']!r}: {p['reason']}")
            shown += 1
        reported = done.rows_quarantined + done.rows_warned
        if reported > shown:
            self.stderr.write(
                f"  ... and {reported - shown:,} more rows with problems (see the import's page)"
            )
