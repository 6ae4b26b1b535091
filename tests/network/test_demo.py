"""The demo's networks: groups across hubs, memberships, custody and intelligence links, and a difference
between what the NCA partner and the national analyst see."""

from marsoc.accounts.models import User
from marsoc.demo.generate import generate
from marsoc.network import selectors
from marsoc.network.models import Association, GroupAssessment, Membership, OrganisedCrimeGroup


def test_demo_networks_differ_by_agreement(db):
    generate(nominals=400, seed=5)
    assert OrganisedCrimeGroup.objects.values("owner_hub").distinct().count() >= 5
    assert OrganisedCrimeGroup.objects.count() >= 20
    assert Membership.objects.exists()
    assert GroupAssessment.objects.filter(current=True).count() == OrganisedCrimeGroup.objects.count()
    kinds = set(Association.objects.values_list("association_type", flat=True))
    assert {"cell_mate", "criminal_associate", "group_rivalry"} <= kinds
    assert Association.objects.filter(source_kind="intelligence").exists()
    assert Association.objects.filter(source_kind="custody", a_associate__isnull=False).exists()
    nca = User.objects.get(username="partner.nca")
    national = User.objects.get(username="national.analyst")
    seen_by_nca = selectors.network_graph(actor=nca)
    seen_nationally = selectors.network_graph(actor=national)
    assert 0 < len(seen_by_nca.links) < len(seen_nationally.links)
    assert selectors.group_list(actor=nca).count() < selectors.group_list(actor=national).count()
