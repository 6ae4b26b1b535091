"""A grant's quarters as CSV and XLSX: every quarter to the end of the grant, each claim's figures and
state as on the page, the forecast beyond, the grant left after each; readers only; audited."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl

from marsoc.core.audit import AuditEvent
from marsoc.funding import services
from marsoc.funding.selectors import grant_summary

from ..conftest import signed_in
from .helpers import funding_people, seed_grant


def _pounds(text: str) -> Decimal:
    # A negative amount leads with "-", which the export quotes (') so no spreadsheet runs it as a formula.
    return Decimal(text.removeprefix("'"))


def test_the_quarters_spreadsheet_matches_the_grant_page(db):
    people = funding_people()
    grant = seed_grant(people)
    claim = services.claim_prepare(actor=people["manager"], grant=grant, number=1, today=date(2026, 1, 10))
    actuals = {line.post_id: line.eligible_pence for line in claim.lines.all()}
    first = next(iter(actuals))
    actuals[first] -= 100_00
    services.claim_set_actuals(
        actor=people["manager"], claim=claim, actuals=actuals, explanation="A week's vacancy"
    )
    claim.refresh_from_db()
    client = signed_in(people["finance"])
    response = client.get(f"/funding/grants/{grant.pk}/quarters.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    summary = grant_summary(grant=grant)
    assert (
        [int(r["Quarter"]) for r in rows]
        == [row.quarter.number for row in summary.forecast]
        == list(range(1, 9))
    )
    one = rows[0]
    assert (one["Claim"], one["Forecast"], one["Variance explanation"]) == (
        "Draft",
        "Yes",
        "A week's vacancy",
    )
    assert Decimal(one["Eligible cost (£)"]) * 100 == claim.eligible_pence
    assert Decimal(one["Actual cost (£)"]) * 100 == claim.actual_pence
    assert one["Variance (£)"] == "'-100" and _pounds(one["Variance (£)"]) == Decimal("-100")
    assert rows[1]["Claim"] == "Not yet claimed" and rows[1]["Actual cost (£)"] == ""
    for row, expected in zip(rows, summary.forecast, strict=True):
        assert Decimal(row["Amount claimed or forecast (£)"]) * 100 == expected.amount_pence
        assert _pounds(row["Grant left after (£)"]) * 100 == expected.remaining_after_pence
    # The seed's £2 shortfall at the posts' cost shows in the last row, as on the page.
    assert _pounds(rows[-1]["Grant left after (£)"]) * 100 == summary.forecast[-1].remaining_after_pence

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/funding/grants/{grant.pk}/quarters.xlsx").content))
    sheet = book.active
    assert [c.value for c in sheet[1]][:4] == ["Quarter", "From", "To", "Claim"]
    assert sheet.max_row == 9 and sheet.cell(row=2, column=4).value == "Draft"
    exports = AuditEvent.objects.filter(action="funding.grant.export", object_id=str(grant.pk))
    assert sorted(exports.values_list("details__surface", flat=True)) == ["quarters CSV", "quarters XLSX"]
    assert signed_in(people["officer"]).get(f"/funding/grants/{grant.pk}/quarters.csv").status_code == 404
    assert client.get(f"/funding/grants/{grant.pk}/quarters.pdf").status_code == 404


def test_the_decisions_spreadsheet_is_part1_only_and_audited(db):
    from marsoc.core.vocabulary import Role
    from marsoc.funding.models import DecisionRecord

    from ..conftest import make_user

    people = funding_people()
    make_user("decision.maker", [Role.DECISION_MAKER], hub_code=None, agency_code="hmpps-marsoc")
    secret = "Synthetic exempt detail (never exported)"
    services.decision_draft(
        actor=people["manager"],
        data=services.DecisionInput(
            reference="PCD 4001", title="Exported (synthetic)", executive_summary="S", recommendation="R",
            part1_body="P", decision_maker_title="Deputy Mayor", decide_by=date.today(),
            part2=services.Part2Input(body=secret, exemption="s43", rationale="Commercial (synthetic)"),
        ),
    )  # fmt: skip
    services.decision_draft(
        actor=people["finance"],
        data=services.DecisionInput(
            reference="PCD 4002", title="Another (synthetic)", executive_summary="S", recommendation="R",
            part1_body="P", decision_maker_title="Deputy Mayor",
        ),
    )  # fmt: skip
    client = signed_in(people["board"])
    response = client.get("/funding/decisions/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert secret not in body and "Commercial" not in body
    rows = {r["Reference"]: r for r in csv.DictReader(io.StringIO(body))}
    assert (
        set(rows)
        == set(DecisionRecord.objects.values_list("reference", flat=True))
        == {"PCD 4001", "PCD 4002"}
    )
    assert (rows["PCD 4001"]["Part 2"], rows["PCD 4002"]["Part 2"]) == ("Yes (not published)", "No")
    assert rows["PCD 4001"]["Time sensitivity"].startswith("Decision needed today")
    assert (
        rows["PCD 4002"]["Status"] == "Draft"
        and rows["PCD 4002"]["Publication of Part 1"] == "Not yet released"
    )
    book = openpyxl.load_workbook(io.BytesIO(client.get("/funding/decisions/export.xlsx").content))
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    assert sheet[0][0] == "Reference" and sorted(r[0] for r in sheet[1:]) == ["PCD 4001", "PCD 4002"]
    events = AuditEvent.objects.filter(action="decision.list.export", actor=people["board"])
    assert [e.details["surface"] for e in events.order_by("pk")] == ["decisions CSV", "decisions XLSX"]
