"""Lifecycle phase is derived from custody events, and the SQL version agrees with the Python one."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsoc.nominals.lifecycle import CustodySequenceError, derive_custody, phase_of
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import phase_expression
from marsoc.nominals.vocabulary import CustodyStatus, MembershipState, Phase

from ..conftest import make_nominal, make_user

TODAY = date(2026, 6, 1)


@dataclass
class Ev:
    event_type: str
    occurred_on: date
    establishment_id: int | None = 1
    reception_status: str = ""
    expected_release_date: date | None = None
    licence_end_date: date | None = None


def phase(events, membership=MembershipState.ADOPTED):
    s = derive_custody(events)
    return phase_of(
        membership_state=membership,
        custody_status=s.status,
        expected_release_date=s.expected_release_date,
        licence_end_date=s.licence_end_date,
        ever_sentenced=s.ever_sentenced,
        today=TODAY,
    )


def d(days):
    return TODAY + timedelta(days=days)


def test_phases_follow_the_custody_story():
    assert phase([]) is Phase.PRE_CUSTODY
    remand = [Ev("reception", d(-100), reception_status="remand")]
    assert phase(remand) is Phase.REMAND
    sentenced = [*remand, Ev("sentence", d(-50), None, expected_release_date=d(400), licence_end_date=d(900))]
    assert phase(sentenced) is Phase.SENTENCED
    soon = [*remand, Ev("sentence", d(-50), None, expected_release_date=d(100), licence_end_date=d(900))]
    assert phase(soon) is Phase.RELEASE_6M
    released = [*soon, Ev("release", d(-1), None)]
    assert phase(released) is Phase.ON_LICENCE
    recalled = [*released, Ev("recall", d(0), 2)]
    assert phase(recalled) is Phase.RELEASE_6M or phase(recalled) is Phase.SENTENCED
    ended = [
        *remand,
        Ev("sentence", d(-90), None, expected_release_date=d(-80), licence_end_date=d(-10)),
        Ev("release", d(-80), None),
    ]
    assert phase(ended) is Phase.POST_SENTENCE
    acquitted = [*remand, Ev("release", d(-10), None)]
    assert phase(acquitted) is Phase.PRE_CUSTODY
    assert phase(sentenced, MembershipState.EXITED) is Phase.EXITED


def test_episodes_are_counted_from_receptions_and_recalls():
    events = [
        Ev(
            "reception",
            d(-300),
            reception_status="sentenced",
            expected_release_date=d(-100),
            licence_end_date=d(300),
        ),
        Ev("transfer", d(-200), 2),
        Ev("release", d(-100), None),
        Ev("recall", d(-20), 3),
    ]
    state = derive_custody(events)
    assert [e.kind for e in state.episodes] == ["sentenced", "recall"]
    assert state.episodes[0].establishment_ids == [1, 2] and state.episodes[0].ended_on == d(-100)
    assert state.status == CustodyStatus.SENTENCED and state.establishment_id == 3


@pytest.mark.parametrize(
    "events, field",
    [
        ([Ev("release", d(-1), None)], "event_type"),
        ([Ev("transfer", d(-1), 2)], "event_type"),
        ([Ev("reception", d(-10), reception_status="remand"), Ev("reception", d(-5))], "event_type"),
        ([Ev("reception", d(-10), reception_status="remand"), Ev("transfer", d(-20), 2)], "occurred_on"),
        (
            [Ev("reception", d(-10), reception_status="remand"), Ev("sentence", d(-5), None)],
            "expected_release_date",
        ),
        (
            [
                Ev("reception", d(-10), reception_status="remand"),
                Ev("release", d(-5), None),
                Ev("recall", d(-1)),
            ],
            "event_type",
        ),
        ([Ev("reception", d(-10), None, reception_status="remand")], "establishment"),
    ],
)
def test_impossible_sequences_are_rejected(events, field):
    with pytest.raises(CustodySequenceError) as err:
        derive_custody(events)
    assert err.value.field == field


custody_states = st.fixed_dictionaries(
    {
        "membership_state": st.sampled_from(MembershipState.values),
        "custody_status": st.sampled_from(CustodyStatus.values),
        "expected_release_date": st.one_of(st.none(), st.integers(-400, 800).map(d)),
        "licence_end_date": st.one_of(st.none(), st.integers(-400, 1200).map(d)),
        "ever_sentenced": st.booleans(),
    }
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(states=st.lists(custody_states, min_size=1, max_size=8))
def test_sql_phase_matches_python_phase(states):
    owner = (
        make_user("phase.owner", ["hub_manager"], hub_code="national")
        if not Nominal.objects.exists()
        else None
    )
    owner = owner or Nominal.objects.first().created_by
    Nominal.objects.all().delete()
    ids = []
    for s in states:
        n = make_nominal(owner, hub_code="london")
        Nominal.objects.filter(pk=n.pk).update(**s)
        ids.append((n.pk, s))
    got = dict(
        Nominal.objects.filter(pk__in=[i for i, _ in ids])
        .annotate(p=phase_expression(TODAY))
        .values_list("pk", "p")
    )
    for pk, s in ids:
        assert got[pk] == phase_of(today=TODAY, **s).value, s
