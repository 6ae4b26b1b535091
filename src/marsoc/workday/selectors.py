"""Reads for the working day: re-exported so views import selectors, as everywhere else."""

from .chronology import chronology_for
from .queues import QueueCount, WorkItem, home_queues, queue_by_key, queue_items, queues_for
from .rollup import MEASURES, HubRow, hub_rollup

__all__ = [
    "MEASURES",
    "HubRow",
    "QueueCount",
    "WorkItem",
    "chronology_for",
    "home_queues",
    "hub_rollup",
    "queue_by_key",
    "queue_items",
    "queues_for",
]
