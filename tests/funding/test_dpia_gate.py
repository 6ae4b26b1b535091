"""The DPIA gate: in production, high-risk processing switched on without a completed DPIA in the
governance register keeps /readyz at 503 naming it, and `check --deploy --database default` fails."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings

from marsoc.funding.dpia_gate import dpia_gate_check
from marsoc.funding.models import Dpia

from .helpers import funding_people

GATE = {"MARSOC_DPIA_GATE": True, "MARSOC_HIGH_RISK_PROCESSING": ("linkage", "intelligence")}


def _dpia_check() -> dict:
    return Client().get("/readyz").json()["checks"].get("dpia")


def test_outside_production_the_gate_is_open(db):
    assert _dpia_check() is None
    assert dpia_gate_check(databases=["default"]) == []


@pytest.mark.parametrize(
    ("references", "status", "problem"),
    [
        ({}, None, "Identity resolution (matching people across agencies' records) is switched on without a DPIA reference"),
        ({"linkage": "DPIA-X"}, None, "names DPIA DPIA-X, which the governance register does not hold"),
        ({"linkage": "DPIA-X"}, "in_consultation", "names DPIA DPIA-X, which is in consultation, not completed"),
        ({"linkage": "DPIA-X"}, "initiated", "which is initiated, not completed"),
    ],
)  # fmt: skip
def test_high_risk_processing_without_a_completed_dpia_is_not_ready(db, references, status, problem):
    if status:
        Dpia.objects.create(
            reference="DPIA-X", title="Linkage", status=status, owner=funding_people()["manager"],
            initiated_on=date(2024, 1, 1), review_due_on=date(2030, 1, 1), risks="Wrong matches",
        )  # fmt: skip
    with override_settings(**GATE, MARSOC_DPIA_REFERENCES=references | {"intelligence": "DPIA-I"}):
        response = Client().get("/readyz")
        assert response.status_code == 503
        check = response.json()["checks"]["dpia"]
        assert not check["ok"] and problem in check["detail"]
        assert "DPIA-I, which the governance register does not hold" in check["detail"]  # each is named
        errors = dpia_gate_check(databases=["default"])
        assert {e.id for e in errors} == {"marsoc.E019"} and any(problem in e.msg for e in errors)
        with pytest.raises(SystemCheckError, match=r"marsoc\.E019"):
            call_command("check", "--deploy", "--database", "default", "--fail-level", "ERROR")


def test_completed_and_reviewed_dpias_open_the_gate(db):
    owner = funding_people()["manager"]
    for reference, status in (("DPIA-L", "completed"), ("DPIA-I", "reviewed")):
        Dpia.objects.create(
            reference=reference, title="T", status=status, owner=owner, initiated_on=date(2024, 1, 1),
            review_due_on=date(2030, 1, 1), risks="R",
        )  # fmt: skip
    with override_settings(**GATE, MARSOC_DPIA_REFERENCES={"linkage": "DPIA-L", "intelligence": "DPIA-I"}):
        check = _dpia_check()
        assert check == {"ok": True, "detail": "every high-risk processing switched on has a completed DPIA"}
        assert dpia_gate_check(databases=["default"]) == []
    # Switching on a third processing without its DPIA closes the gate again.
    with override_settings(
        **(GATE | {"MARSOC_HIGH_RISK_PROCESSING": ("linkage", "intelligence", "network")}),
        MARSOC_DPIA_REFERENCES={"linkage": "DPIA-L", "intelligence": "DPIA-I"},
    ):
        assert not _dpia_check()["ok"] and "Network analysis" in _dpia_check()["detail"]
