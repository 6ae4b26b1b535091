"""`marsoc feed_account`: make a partner system's service account and its first feed token (issue 15)."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub
from marsoc.accounts.services import feed_account_create
from marsoc.core.errors import ValidationFailed


class Command(BaseCommand):
    help = (
        "Create a partner system's feed account: it may only push its agency's extracts to one hub and "
        "follow them through the API. The token is printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="The account's name, e.g. feed.nps-london")
        parser.add_argument(
            "--agency", required=True, help="The code of the partner agency whose extracts it sends"
        )
        parser.add_argument("--hub", required=True, help="The code of the hub the extracts go to")
        parser.add_argument(
            "--name", required=True, help="What the system is, e.g. 'London Probation case system'"
        )
        parser.add_argument(
            "--rate", type=int, default=None, help="Requests a minute (default: the service's)"
        )
        parser.add_argument("--expires-days", type=int, default=90, help="Days until the token expires (90)")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        hub = Hub.objects.filter(code=options["hub"]).first()
        if agency is None:
            raise CommandError(f"--agency: no agency has the code {options['agency']!r}")
        if hub is None:
            raise CommandError(f"--hub: no hub has the code {options['hub']!r}")
        if options["expires_days"] < 1 or (options["rate"] is not None and options["rate"] < 1):
            raise CommandError("--expires-days and --rate must be whole numbers of 1 or more")
        try:
            user, token, raw = feed_account_create(
                actor=None,
                username=options["username"],
                agency=agency,
                hub=hub,
                name=options["name"],
                rate_per_minute=options["rate"],
                expires_at=timezone.now() + timedelta(days=options["expires_days"]),
            )
        except ValidationFailed as exc:
            raise CommandError("; ".join(f"--{f}: {' '.join(m)}" for f, m in exc.errors.items())) from exc
        assert token.expires_at is not None
        self.stdout.write(
            f"Feed account {user.username} for {agency.name} into {hub.name}. Its token (shown once, "
            f"expires {token.expires_at:%d %B %Y}; rotate it with POST /api/tokens/rotate):\n{raw}"
        )
