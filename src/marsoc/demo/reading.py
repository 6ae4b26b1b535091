"""Synthetic record reading for demonstration data, so the inspector's home page starts with audit
anomalies to look into: a few staff open a handful of people each with the purpose chosen from the list,
and the national analyst opens far more people than anyone else, pasting the same purpose text for each
(a heavy reader and a reused purpose, workday/anomalies.py). Written through the nominals service, so
each view is an ordinary s.62 consultation in the chained log."""

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.nominals.models import Nominal
from marsoc.nominals.services import nominal_consult

# (user, people opened, purpose): ordinary reading by peers, then the outlier.
READERS = [
    ("london.manager", 4, "Case management of this person"),
    ("london.officer", 3, "Case management of this person"),
    ("london.analyst", 5, "Intelligence development"),
    ("partner.probation", 2, "Case management of this person"),
    ("national.analyst", 30, "Intelligence development: checking the national picture"),
]


def generate_reading() -> dict[str, int]:
    users = {u.username: u for u in User.objects.filter(username__in=[r[0] for r in READERS])}
    views = 0
    for username, people, purpose in READERS:
        user = users.get(username)
        if user is None:
            continue
        visible = Nominal.objects.filter(access.scope(user, "nominal")).order_by("pk")[:people]
        for person in visible:
            nominal_consult(actor=user, nominal=person, purpose=purpose, surface="page")
            views += 1
    return {"record_views": views}
