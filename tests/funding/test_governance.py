"""The governance register: DPIAs and the latest version of each equality impact assessment, with their
owners, review dates and an overdue flag; each party's sign-off of a sharing agreement (the last brings it
into force); recording DPIAs, their status and EIA versions; the prompt from equality monitoring."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.funding import services
from marsoc.funding.models import Dpia, EqualityAssessment
from marsoc.sharing.agreements import in_force_q, not_in_force_reason
from marsoc.sharing.models import AgreementSignOff, SharingAgreement

from ..assessment.test_equality import simple_population  # noqa: F401  (a fixture)
from ..conftest import signed_in
from ..intelligence.helpers import make_agreement
from .helpers import funding_people


def test_the_register_flags_overdue_reviews_and_shows_the_latest_eia(db):
    people = funding_people()
    today = timezone.localdate()
    Dpia.objects.create(
        reference="DPIA-1", title="Sharing", status="in_consultation", owner=people["manager"],
        initiated_on=date(2022, 8, 1), review_due_on=today + timedelta(days=3), risks="Synthetic",
    )  # fmt: skip
    for version, due in ((1, today - timedelta(days=1)), (2, today - timedelta(days=2))):
        EqualityAssessment.objects.create(
            reference="EIA-1", version=version, title="Hub", author=people["manager"], assessed_on=date(2022, 8, version),
            conclusions=f"Version {version} conclusions", period_starts_on=date(2022, 1, 1),
            period_ends_on=date(2022, 6, 30), review_due_on=due,
        )  # fmt: skip
    html = signed_in(people["board"]).get("/funding/governance/").content.decode()
    assert "In consultation" in html and "DPIA-1" in html
    assert "Version 2, 2 August 2022" in html and "Version 1," not in html
    assert html.count("Review overdue") == 1  # only the EIA (its latest version is past its review date)
    assert signed_in(people["officer"]).get("/funding/governance/").status_code == 404


# --- writes: sign-off, DPIAs, equality impact assessments ------------------------------------------------


def _in_force(agreement) -> bool:
    return SharingAgreement.objects.filter(in_force_q(timezone.localdate()), pk=agreement.pk).exists()


def test_the_last_sign_off_brings_the_agreement_into_force(db):
    people = funding_people()
    agreement = make_agreement(["mps", "probation-london", "hmpps-marsoc"], unsigned=("probation-london",))
    assert not _in_force(agreement)
    probation = agreement.parties.get(code="probation-london")
    assert not_in_force_reason(agreement).endswith(f"waiting for {probation.name}")
    html = signed_in(people["national"]).get("/funding/governance/").content.decode()
    assert "Not signed" in html and "Record a sign-off" in html
    client = signed_in(people["national"])
    response = client.post(
        f"/funding/governance/agreements/{agreement.pk}/sign-off/",
        {"agency": probation.pk, "signed_by": "Chief Probation Officer, London",
         "signed_on_day": "1", "signed_on_month": "10", "signed_on_year": "2022"},
    )  # fmt: skip
    assert response.status_code == 302
    assert _in_force(agreement) and not_in_force_reason(agreement) == ""
    entry = AuditEvent.objects.get(action="agreement.sign_off")
    assert (entry.object_type, entry.object_id, entry.actor_id) == (
        "sharing_agreement",
        str(agreement.pk),
        people["national"].pk,
    )
    html = client.get("/funding/governance/").content.decode()
    assert "signed on 1 October 2022 by Chief Probation Officer, London" in html


@pytest.mark.parametrize(
    ("agency", "signed_by", "signed_on", "field", "message"),
    [
        ("nca", "Director", date(2022, 1, 1), "agency", "Select one of the agreement's parties"),
        ("mps", "Director", date(2022, 1, 1), "agency", "has already signed this agreement"),
        ("probation-london", "  ", date(2022, 1, 1), "signed_by", "Enter the name and office"),
        ("probation-london", "Director", None, "signed_on", "Enter the date it was signed"),
        ("probation-london", "Director", date(2999, 1, 1), "signed_on", "cannot be in the future"),
    ],
)
def test_a_bad_sign_off_is_refused_naming_the_field_and_nothing_changes(
    db, agency, signed_by, signed_on, field, message
):
    from marsoc.accounts.models import Agency

    people = funding_people()
    agreement = make_agreement(["mps", "probation-london"], unsigned=("probation-london",))
    before = AgreementSignOff.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.agreement_sign_off(
            actor=people["national"], agreement=agreement,
            data=services.SignOffInput(Agency.objects.get(code=agency).pk, signed_by, signed_on),
        )  # fmt: skip
    assert message in " ".join(caught.value.errors[field])
    assert AgreementSignOff.objects.count() == before and not _in_force(agreement)
    assert not AuditEvent.objects.filter(action="agreement.sign_off").exists()


def test_only_the_national_team_records_sign_off(db):
    people = funding_people()
    agreement = make_agreement(["mps", "probation-london"], unsigned=("probation-london",))
    probation = agreement.parties.get(code="probation-london")
    with pytest.raises(PermissionDenied):
        services.agreement_sign_off(
            actor=people["manager"],
            agreement=agreement,
            data=services.SignOffInput(probation.pk, "X", date(2022, 1, 1)),
        )
    assert (
        signed_in(people["manager"])
        .get(f"/funding/governance/agreements/{agreement.pk}/sign-off/")
        .status_code
        == 404
    )
    assert not _in_force(agreement)


def test_a_sign_off_dated_after_today_does_not_count(db):
    agreement = make_agreement(["mps", "probation-london"], unsigned=("probation-london",))
    AgreementSignOff.objects.create(
        agreement=agreement, agency=agreement.parties.get(code="probation-london"), signed_by="X",
        signed_on=timezone.localdate() + timedelta(days=1), recorded_at=timezone.now(),
    )  # fmt: skip
    assert not _in_force(agreement) and "waiting for" in not_in_force_reason(agreement)


def test_a_dpia_moves_through_its_statuses_and_refuses_a_step_back(db):
    people = funding_people()
    client = signed_in(people["manager"])
    response = client.post(
        "/funding/governance/dpias/new/",
        {"reference": "DPIA-9", "title": "Linkage", "risks": "Wrong matches",
         "initiated_on_day": "1", "initiated_on_month": "3", "initiated_on_year": "2024",
         "review_due_on_day": "1", "review_due_on_month": "3", "review_due_on_year": "2030"},
    )  # fmt: skip
    assert response.status_code == 302
    dpia = Dpia.objects.get(reference="DPIA-9")
    assert (dpia.status, dpia.owner) == ("initiated", people["manager"])
    due = timezone.localdate() + timedelta(days=365)
    services.dpia_move(
        actor=people["manager"], dpia=dpia, data=services.DpiaMoveInput("in_consultation", due)
    )
    services.dpia_move(actor=people["manager"], dpia=dpia, data=services.DpiaMoveInput("completed", due))
    dpia.refresh_from_db()
    assert (dpia.status, dpia.completed_on) == ("completed", timezone.localdate())
    with pytest.raises(ValidationFailed) as caught:
        services.dpia_move(actor=people["manager"], dpia=dpia, data=services.DpiaMoveInput("initiated", due))
    assert "cannot move to that status" in " ".join(caught.value.errors["to_status"])
    dpia.refresh_from_db()
    assert dpia.status == "completed"
    assert list(AuditEvent.objects.filter(object_type="dpia").values_list("action", flat=True).order_by("id")) == [
        "governance.dpia.record", "governance.dpia.status", "governance.dpia.status",
    ]  # fmt: skip
    # A bad form names its fields and records nothing.
    response = client.post("/funding/governance/dpias/new/", {"reference": "DPIA-9", "title": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "already exists" in errors["reference"][0] and "Enter the title" in errors["title"][0]
    assert Dpia.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.dpia_move(actor=people["finance"], dpia=dpia, data=services.DpiaMoveInput("reviewed", due))


def test_equality_assessment_versions_follow_each_other(db):
    people = funding_people()
    data = services.EqualityInput(
        reference="EIA-9", title="Hub", assessed_on=date(2024, 1, 10), conclusions="None found",
        period_starts_on=date(2023, 7, 1), period_ends_on=date(2023, 12, 31), review_due_on=date(2025, 1, 10),
    )  # fmt: skip
    first = services.eia_record_version(actor=people["manager"], data=data)
    from dataclasses import replace

    second = services.eia_record_version(
        actor=people["manager"], data=replace(data, assessed_on=date(2024, 7, 1))
    )
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(ValidationFailed) as caught:
        services.eia_record_version(actor=people["manager"], data=replace(data, assessed_on=date(2024, 6, 1)))
    assert "cannot be dated before it" in " ".join(caught.value.errors["assessed_on"])
    with pytest.raises(ValidationFailed) as caught:
        services.eia_record_version(
            actor=people["manager"], data=replace(data, period_ends_on=date(2023, 1, 1), reference="EIA-10")
        )
    assert "must end on or after" in " ".join(caught.value.errors["period_ends_on"])
    assert EqualityAssessment.objects.count() == 2


def test_the_register_prompts_a_revisit_when_monitoring_flags_a_disproportion(simple_population):  # noqa: F811
    from decimal import Decimal

    from marsoc.assessment.models import ReferencePopulation

    from ..assessment.test_equality import _person

    people = funding_people()
    services.eia_record_version(
        actor=people["manager"],
        data=services.EqualityInput(
            reference="EIA-P", title="Hub", assessed_on=date(2024, 1, 10), conclusions="None found",
            period_starts_on=date(2023, 7, 1), period_ends_on=date(2023, 12, 31), review_due_on=date(2030, 1, 1),
        ),
    )  # fmt: skip
    population = simple_population  # the equality tests' population of 1,000, made the default here
    ReferencePopulation.objects.filter(pk=population.pk).update(flag_threshold=Decimal("1.25"))
    ReferencePopulation.objects.exclude(pk=population.pk).update(is_default=False)
    ReferencePopulation.objects.filter(pk=population.pk).update(is_default=True)
    owner = people["national"]
    _person(owner, "london", 10, self_eth="W1", officer="IC1", religion="christian")
    _person(owner, "london", 10, self_eth="B1", officer="IC3", religion="none")
    _person(owner, "london", 5, sex="F", self_eth="A2", officer="IC4", religion="")
    html = signed_in(people["manager"]).get("/funding/governance/").content.decode()
    assert "Equality monitoring flags over-representation of" in html and "revisit this assessment" in html
    ReferencePopulation.objects.filter(pk=population.pk).update(flag_threshold=Decimal("10"))
    html = signed_in(people["manager"]).get("/funding/governance/").content.decode()
    assert "Equality monitoring flags" not in html


def test_the_register_as_csv_and_xlsx_says_what_the_page_says_and_is_audited(db):
    import csv
    import io

    import openpyxl

    people = funding_people()
    today = timezone.localdate()
    Dpia.objects.create(
        reference="DPIA-9", title="Linkage (synthetic)", status="completed", owner=people["manager"],
        initiated_on=date(2022, 8, 1), review_due_on=today - timedelta(days=1), risks="Synthetic",
    )  # fmt: skip
    agreement = make_agreement(["mps", "probation-london"], unsigned=("probation-london",))
    client = signed_in(people["national"])  # the Board reads the register, not every agreement
    response = client.get("/funding/governance/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = {r["Reference"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"DPIA-9", agreement.reference}
    dpia = rows["DPIA-9"]
    assert (dpia["Status"], dpia["Review overdue"], dpia["Next review"]) == (
        "Completed",
        "Yes",
        (today - timedelta(days=1)).isoformat(),
    )
    isa = rows[agreement.reference]
    assert isa["Record"] == "Information-sharing agreement"
    assert isa["In force today"] == "No: " + not_in_force_reason(agreement)
    probation = agreement.parties.get(code="probation-london")
    assert f"{probation.name}: not signed" in isa["Parties' sign-off"]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/funding/governance/export.xlsx").content))
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    assert sheet[0][:2] == ["Record", "Reference"] and len(sheet) == 3
    events = AuditEvent.objects.filter(action="governance.export", actor=people["national"]).order_by("pk")
    assert [e.details["surface"] for e in events] == ["governance register CSV", "governance register XLSX"]
    assert signed_in(people["officer"]).get("/funding/governance/export.csv").status_code == 404
