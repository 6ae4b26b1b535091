"""Shared set-up for the plans tests: an adopted London nominal and the people who work on it."""

from datetime import date, timedelta

from marsoc.accounts.models import User
from marsoc.core.vocabulary import Role
from marsoc.nominals.models import Nominal
from marsoc.nominals.services import custody_event_record, membership_change
from marsoc.plans.models import Plan, Tactic
from marsoc.plans.services import plan_create

from ..conftest import agency, make_nominal, make_user, partnership_agreement, today


def adopt(nominal: Nominal, manager: User) -> Nominal:
    membership_change(actor=manager, nominal=nominal, to_state="under_assessment", rationale="Assess")
    membership_change(actor=manager, nominal=nominal, to_state="adopted", rationale="Meets the threshold")
    nominal.refresh_from_db()
    return nominal


def sentence(nominal: Nominal, officer: User, release_in_days: int) -> Nominal:
    from marsoc.accounts.models import Establishment

    est = Establishment.objects.filter(hub__code="london").first()
    custody_event_record(
        actor=officer,
        nominal=nominal,
        event_type="reception",
        occurred_on=today() - timedelta(days=400),
        establishment_id=est.pk,
        reception_status="sentenced",
        expected_release_date=today() + timedelta(days=release_in_days),
        licence_end_date=today() + timedelta(days=release_in_days + 700),
    )
    nominal.refresh_from_db()
    return nominal


def tactic(code: str) -> Tactic:
    return Tactic.objects.get(code=code)


class World:
    def __init__(self) -> None:
        self.manager = make_user("london.mgr", [Role.HUB_MANAGER])  # MPS
        self.officer = make_user("london.off", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
        self.hmrc = make_user("hmrc.partner", [Role.PARTNER_OFFICER], hub_code=None, agency_code="hmrc")
        self.nca = make_user("nca.partner", [Role.PARTNER_OFFICER], hub_code=None, agency_code="nca")
        self.nominal = adopt(make_nominal(self.manager, family="Planned"), self.manager)
        self.mps = agency("mps")
        self.hmrc_agency = agency("hmrc")
        # The partners take part under agreements in force (without one an action gives no access).
        self.agreements = {code: partnership_agreement(code) for code in ("hmrc", "nca")}

    def plan(self) -> Plan:
        return plan_create(actor=self.manager, nominal=self.nominal, owner_agency_id=self.mps.pk)


def soon(days: int = 30) -> date:
    return today() + timedelta(days=days)
