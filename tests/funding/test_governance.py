"""The governance register: DPIAs and the latest version of each equality impact assessment, with their
owners, review dates and an overdue flag."""

from datetime import date, timedelta

from django.utils import timezone

from marsoc.funding.models import Dpia, EqualityAssessment

from ..conftest import signed_in
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
