"""`marsoc import_feed FILE --mapping prison-nomis --agency CODE --hub CODE`: stage, validate and
commit one partner extract here and now, printing progress (`--queue` leaves it to the worker)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsoc.accounts.models import Agency, Hub
from marsoc.linkage import services
from marsoc.linkage.models import FeedImport, ImportStatus

from ._engine import mapping_arg


class Command(BaseCommand):
    help = "Import a partner extract described by a mapping file"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, help="A built-in mapping name or a mapping file")
        parser.add_argument("--agency", required=True, help="Source agency code")
        parser.add_argument("--hub", required=True, help="Owner hub code")
        parser.add_argument("--classification", default="OFFICIAL-SENSITIVE")
        parser.add_argument("--queue", action="store_true", help="Queue on the task worker instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["file"].is_file():
            raise CommandError(f"No such file: {options['file']}")
        try:
            agency = Agency.objects.get(code=options["agency"])
            hub = Hub.objects.get(code=options["hub"])
        except (Agency.DoesNotExist, Hub.DoesNotExist) as error:
            raise CommandError(f"Unknown agency or hub: {error}") from error
        kwargs = {
            "actor": None,
            "source_path": options["file"],
            "filename": options["file"].name,
            "mapping": mapping_arg(options["mapping"]),
            "source_agency": agency,
            "owner_hub": hub,
            "classification": options["classification"],
        }
        if options["queue"]:
            queued = services.feed_import_request(**kwargs)
            self.stdout.write(f"Import {queued.pk} queued")
            return
        staged = services.feed_stage(**kwargs)

        def progress(feed_import: FeedImport) -> None:
            services._save_progress(feed_import)
            self.stdout.write(f"  {feed_import.rows_read:,} rows checked")

        done = services.feed_import_process(staged.pk, progress=progress)
        if done.status == ImportStatus.REJECTED:
            for row in done.quarantine.all()[:20]:
                for p in row.problems:
                    self.stderr.write(f"  row {p['row']} {p['column']} {p['value']!r}: {p['reason']}")
            raise CommandError(done.error)
        self.stdout.write(
            f"Import {done.pk}: {done.rows_read:,} rows, {done.rows_new:,} new, {done.rows_updated:,} changed, "
            f"{done.rows_unchanged:,} unchanged, {done.rows_quarantined:,} quarantined"
        )
