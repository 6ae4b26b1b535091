"""`marsoc plan_alerts`: produce date-driven alerts and e-mail new ones. Schedule it daily (cron or
systemd timer); `--enqueue` hands the work to the task worker instead. Running it twice sends nothing twice."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from marsoc.plans.alerts import alerts_run
from marsoc.plans.tasks import alerts_task


class Command(BaseCommand):
    help = "Produce plan alerts (actions due and overdue, releases with no agreed plan, orders expiring)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue for the task worker instead")
        parser.add_argument("--base-url", default="", help="Prefix for links in e-mails")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            alerts_task.enqueue()
            self.stdout.write("Queued for the task worker")
            return
        result = alerts_run(base_url=options["base_url"])
        self.stdout.write(f"{result.created} alerts created, {result.emailed} e-mails sent")
