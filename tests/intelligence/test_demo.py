"""Demo intelligence: agreements in every state, P and C items, sharing allowed, refused and deconflicted."""

import pytest

from marsoc.accounts.models import User
from marsoc.demo.generate import generate
from marsoc.intelligence.models import Disclosure, IntelItem, SharingAgreement, SummaryDisclosure
from marsoc.intelligence.selectors import deconfliction, item_list, summary_items, summary_list
from marsoc.nominals.models import Nominal

pytestmark = pytest.mark.django_db


def test_demo_has_everything_a_first_time_user_needs():
    result = generate(nominals=400, seed=5, assessments=0, intelligence=150)
    assert result.rows["intel_items"] == IntelItem.objects.count() > 150
    assert set(SharingAgreement.objects.values_list("status", flat=True)) == {
        "draft",
        "in_force",
        "suspended",
        "ended",
    }
    assert set(IntelItem.objects.values_list("handling_code", flat=True)) == {"P", "C"}
    assert IntelItem.objects.exclude(legacy_source="").exists()
    assert Disclosure.objects.filter(agreement__status="in_force").exists()
    # A partner sees items only through agreements in force: some, never all.
    partner = User.objects.get(username="partner.nca")
    seen = item_list(actor=partner).count()
    assert 0 < seen < IntelItem.objects.count()
    # Deconfliction: a London officer searching for a Yorkshire person with intelligence is told whom
    # to contact.
    officer = User.objects.get(username="london.officer")
    yorkshire = Nominal.objects.filter(owner_hub__code="yorkshire-humber", intel_items__isnull=False).first()
    notices = deconfliction(actor=officer, query=f"{yorkshire.given_names} {yorkshire.family_name}")
    assert any(n.hub_name == "Yorkshire and the Humber hub" or "Yorkshire" in n.hub_name for n in notices)
    assert all(n.contact_email for n in notices)
    # Nominal summaries: the NCA partner sees the one shared under the agreement in force (with its items),
    # not the one shared under the agreement since suspended; the disclosing London hub keeps both.
    shared = SummaryDisclosure.objects.select_related("agreement")
    assert sorted(s.agreement.status for s in shared) == ["in_force", "suspended"]
    received = list(summary_list(actor=partner))
    assert [s.agreement.status for s in received] == ["in_force"]
    assert "identity" in received[0].snapshot and summary_items(actor=partner, summary=received[0])
    assert summary_list(actor=User.objects.get(username="london.manager")).count() == 2


def test_demo_intelligence_is_deterministic():
    generate(nominals=200, seed=9, assessments=0, intelligence=80)
    first = sorted(
        IntelItem.objects.values_list("text", "handling_code", "classification", "intelligence_date")
    )
    generate(nominals=0, seed=9, assessments=0, intelligence=0, with_users=False)  # no-op run
    from marsoc.demo.generate import reset_case_data

    reset_case_data()
    generate(nominals=200, seed=9, assessments=0, intelligence=80)
    assert (
        sorted(IntelItem.objects.values_list("text", "handling_code", "classification", "intelligence_date"))
        == first
    )
