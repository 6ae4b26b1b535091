"""Small builders for linkage tests: CSV files in a temporary folder, imports run to the end."""

import csv
from pathlib import Path

from marsoc.accounts.models import Agency, Hub
from marsoc.linkage import services
from marsoc.linkage.mapping import built_in_mappings, load_mapping
from marsoc.linkage.models import FeedImport, Merge, SourceRecord

# Each generated feed's built-in mapping and the agency whose extract it is.
FEEDS = {
    "prison": ("prison-nomis", "hmpps-prisons-london"),
    "probation": ("probation-delius", "probation-london"),
    "police": ("police-pnc", "mps"),
}

POLICE = [
    "PERSON_REF",
    "GIVEN_NAME",
    "FAMILY_NAME",
    "AKA",
    "DATE_OF_BIRTH",
    "SEX",
    "LAST_KNOWN_POSTCODE",
    "PNC_ID",
    "CRO_NO",
    "FORCE",
    "TRUTH",
]


def police_row(
    ref: str, given: str = "John", family: str = "Smith", dob: str = "02/03/1980", **extra: str
) -> dict[str, str]:
    row = {c: "" for c in POLICE}
    row.update(
        PERSON_REF=ref,
        GIVEN_NAME=given,
        FAMILY_NAME=family,
        DATE_OF_BIRTH=dob,
        SEX="M",
        FORCE="MPS",
        TRUTH=ref,
    )
    row.update(extra)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] = POLICE) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_import(
    path: Path,
    *,
    mapping: str = "police-pnc",
    agency: str = "mps",
    hub: str = "london",
    actor=None,
    classification: str = "OFFICIAL-SENSITIVE",
) -> FeedImport:
    staged = services.feed_stage(
        actor=actor,
        source_path=path,
        filename=path.name,
        mapping=load_mapping(built_in_mappings()[mapping]),
        source_agency=Agency.objects.get(code=agency),
        owner_hub=Hub.objects.get(code=hub),
        classification=classification,
    )
    return services.feed_import_process(staged.pk, progress=None)


def linkage_world(tmp_path: Path, decider) -> dict[str, int]:
    """A London police import of four records: a pending pair (for the queue) and a pair decided
    "match" (so a merge exists to undo). Pairs are written as a linkage run would write them."""
    from marsoc.linkage.models import CandidatePair, LinkageRun, PairStatus

    rows = [
        police_row("W1", given="John", family="Smith"),
        police_row("W2", given="Jon", family="Smith"),
        police_row("W3", given="Amy", family="Lee", dob="05/01/1990"),
        police_row("W4", given="Aimee", family="Lee", dob="05/01/1990"),
    ]
    feed = run_import(write_csv(tmp_path / "world.csv", rows))
    services.people_for_unlinked()
    run = LinkageRun.objects.create()
    by_key = {r.source_key: r for r in SourceRecord.objects.filter(source_key__in=["W1", "W2", "W3", "W4"])}
    explanation = [{"comparison": "first_name", "level": "Jaro-Winkler > 0.9", "weight": 3.1}]
    pending = CandidatePair.objects.create(
        left=by_key["W1"],
        right=by_key["W2"],
        match_probability=0.8,
        match_weight=2.0,
        explanation=explanation,
        run=run,
    )
    to_merge = CandidatePair.objects.create(
        left=by_key["W3"],
        right=by_key["W4"],
        match_probability=0.7,
        match_weight=1.2,
        explanation=explanation,
        run=run,
    )
    services.pair_decide(actor=decider, pair_id=to_merge.pk, decision=PairStatus.MATCH)
    merge = Merge.objects.get(pair=to_merge)
    return {
        "import": feed.pk,
        "pair": pending.pk,
        "person": by_key["W1"].person_id,
        "merge": merge.pk,
    }
