"""`marsoc audit verify [--checkpoint FILE]` and `marsoc audit checkpoint [--output FILE]`.

verify walks the keyed chain and names the entry where it breaks; with --checkpoint it also checks the
chain against checkpoints exported earlier (one JSON object a line), which is how a removed tail is proved
even if the database was rewritten. checkpoint signs the head now and prints it as one JSON line, to be
appended to write-once storage (docs/audit.md)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsoc.core.audit import audit_checkpoint, audit_verify, checkpoint_as_dict, checkpoint_from_dict
from marsoc.core.models import AuditCheckpoint


def _read_checkpoints(path: Path) -> list[AuditCheckpoint]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            found.append(checkpoint_from_dict(json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise CommandError(f"{path}, line {number}: {exc}") from exc
    return found


class Command(BaseCommand):
    help = "Audit log tools: 'verify' checks the keyed chain; 'checkpoint' signs and prints its head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument("--checkpoint", type=Path, help="verify: exported checkpoints to check against")
        parser.add_argument("--output", type=Path, help="checkpoint: append the line to this file as well")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            line = json.dumps(checkpoint_as_dict(audit_checkpoint()), sort_keys=True)
            if options["output"] is not None:
                with options["output"].open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
            self.stdout.write(line)
            return
        external = _read_checkpoints(options["checkpoint"]) if options["checkpoint"] else []
        result = audit_verify(external)
        if result.ok:
            self.stdout.write(
                f"Audit chain intact: {result.checked} entries verified, "
                f"{result.checkpoints} checkpoint(s) borne out."
            )
            return
        brk = result.first_break
        assert brk is not None
        raise CommandError(
            f"Audit chain BROKEN at entry #{brk.event_id}: {brk.reason} "
            f"({result.checked} entries before it verified)."
        )
