"""The demo starts as a working day: alerts present, case notes written, queues with something in them,
audit anomalies for the inspector."""

import pytest

from marsoc.accounts.models import User
from marsoc.casework.models import CaseNote
from marsoc.demo.generate import generate
from marsoc.plans.models import Alert
from marsoc.workday.selectors import chronology_for, home_queues

pytestmark = pytest.mark.django_db


def test_demo_has_alerts_notes_and_waiting_work():
    result = generate(nominals=300, seed=4)
    assert result.rows["alerts"] > 0 and Alert.objects.exists()
    assert result.rows["case_notes"] > 0
    manager = User.objects.get(username="london.manager")
    probation = User.objects.get(username="partner.probation")
    counts = {q.key: q.count for q in home_queues(actor=manager)}
    assert counts["alerts"] > 0 and counts["referrals"] > 0 and counts["plans-awaiting"] > 0
    assert sum({q.key: q.count for q in home_queues(actor=probation)}.values()) > 0
    # The inspector starts with audit anomalies: one user reading far more people than peers, with one
    # purpose text pasted for each (demo/reading.py).
    inspector = {q.key: q.count for q in home_queues(actor=User.objects.get(username="inspector"))}
    assert inspector["heavy-readers"] == 1 and inspector["reused-purposes"] == 1
    noted = CaseNote.objects.filter(author=probation).select_related("nominal").first()
    assert noted is not None
    assert any(e.kind == "note" for e in chronology_for(actor=probation, nominal=noted.nominal))
