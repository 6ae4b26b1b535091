"""Feed imports and identity resolution: partner extracts, their source records, the people those
records resolve to, candidate pairs for clerical review, and reversible merges."""

from typing import Any

from django.db import models
from django.utils.dateparse import parse_datetime

from marsoc.accounts.models import Agency, Hub, by_user
from marsoc.core.model_fields import Referenced, classification_field, optional_fk
from marsoc.core.vocabulary import Classification


class ImportStatus(models.TextChoices):
    STAGED = "staged", "Staged"
    VALIDATING = "validating", "Validating"
    COMMITTING = "committing", "Committing"
    COMMITTED = "committed", "Committed"
    REJECTED = "rejected", "Rejected (nothing changed)"
    FAILED = "failed", "Failed (nothing changed)"  # an error (its cause in `error`), or too many worker stops


FINISHED_STATUSES = (ImportStatus.COMMITTED, ImportStatus.REJECTED, ImportStatus.FAILED)
UNFINISHED_STATUSES = (ImportStatus.STAGED, ImportStatus.VALIDATING, ImportStatus.COMMITTING)


class FeedImport(models.Model):
    """One extract from one partner system. The file itself is kept (staged) until committed."""

    source_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="feed_imports")
    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="feed_imports")
    classification = classification_field(default=Classification.OFFICIAL_SENSITIVE)
    filename = models.CharField(max_length=255)
    staged_path = models.CharField(max_length=500, help_text="Where the staged file is kept")
    file_sha256 = models.CharField(max_length=64, db_index=True)
    mapping_name = models.CharField(max_length=100)
    mapping = models.JSONField(help_text="The mapping file as parsed, kept so the import can be replayed")
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.STAGED)
    error = models.TextField(
        blank=True, help_text="Why the whole file was rejected, or why the import failed"
    )
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="Sentences about a committed import worth a look (a file with no rows)",
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_quarantined = models.PositiveIntegerField(default=0)
    rows_warned = models.PositiveIntegerField(
        default=0, help_text="Rows kept with an optional field left empty (unreadable or foreign)"
    )
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    created_by = by_user(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The queued task that processes it")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker started processing it")
    interruptions = models.JSONField(
        default=list,
        blank=True,
        help_text="[{at, stage, rows_read, action}]: each time a worker stopped during it, and what was done",
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def interruption_rows(self) -> list[dict[str, Any]]:
        return [{**entry, "at": parse_datetime(entry["at"])} for entry in self.interruptions]


class QuarantinedRow(models.Model):
    """A row of the validation report: a row that failed validation, kept with its reasons for
    correction and re-submission, or (`kept`) a row imported with optional fields left empty."""

    feed_import = models.ForeignKey(FeedImport, on_delete=models.CASCADE, related_name="quarantine")
    row_number = models.PositiveIntegerField(help_text="1 is the first data row after any header")
    source_key = models.CharField(max_length=100, blank=True)
    raw = models.JSONField(help_text="The row as read (long values cut short)")
    problems = models.JSONField(help_text="[{column, value, reason}]")
    kept = models.BooleanField(
        default=False, help_text="The row was imported, with the fields named in problems left empty"
    )

    class Meta:
        ordering = ["feed_import", "row_number"]

    def __str__(self) -> str:
        return f"row {self.row_number} of import {self.feed_import_id}"


class Person(Referenced):
    """A resolved identity. The id is stable: a merged-away person keeps its row and points at the
    survivor, so an old reference still leads somewhere."""

    reference_prefix = "LP"
    reference_digits = 7

    created_at = models.DateTimeField(auto_now_add=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="absorbed"
    )

    class Meta:
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.reference


class SourceRecord(models.Model):
    """One person as one partner system holds them, normalised by the feed's mapping."""

    source_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    classification = classification_field()
    source_key = models.CharField(max_length=100)
    given_names = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names: ['given family', ...]")
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    pnc = models.CharField(max_length=20, blank=True, db_index=True)
    cro = models.CharField(max_length=20, blank=True, db_index=True)
    nomis = models.CharField(max_length=10, blank=True, db_index=True)
    crn = models.CharField(max_length=10, blank=True, db_index=True)
    # Generic fields, for partners outside UK criminal justice (see mapping.GENERIC_FIELDS).
    identifier = models.CharField(
        max_length=50, blank=True, help_text="Another identifier, letters and digits"
    )
    street_number = models.CharField(max_length=20, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True, help_text="County, state or region")
    content_hash = models.CharField(max_length=64)
    first_import = models.ForeignKey(FeedImport, on_delete=models.PROTECT, related_name="+")
    last_import = models.ForeignKey(FeedImport, on_delete=models.PROTECT, related_name="+")
    person = optional_fk(Person, on_delete=models.PROTECT, related_name="records")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_agency", "source_key"], name="source_record_unique_key")
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.source_agency_id}:{self.source_key}"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()


class SourceRecordVersion(models.Model):
    """The previous content of a record each time a later import changed it."""

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="versions")
    feed_import = models.ForeignKey(FeedImport, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField()
    content_hash = models.CharField(max_length=64)
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return f"version of {self.record_id} replaced by import {self.feed_import_id}"


class LinkageModel(models.Model):
    """A trained Splink model: its JSON settings, when and on what it was trained, its thresholds."""

    version = models.PositiveIntegerField(unique=True)
    splink_version = models.CharField(max_length=20)
    settings_json = models.JSONField()
    training_summary = models.JSONField()
    auto_link_threshold = models.FloatField(help_text="Match probability at or above which records link")
    review_threshold = models.FloatField(help_text="Match probability at or above which a person reviews")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"linkage model v{self.version}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


PENDING_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class LinkageRun(models.Model):
    """One pass of linkage over every source record. A run asked for in the web UI exists from the
    moment it is queued, so the page can say it is waiting, running or failed; a run from the
    command line or the demo is written when it finishes."""

    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, null=True, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = by_user(null=True, blank=True)
    summary = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.FINISHED)
    error = models.TextField(blank=True, help_text="Why the run failed")
    task_id = models.CharField(max_length=64, blank=True, help_text="The task-worker task that runs it")
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When it was last put on the queue")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker started it")
    interruptions = models.JSONField(
        blank=True, default=list, help_text="[{at, action}]: each time a worker stopped during it"
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"linkage run {self.pk}"


class PairStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    MATCH = "match", "Match"
    NOT_MATCH = "not_match", "Not a match"
    UNSURE = "unsure", "Unsure"


class CandidatePair(models.Model):
    """Two records scored between the thresholds (or decided by a person). left.id < right.id."""

    left = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    explanation = models.JSONField(help_text="[{comparison, level, weight}] from the model")
    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="pairs")
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.PENDING)
    decided_by = by_user(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["left", "right"], name="candidate_pair_unique")]
        indexes = [models.Index(fields=["status", "-match_probability"])]

    def __str__(self) -> str:
        return f"pair {self.left_id}–{self.right_id} ({self.status})"


class Merge(models.Model):
    """Two people combined into one. `snapshot` holds what is needed to undo it exactly."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_in")
    absorbed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_out")
    pair = optional_fk(CandidatePair, on_delete=models.PROTECT)
    run = optional_fk(LinkageRun, on_delete=models.PROTECT)
    snapshot = models.JSONField(
        help_text="{records: {id: person_id}, pair: {status, decided_by, decided_at}}"
    )
    merged_by = by_user(null=True, blank=True)
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = by_user(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"merge of {self.absorbed_id} into {self.survivor_id}"
