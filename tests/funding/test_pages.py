"""The claim journey through the pages, without JavaScript: prepare, enter actuals, check, submit, record
the payment, reconcile, and the invoice; bad input answered on the page with nothing saved."""

import io

from pypdf import PdfReader

from marsoc.funding.models import Claim

from ..conftest import signed_in
from .helpers import funding_people, seed_grant


def test_claim_journey_through_the_pages(db):
    people = funding_people()
    grant = seed_grant(people)
    manager, finance = signed_in(people["manager"]), signed_in(people["finance"])
    page = manager.get(f"/funding/grants/{grant.pk}/")
    assert 'id="prepare-claim"' in page.content.decode()
    response = manager.post(f"/funding/grants/{grant.pk}/claims/new/", {"number": "1"})
    claim = Claim.objects.get(grant=grant, number=1)
    assert response.status_code == 302 and response["Location"] == f"/funding/claims/{claim.pk}/"
    lines = list(claim.lines.all())
    form = {f"post_{line.post_id}": f"{line.eligible_pence / 100:.2f}" for line in lines}
    bad = form | {f"post_{lines[0].post_id}": "twelve"}
    response = manager.post(f"/funding/claims/{claim.pk}/actuals/", bad)
    assert response.status_code == 200 and "“twelve” is not an amount in pounds" in response.content.decode()
    claim.refresh_from_db()
    assert claim.actual_pence is None
    form[f"post_{lines[0].post_id}"] = "21,190.50"
    response = manager.post(f"/funding/claims/{claim.pk}/actuals/", form | {"explanation": ""})
    assert response.status_code == 302
    # The preparer is told why they cannot check it; the check without an explanation is refused.
    page = manager.get(f"/funding/claims/{claim.pk}/").content.decode()
    assert "someone other than the person who prepared it" in page and 'id="check-claim"' not in page
    response = finance.post(f"/funding/claims/{claim.pk}/check/")
    assert response.status_code == 422 and "explain the variance" in response.content.decode()
    manager.post(f"/funding/claims/{claim.pk}/actuals/", form | {"explanation": "Overtime (synthetic)"})
    assert finance.post(f"/funding/claims/{claim.pk}/check/").status_code == 302
    assert finance.post(f"/funding/claims/{claim.pk}/submit/").status_code == 302
    response = finance.post(
        f"/funding/claims/{claim.pk}/paid/",
        {"paid_on_day": "31", "paid_on_month": "2", "paid_on_year": "2026", "paid_amount": "50,682.50"},
    )
    assert response.status_code == 422 and "must be a real date" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == "submitted"
    today = claim.submitted_at.date()
    response = finance.post(
        f"/funding/claims/{claim.pk}/paid/",
        {
            "paid_on_day": today.day,
            "paid_on_month": today.month,
            "paid_on_year": today.year,
            "paid_amount": "50,682.50",
        },
    )
    assert response.status_code == 302
    assert finance.post(f"/funding/claims/{claim.pk}/reconcile/", {"note": ""}).status_code == 302
    claim.refresh_from_db()
    assert claim.state == "reconciled" and claim.paid_pence == 50_682_50
    invoice = finance.get(f"/funding/claims/{claim.pk}/invoice.pdf")
    text = " ".join(PdfReader(io.BytesIO(invoice.content)).pages[0].extract_text().split())
    assert "Invoice PCD1258-Q1" in text and "£50,682.50" in text and "Ministry of Justice" in text


def test_import_page_reports_rows_and_changes_nothing(db):
    people = funding_people()
    grant = seed_grant(people)
    client = signed_in(people["manager"])
    client.post(f"/funding/grants/{grant.pk}/claims/new/", {"number": "2"})
    claim = Claim.objects.get(grant=grant, number=2)
    upload = io.BytesIO(b"post,amount\nLDN-MGR,abc\nLDN-OFF,1\nLDN-RES,1\n")
    upload.name = "ledger.csv"
    response = client.post(f"/funding/claims/{claim.pk}/actuals/", {"file": upload})
    assert response.status_code == 200
    assert "Row 2, amount: “abc” is not an amount in pounds" in response.content.decode()
    claim.refresh_from_db()
    assert claim.actual_pence is None


def test_signed_out_visitors_reach_only_the_public_register(db):
    from django.test import Client

    anonymous = Client()
    for path in ("/funding/", "/funding/decisions/", "/funding/grants/1/", "/funding/claims/1/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], path
    assert anonymous.get("/register/").status_code == 200
