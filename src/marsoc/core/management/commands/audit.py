"""`marsoc audit verify`: walk the hash chain and name the first broken link."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsoc.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks the hash chain of the s.62 audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"], help="verify: check every entry's hash and link")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"Audit chain intact: {result.checked} entries verified.")
            return
        brk = result.first_break
        assert brk is not None
        raise CommandError(
            f"Audit chain BROKEN at entry #{brk.event_id}: {brk.reason} ({result.checked} entries before it verified)."
        )
