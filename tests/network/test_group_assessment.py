"""Group assessments on the assessment engine: explained, audited, refused when incomplete, sliced into a
priority list by hub, and a dry run of a candidate method that says who would change band."""

import pytest

from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.network.services import assessment as ga

from ..conftest import make_user, signed_in
from .helpers import network_world


def _levels(value: int) -> dict[str, int]:
    return {f.code: min(value, len(f.scale) - 1) for f in ga.group_method().factors}


def test_assessment_is_explained_audited_and_supersedes(people):
    owner, n = people
    net = network_world(n, owner)
    group = net["london_group"]
    first = ga.group_assessment_submit(actor=owner, group=group, levels=_levels(1), rationale="Initial")
    second = ga.group_assessment_submit(
        actor=owner, group=group, levels=_levels(4), rationale="Firearms seized"
    )
    first.refresh_from_db()
    assert not first.current and second.current and second.score > first.score
    assert second.band == "1" and second.method_fingerprint == ga.group_method().fingerprint
    assert {row["name"] for row in second.result["breakdown"]} >= {"Violence", "Control from custody"}
    event = AuditEvent.objects.filter(action="ocg.assess").latest("id")
    assert event.object_id == str(group.pk)
    page = signed_in(owner).get(f"/network/groups/{group.pk}/").content.decode()
    assert "Band 1 (very high threat)" in page and "Firearms seized" in page


def test_incomplete_levels_are_refused_and_nothing_saved(people):
    owner, n = people
    net = network_world(n, owner)
    levels = _levels(2)
    levels.pop("violence")
    levels["weapons"] = 9
    with pytest.raises(ValidationFailed) as exc:
        ga.group_assessment_submit(actor=owner, group=net["london_group"], levels=levels, rationale="x")
    text = " ".join(exc.value.errors["levels"])
    assert "violence" in text and "weapons" in text
    assert not net["london_group"].assessments.exists()


def test_priority_list_and_dry_run_follow_access(people):
    owner, n = people
    net = network_world(n, owner)
    ga.group_assessment_submit(actor=owner, group=net["london_group"], levels=_levels(2), rationale="a")
    ga.group_assessment_submit(actor=owner, group=net["yorkshire_group"], levels=_levels(3), rationale="b")
    london = make_user("ga.london", [Role.ANALYST], hub_code="london", agency_code="mps")
    assert [r.group for r in ga.group_priority(actor=london)] == [net["london_group"]]
    national = make_user(
        "ga.national", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
    )
    assert [r.group for r in ga.group_priority(actor=national)] == [
        net["yorkshire_group"],
        net["london_group"],
    ]
    candidate = (
        ga.METHOD_FILE.read_text()
        .replace("version = 1", "version = 2")
        .replace("min = 40\nmax = 60", "min = 30\nmax = 60")
        .replace("min = 20\nmax = 40", "min = 20\nmax = 30")
    )
    rows = ga.group_method_dry_run(actor=national, candidate_text=candidate)
    changed = {r.group.pk: (r.old_band, r.new_band) for r in rows if r.changed}
    assert changed == {net["london_group"].pk: ("3", "2")}  # 33.9 moves up when band 2 starts at 30
    with pytest.raises(ValidationFailed):
        ga.group_method_dry_run(actor=national, candidate_text="code = 'broken'")
    with pytest.raises(NotFoundOrForbidden):
        ga.group_method_dry_run(actor=london, candidate_text=candidate)
