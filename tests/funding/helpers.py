"""The seed grant for tests, loaded the way the demo loads it, and the people who work on it."""

from marsoc.core.vocabulary import Role
from marsoc.demo.funding import load_seed_grant

from ..conftest import make_user


def funding_people() -> dict[str, object]:
    return {
        "manager": make_user("london.manager", [Role.HUB_MANAGER], hub_code="london", agency_code="mps"),
        "finance": make_user("london.finance", [Role.FINANCE_OFFICER], hub_code="london", agency_code="mps"),
        "finance2": make_user(
            "london.finance2", [Role.FINANCE_OFFICER], hub_code="london", agency_code="mps"
        ),
        "national": make_user(
            "national.manager", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc"
        ),
        "yorkshire_finance": make_user(
            "yorkshire.finance", [Role.FINANCE_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu"
        ),
        "board": make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie"),
        "officer": make_user("london.officer", [Role.HUB_OFFICER], hub_code="london", agency_code="mps"),
    }


def seed_grant(people):
    return load_seed_grant(recorder=people["national"], keeper=people["manager"])
