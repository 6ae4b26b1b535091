"""The demo has subject access requests in each state, a restricted person, a correction told to two
agencies and people due for MoPI review; every rights page opens for London's manager, axe aside."""

import pytest

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.demo.generate import generate
from marsoc.rights.models import (
    PersonRestriction,
    RecordReview,
    Rectification,
    RequestStatus,
    SubjectAccessRequest,
)
from marsoc.rights.selectors import record_queue, review_queue

from ..conftest import signed_in, with_purpose

pytestmark = pytest.mark.django_db


def test_demo_shows_every_kind_of_rights_work():
    generate(nominals=300, seed=4)
    assert set(SubjectAccessRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    restriction = PersonRestriction.objects.get()
    correction = Rectification.objects.get(kind="rectification")
    assert correction.notices.count() == 2
    manager = User.objects.get(username="london.manager")
    analyst = User.objects.get(username="london.analyst")
    assert access.is_visible(manager, "nominal", restriction.nominal)
    assert not access.is_visible(analyst, "nominal", restriction.nominal)
    assert len(review_queue(actor=manager)) == 3
    retained = set(RecordReview.objects.values_list("nominal_id", flat=True))  # one record of each due
    assert (
        retained and {d.nominal.pk for d in record_queue(actor=manager) if d.nominal and d.last} == retained
    )
    client = with_purpose(signed_in(manager), restriction.nominal, correction.nominal)
    home = client.get("/rights/")
    assert home.status_code == 200 and "People due for retention review" in home.content.decode()
    assert 'id="record-reviews"' in home.content.decode()
    for sar in SubjectAccessRequest.objects.all():
        assert client.get(f"/rights/requests/{sar.pk}/").status_code == 200
    person = client.get(f"/rights/people/{correction.nominal.pk}/").content.decode()
    assert "told, not yet acknowledged" in person
    assert "Restricted" in client.get(f"/rights/people/{restriction.nominal.pk}/").content.decode()
