"""The tasking meeting page laid out for the room: a compact agenda, one section per person, every claim
decided in one form with nothing pre-selected (all errors at once, nothing saved on any error), and the
marking the meeting pack carries shown on the page."""

import io
import re

from pypdf import PdfReader

from marsoc.core.models import AuditEvent
from marsoc.plans import services
from marsoc.plans.models import Outcome

from ..conftest import signed_in, today
from .test_meetings_alerts_reports import scenario

__all__ = ["scenario"]


def _second_claim(s):
    """A second claim about the same person, so two claims wait at the meeting."""
    action = s["claim"].action
    return services.outcome_claim(
        actor=s["w"].manager, action=action, occurred_on=today(), rating="minor", justification="Same seizure"
    )


def test_the_agenda_is_compact_and_sectioned_per_person(scenario):
    s = scenario
    html = signed_in(s["w"].manager).get(f"/plans/meetings/{s['meeting'].pk}/").content.decode()
    compact = html[html.index('id="agenda-compact"') : html.index('id="people"')]
    rows = re.findall(r"\d\. ([^<]+)</td><td[^>]*>(\d+)</td>", compact)
    assert [label for label, _ in rows][:2] == ["New referrals", "Adoptions"] and len(rows) == 8
    assert dict(rows)["Outcomes awaiting validation"] == "1"
    # One accordion section per person, each person once, holding all their items.
    sections = re.findall(r'class="govuk-accordion__section" id="person-(\d+)"', html)
    assert len(sections) == len(set(sections)) and str(s["old"].pk) in sections
    old = html[html.index(f'id="person-{s["old"].pk}"') :]
    old = old[: old.index("govuk-accordion__section-content") + 3000]
    for text in ("Overdue action: Cash seizure", "Review due", "Outcome claim #", "ends"):
        assert text in old, text
    assert str(s["elsewhere"].pk) not in sections  # another hub's person is never on London's agenda


def test_claims_are_decided_together_with_nothing_pre_selected(scenario):
    s = scenario
    second = _second_claim(s)
    client = signed_in(s["w"].manager)
    url = f"/plans/meetings/{s['meeting'].pk}/"
    html = client.get(url).content.decode()
    claims = html[html.index('id="claims"') : html.index("Record the decisions")]
    assert 'type="radio"' in claims and "checked" not in claims
    # Two problems on two claims: both reported at once, and nothing is saved (not even the good one).
    before = AuditEvent.objects.count()
    bad = client.post(
        url,
        {
            "form": "claims",
            f"decision_{s['claim'].pk}": "reject",
            f"decision_{second.pk}": "merge",
            f"into_{second.pk}": "abc",
            f"reason_{second.pk}": "Same seizure claimed twice",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 200
    assert f"Claim #{s['claim'].pk}: Enter the reason for rejecting the claim" in text
    assert f"Claim #{second.pk}: Enter the claim number as digits" in text
    assert text.count("govuk-error-summary__list") == 1 and f'href="#id_reason_{s["claim"].pk}"' in text
    assert set(
        Outcome.objects.filter(pk__in=[s["claim"].pk, second.pk]).values_list("status", flat=True)
    ) == {"claimed"}
    assert AuditEvent.objects.count() == before + 1  # only the page view (the agenda consultation)
    # Nothing chosen at all: a clear message, nothing saved.
    none = client.post(url, {"form": "claims"})
    assert "Choose a decision for at least one claim" in none.content.decode()
    # Merge the second into the first and validate the first, in one go.
    ok = client.post(
        url,
        {
            "form": "claims",
            f"decision_{s['claim'].pk}": "validate",
            f"decision_{second.pk}": "merge",
            f"into_{second.pk}": str(s["claim"].pk),
            f"reason_{second.pk}": "Same seizure claimed twice",
        },
    )
    assert ok.status_code == 302
    s["claim"].refresh_from_db()
    second.refresh_from_db()
    assert (s["claim"].status, s["claim"].meeting_id) == ("validated", s["meeting"].pk)
    assert (second.status, second.merged_into_id) == ("merged", s["claim"].pk)


def test_a_claim_left_unanswered_waits(scenario):
    s = scenario
    second = _second_claim(s)
    client = signed_in(s["w"].manager)
    response = client.post(
        f"/plans/meetings/{s['meeting'].pk}/", {"form": "claims", f"decision_{second.pk}": "validate"}
    )
    assert response.status_code == 302
    s["claim"].refresh_from_db()
    second.refresh_from_db()
    assert (s["claim"].status, second.status) == ("claimed", "validated")


def test_the_page_shows_the_marking_the_pack_carries(scenario):
    s = scenario
    client = signed_in(s["w"].manager)
    html = client.get(f"/plans/meetings/{s['meeting'].pk}/").content.decode()
    marking = re.search(r'id="marking"><strong class="govuk-tag[^"]*">([^<]+)</strong>', html)
    assert marking
    pack = client.get(f"/plans/meetings/{s['meeting'].pk}/pack.pdf")
    first = PdfReader(io.BytesIO(pack.content)).pages[0].extract_text()
    assert first.splitlines()[0].strip() == marking.group(1)


def test_the_reports_date_errors_are_summarised_together(scenario):
    client = signed_in(scenario["w"].manager)
    bad = client.get(
        "/plans/reports/",
        {
            "start_day": "31",
            "start_month": "2",
            "start_year": "2026",
            "end_day": "x",
            "end_month": "1",
            "end_year": "2026",
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "govuk-error-summary" in html
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    assert summary.count("<li>") == 2 and "#id_start" in summary and "#id_end" in summary
    backwards = client.get(
        "/plans/reports/",
        {
            "start_day": "2",
            "start_month": "3",
            "start_year": "2026",
            "end_day": "1",
            "end_month": "3",
            "end_year": "2026",
        },
    )
    assert "The end date must be the same as or after the start date" in backwards.content.decode()
