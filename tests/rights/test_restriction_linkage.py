"""Restriction of a person (DPA 2018 s.47) follows the partner records that carry their identifiers: the
pairs made of them leave the review queue and answer 404, the linked person and its merge answer 404, and
a partner file's quarantined rows carrying the identifier leave its report, for every actor of the access
table but the restriction's manager; a bystander's records stay. London's manager restricts the
London-owned person of the table's world, naming only themself."""

from datetime import timedelta

import pytest

from marsoc.core.errors import NotFoundOrForbidden
from marsoc.linkage import services as linkage_services
from marsoc.linkage.holdings import records_of
from marsoc.linkage.models import CandidatePair, LinkageRun, Merge, PairStatus, SourceRecord
from marsoc.nominals.models import Identifier
from marsoc.rights import services

from ..conftest import signed_in, today
from ..linkage.helpers import police_row, run_import, write_csv
from ..test_access_matrix import ACTORS

PNC = "2001/0123456F"
MANAGER = "london_manager"


@pytest.fixture
def linked(world, tmp_path):
    """Four London police records carrying the restricted person's PNC (a pending pair, a merged pair),
    two of a bystander (a pending pair), and a quarantined row (no family name) carrying the PNC."""
    nominals, _parts, users = world
    Identifier.objects.create(nominal=nominals["own_hub"], id_type="PNC", value=PNC)
    rows = [
        police_row("R1", given="John", family="Smith", PNC_ID=PNC),
        police_row("R2", given="Jon", family="Smith", PNC_ID=PNC),
        police_row("R3", given="Johnny", family="Smith", PNC_ID=PNC),
        police_row("R4", given="J", family="Smith", PNC_ID=PNC),
        police_row("B1", given="Amy", family="Lee", dob="05/01/1990"),
        police_row("B2", given="Aimee", family="Lee", dob="05/01/1990"),
        police_row("Q1", given="John", family="", PNC_ID=PNC),
    ]
    feed = run_import(write_csv(tmp_path / "restricted.csv", rows))
    linkage_services.people_for_unlinked()
    run = LinkageRun.objects.create()
    by_key = {r.source_key: r for r in SourceRecord.objects.all()}

    def pair(left: str, right: str) -> CandidatePair:
        return CandidatePair.objects.create(
            left=by_key[left], right=by_key[right], match_probability=0.8, match_weight=2.0,
            explanation=[], run=run,
        )  # fmt: skip

    pending, bystander = pair("R1", "R2"), pair("B1", "B2")
    merged = pair("R3", "R4")
    linkage_services.pair_decide(
        actor=users["national_manager"], pair_id=merged.pk, decision=PairStatus.MATCH
    )
    assert set(records_of(nominals["own_hub"]).values_list("source_key", flat=True)) == {
        "R1",
        "R2",
        "R3",
        "R4",
    }
    assert feed.quarantine.filter(source_key="Q1").exists()
    return {
        "import": feed.pk,
        "pair": pending.pk,
        "bystander": bystander.pk,
        "person": SourceRecord.objects.get(source_key="R3").person_id,
        "merge": Merge.objects.get(pair=merged).pk,
    }


# (surface, path, how to read it): "page" answers 404 once restricted; "list" still answers, without
# the restricted person's rows (`marker` is what shows them) but with the bystander's (`kept`).
SURFACES = [
    ("review pair", "/linkage/review/{pair}/", "page", "", ""),
    ("linked person", "/linkage/people/{person}/", "page", "", ""),
    ("review queue", "/linkage/review/", "list", "/linkage/review/{pair}/", "/linkage/review/{bystander}/"),
    ("identity pairs to review", "/work/identity-pairs/", "list", "/linkage/review/{pair}/", ""),
    ("feed import report", "/linkage/imports/{import}/", "list", "FAMILY_NAME is required", ""),
]


@pytest.mark.parametrize("actor", [a.key for a in ACTORS])
def test_restriction_follows_partner_records_on_every_linkage_surface(world, linked, actor):
    nominals, _parts, users = world
    client = signed_in(users[actor])
    before = {}
    for name, template, _kind, marker, kept in SURFACES:
        response = client.get(template.format(**linked))
        text = response.content.decode() if response.status_code == 200 else ""
        before[name] = (response.status_code, marker.format(**linked) in text, kept.format(**linked) in text)
    services.person_restrict(
        actor=users[MANAGER], nominal=nominals["own_hub"], reason="The person contests the data",
        review_on=today() + timedelta(days=30),
    )  # fmt: skip
    failures = []
    for name, template, kind, marker, kept in SURFACES:
        was, showed, kept_was = before[name]
        response = client.get(template.format(**linked))
        text = response.content.decode() if response.status_code == 200 else ""
        if kind == "page":
            want = was if actor == MANAGER else 404
            if response.status_code != want:
                failures.append(f"{name}: was {was}, expected {want}, got {response.status_code}")
            continue
        if response.status_code != was:
            failures.append(f"{name}: was {was}, got {response.status_code}")
        shows = marker.format(**linked) in text
        if shows != (showed and actor == MANAGER):
            failures.append(f"{name}: shows the restricted person's rows: {shows} (before: {showed})")
        if kept and (kept.format(**linked) in text) != kept_was:
            failures.append(f"{name}: the bystander's rows changed")
    assert not failures, f"{actor}:\n" + "\n".join(failures)
    # The table proves something: linkage users saw the person's pair and report before.
    if actor in {"london_manager", "london_officer", "london_analyst", "national_manager"}:
        assert (
            before["review pair"][0] == 200 and before["review queue"][1] and before["feed import report"][1]
        )


def test_a_restricted_persons_pair_cannot_be_decided_nor_their_merge_undone(world, linked):
    nominals, _parts, users = world
    services.person_restrict(
        actor=users[MANAGER], nominal=nominals["own_hub"], reason="Contested",
        review_on=today() + timedelta(days=30),
    )  # fmt: skip
    national = users["national_manager"]
    with pytest.raises(NotFoundOrForbidden):
        linkage_services.pair_decide(actor=national, pair_id=linked["pair"], decision=PairStatus.UNSURE)
    response = signed_in(national).post(f"/linkage/merges/{linked['merge']}/undo/")
    assert response.status_code == 404
    assert CandidatePair.objects.get(pk=linked["pair"]).status == PairStatus.PENDING
    assert Merge.objects.get(pk=linked["merge"]).undone_at is None
    # The restriction's manager still decides it.
    linkage_services.pair_decide(actor=users[MANAGER], pair_id=linked["pair"], decision=PairStatus.UNSURE)
    assert CandidatePair.objects.get(pk=linked["pair"]).status == PairStatus.UNSURE
