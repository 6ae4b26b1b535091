"""A small world for the reporting tests: people referred and adopted in known months in London and
Yorkshire, and snapshots built from them."""

from datetime import date

from django.utils import timezone

from marsoc.core.vocabulary import Role
from marsoc.nominals.models import MembershipChange, Nominal
from marsoc.nominals.vocabulary import MembershipState

from ..conftest import make_nominal, make_user

TODAY = date(2026, 12, 7)


def history(nominal: Nominal, *steps: tuple[str, date]) -> None:
    """Replace the person's membership history with these steps (state, effective date)."""
    MembershipChange.objects.filter(nominal=nominal).delete()
    previous = ""
    for state, day in steps:
        MembershipChange.objects.create(
            nominal=nominal,
            from_state=previous,
            to_state=state,
            effective_date=day,
            rationale="test",
            changed_at=timezone.now(),
            exit_reason="risk_reduced" if state == MembershipState.EXITED else "",
        )
        previous = state
    Nominal.objects.filter(pk=nominal.pk).update(membership_state=previous)


def people(owner, hub_code: str, n: int, steps: list[tuple[str, date]], family: str) -> list[Nominal]:  # type: ignore[no-untyped-def]
    made = []
    for i in range(n):
        nominal = make_nominal(owner, hub_code=hub_code, family=f"{family}{i}")
        history(nominal, *steps)
        made.append(nominal)
    return made


def reporting_world() -> dict[str, object]:
    owner = make_user("reporting.owner", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    referred = (MembershipState.REFERRED, date(2026, 10, 5))
    adopted = (MembershipState.ADOPTED, date(2026, 11, 10))
    # London: 12 referred in October, 7 of them adopted in November. Yorkshire: 3 referred in October
    # (a small count), 8 in November.
    london = people(owner, "london", 7, [referred, adopted], "LonAdopted")
    london += people(owner, "london", 5, [referred], "LonReferred")
    yorkshire = people(owner, "yorkshire-humber", 3, [referred], "YorOct")
    yorkshire += people(
        owner, "yorkshire-humber", 8, [(MembershipState.REFERRED, date(2026, 11, 3))], "YorNov"
    )
    return {"owner": owner, "london": london, "yorkshire": yorkshire}


def reporting_text(response) -> str:  # type: ignore[no-untyped-def]
    """Everything a reader of a report response gets, as text: a page's HTML, a PDF's text, an XLSX's
    cells, a CSV or the API's JSON."""
    import io

    kind = response["Content-Type"]
    if kind.startswith("application/pdf"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
        )
    return response.content.decode("utf-8-sig")
