"""The demonstration data generator: deterministic, valid identifiers, every phase and role present."""

import io

import pytest
from django.core.management import call_command

from marsoc.accounts.models import User
from marsoc.core.identifiers import normalise
from marsoc.core.vocabulary import Role
from marsoc.demo.generate import DEMO_USERS, generate
from marsoc.nominals.models import Identifier, Nominal, Participation
from marsoc.nominals.selectors import nominal_phase
from marsoc.nominals.vocabulary import Phase

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(
        Nominal.objects.order_by("id").values_list(
            "given_names", "family_name", "date_of_birth", "owner_hub__code", "custody_status"
        )
    )


def test_generation_is_deterministic_and_valid():
    generate(nominals=300, seed=7)
    first = _snapshot()
    ids_first = sorted(Identifier.objects.values_list("id_type", "value"))
    Nominal.objects.all().delete()
    generate(nominals=300, seed=7)
    assert _snapshot() == first
    assert sorted(Identifier.objects.values_list("id_type", "value")) == ids_first
    for id_type, value in ids_first:
        assert normalise(id_type, value) == value
    phases = {nominal_phase(n) for n in Nominal.objects.all()}
    assert phases >= {
        Phase.PRE_CUSTODY,
        Phase.REMAND,
        Phase.SENTENCED,
        Phase.RELEASE_6M,
        Phase.ON_LICENCE,
        Phase.POST_SENTENCE,
        Phase.EXITED,
    }
    assert Participation.objects.filter(agency__code="probation-london").exists()
    roles = set(User.objects.values_list("role_grants__role", flat=True))
    assert set(Role.values) <= roles


def test_command_prints_credentials_and_refuses_to_duplicate():
    out = io.StringIO()
    call_command("generate", "--nominals", "20", "--seed", "2", stdout=out)
    text = out.getvalue()
    for spec in DEMO_USERS:
        assert spec.username in text
    assert "mh_demo_" in text and "make totp" in text
    with pytest.raises(Exception, match="--reset"):
        call_command("generate", "--nominals", "20", stdout=io.StringIO())
    call_command("generate", "--nominals", "25", "--reset", "--quiet-credentials", stdout=io.StringIO())
    assert Nominal.objects.count() == 25


def test_totp_command_prints_a_code_that_signs_in():
    call_command("generate", "--nominals", "5", "--quiet-credentials", stdout=io.StringIO())
    out = io.StringIO()
    call_command("totp", "london.officer", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    from django.test import Client

    from marsoc.demo.generate import DEMO_PASSWORD

    client = Client()
    client.post("/sign-in/", {"username": "london.officer", "password": DEMO_PASSWORD})
    assert client.post("/sign-in/code/", {"code": code})["Location"] == "/"


def test_demo_shows_a_finished_dry_run_of_the_draft_method():
    from marsoc.assessment.models import MethodDryRun, PriorityStatus

    generate(nominals=300, seed=7)
    run = MethodDryRun.objects.get()
    assert run.status == "done" and run.candidate.version == 2 and run.candidate.status == "candidate"
    assert run.rescored == PriorityStatus.objects.count() > 0
    assert run.changed == run.changes.count() > 0  # the draft moves tier 1 to 55, so some people move


def test_demo_data_gives_a_populated_equality_report():
    """`make demo` must show a meaningful equality report on first run: every characteristic recorded for
    most people, both ethnicity sources present, and indices against the census for the main groups."""
    from marsoc.assessment.equality import NATIONAL
    from marsoc.assessment.selectors import EqualityOptions, equality_report

    generate(nominals=500, seed=1)
    board = User.objects.get(username="board.member")
    report = equality_report(actor=board, options=EqualityOptions())
    national = report.scope(NATIONAL)
    assert report.population is not None and report.population.code == "ew-census-2021"
    assert national.total is not None and national.total > 200
    tables = {t.code: t for t in national.tables}
    assert {r.code for r in tables["ethnicity"].rows if r.rate is not None} >= {
        "white",
        "black",
        "asian",
        "mixed",
    }
    assert {r.code for r in tables["sex"].rows if r.rate is not None} == {"female", "male"}
    assert tables["religion"].not_recorded not in (None, 0)  # "not recorded" shown honestly
    basis = {r.code: r.count for r in tables["ethnicity_basis"].rows}
    assert basis["self"] is None or basis["self"] > 0
    assert len(report.scopes) == 11  # national and the ten hubs
