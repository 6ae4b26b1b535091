"""The four nominals of the access table's world (own hub, other hub, participating, non-participating)."""

import pytest

from marsoc.core.vocabulary import Role

from ..conftest import add_participation, make_nominal, make_user


@pytest.fixture
def people(db):
    owner = make_user("net.owner", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    nominals = {
        "own_hub": make_nominal(owner, hub_code="london", family="Own"),
        "other_hub": make_nominal(owner, hub_code="yorkshire-humber", family="Other"),
        "participating": make_nominal(owner, hub_code="yorkshire-humber", family="Partnered"),
        "non_participating": make_nominal(owner, hub_code="london", family="Elsewhere"),
    }
    add_participation(nominals["participating"], "probation-london", owner)
    return owner, nominals
