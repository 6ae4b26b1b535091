"""Demonstration data for identity resolution: three partner feeds imported through the real
pipeline (one extract rejected, some rows quarantined), a trained model, a linkage run with
automatic links, a review queue with pending pairs, and one reviewer's merge that can be undone."""

import random
import tempfile
from datetime import date
from pathlib import Path

from marsoc.accounts.models import Agency, Hub, User
from marsoc.linkage import services
from marsoc.linkage.engine import Thresholds
from marsoc.linkage.mapping import built_in_mappings, load_mapping
from marsoc.linkage.models import CandidatePair, FeedImport, PairStatus
from marsoc.linkage.synthetic import FEED_COLUMNS, OUTWARD, make_feeds, write_csv

DEFAULT_PEOPLE = 250
FEEDS = {
    "prison": ("prison-nomis", "hmpps-prisons-london"),
    "probation": ("probation-delius", "probation-london"),
    "police": ("police-pnc", "mps"),
}


def _import(path: Path, mapping: str, agency: str, actor: User | None) -> FeedImport:
    staged = services.feed_stage(
        actor=actor,
        source_path=path,
        filename=path.name,
        mapping=load_mapping(built_in_mappings()[mapping]),
        source_agency=Agency.objects.get(code=agency),
        owner_hub=Hub.objects.get(code="london"),
    )
    return services.feed_import_process(staged.pk, progress=None)


def generate_linkage(*, seed: int, people: int = DEFAULT_PEOPLE) -> dict[str, int]:
    if people <= 0:
        return {}
    rng = random.Random(seed)
    actor = User.objects.filter(username="london.manager").first()
    feeds = make_feeds(people, seed=seed, bad_rows=4)
    # Namesakes: same names and year of birth, another day and address, no identifiers. The model
    # cannot be sure about these, so they wait in the review queue.
    for n, person in enumerate(rng.sample(feeds.people, min(8, len(feeds.people)))):
        born = person.dob
        other_day = date(born.year, 12 if born.month < 7 else 1, min(born.day, 28))
        feeds.rows["police"].append(
            {
                "PERSON_REF": f"PRN{n:06d}",
                "GIVEN_NAME": person.given,
                "FAMILY_NAME": person.family,
                "AKA": "",
                "DATE_OF_BIRTH": other_day.strftime("%d/%m/%Y"),
                "SEX": person.sex,
                "LAST_KNOWN_POSTCODE": f"{rng.choice(OUTWARD)}2BX",
                "PNC_ID": "",
                "CRO_NO": "",
                "FORCE": "Metropolitan Police Service",
                "TRUTH": f"namesake-{n}",
            }
        )
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = feeds.write(Path(tmp))
        for source, (mapping, agency) in FEEDS.items():
            done = _import(paths[source], mapping, agency, actor)
            counts[f"{source}_records"] = done.rows_new
            counts["quarantined_rows"] = counts.get("quarantined_rows", 0) + done.rows_quarantined
            counts["rows_kept_with_warnings"] = counts.get("rows_kept_with_warnings", 0) + done.rows_warned
        # A broken extract: a formula in a cell. It is rejected whole and changes nothing.
        broken = Path(tmp) / "police-resubmission.csv"
        rows = [dict(r) for r in feeds.rows["police"][:3]]
        rows[1]["GIVEN_NAME"] = '=HYPERLINK("http://example.invalid")'
        write_csv(broken, FEED_COLUMNS["police"], rows)
        _import(broken, "police-pnc", "mps", actor)
    model = services.model_train(actor=None, seed=seed, limits=Thresholds(auto_link=0.95, review=0.3))
    run = services.linkage_run(actor=None, model=model)  # the generator, as the worker would
    counts["people"] = run.summary["clusters"]
    counts["pairs_for_review"] = run.summary["queued_for_review"]
    # One reviewer's decision that merged two people: the person page offers to undo it.
    first = CandidatePair.objects.filter(status=PairStatus.PENDING).order_by("-match_probability").first()
    if first is not None and actor is not None:
        services.pair_decide(actor=actor, pair_id=first.pk, decision=PairStatus.MATCH)
        counts["merges"] = 1
    return counts
