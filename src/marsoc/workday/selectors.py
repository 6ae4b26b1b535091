"""Reads for the working day: re-exported so views import selectors, as everywhere else."""

from .chronology import chronology_for
from .queues import QueueCount, WorkItem, home_queues, queue_by_key, queue_items, queues_for

__all__ = [
    "QueueCount",
    "WorkItem",
    "chronology_for",
    "home_queues",
    "queue_by_key",
    "queue_items",
    "queues_for",
]
