"""Monthly snapshots of the Board's measures.

A snapshot holds raw counts (never shown as they are: suppression is applied for each viewer when they
are read) per hub, measure, category and the classification of the records counted, so a viewer's
clearance still decides what is counted, as on every other aggregate. Snapshots are kept, so a trend
survives later changes to the records (an action completed late, a person moved to another hub)."""

from django.db import models

from marsoc.accounts.models import Hub, User
from marsoc.core.model_fields import classification_field


class Snapshot(models.Model):
    month = models.DateField(unique=True, help_text="The first day of the month the figures describe")
    built_at = models.DateTimeField()
    complete = models.BooleanField(
        default=False, help_text="False while the month is still running: it is rebuilt until it ends"
    )

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return self.month.strftime("%B %Y")


class Figure(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="figures")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    measure = models.CharField(max_length=40)
    category = models.CharField(max_length=40, blank=True, default="")
    classification = classification_field()
    value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "hub", "measure", "category", "classification"],
                name="one_figure_per_cell",
            )
        ]
        indexes = [models.Index(fields=["measure", "snapshot"])]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.hub_id} {self.measure}/{self.category}: {self.value}"


class BuiltDashboard(models.Model):
    """A dashboard already built (its charts drawn, its figures suppressed), kept so a page view reads it
    instead of drawing a dozen charts again. `key` names what the viewer may be shown (hubs shown and
    shown exactly, the façade's scope of figures) and the period; `version` the snapshots it was built
    from, so a refreshed snapshot makes it stale. Holds aggregates only, already suppressed."""

    key = models.CharField(max_length=64, unique=True)
    version = models.CharField(max_length=80)
    payload = models.JSONField()
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"dashboard {self.key[:8]} ({self.version})"


class PackCommentary(models.Model):
    """What the national team writes for a quarter's Board pack before it is issued (no person)."""

    quarter = models.DateField(unique=True, help_text="The quarter's first month")
    summary = models.TextField()
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"commentary for the quarter from {self.quarter:%B %Y}"
