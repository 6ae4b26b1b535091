"""`marsoc db_worker`: django-tasks-db's worker, after sending `core.worker.worker_starting` so
apps can recover work a stopped worker left half done. Every option is the original's."""

import logging
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from marsoc.core.worker import worker_starting

logger = logging.getLogger("marsoc.worker")


class Command(DatabaseWorkerCommand):
    help = DatabaseWorkerCommand.help + " (first recovering work a stopped worker left behind)"

    def handle(self, *args: Any, **options: Any) -> None:
        for receiver, outcome in worker_starting.send_robust(sender=self.__class__):
            if isinstance(outcome, Exception):
                logger.error("Worker start hook %r failed: %s", receiver, outcome, exc_info=outcome)
            elif outcome:
                self.stdout.write(str(outcome))
        super().handle(*args, **options)
