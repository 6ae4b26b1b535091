"""What the façade knows about whoever is acting. The only place that reads role codes and clearance."""

from dataclasses import dataclass

from django.db.models import Q

from marsoc.core.actor import Actor
from marsoc.core.vocabulary import (
    CASE_ROLES,
    CASE_WRITE_ROLES,
    Role,
    classification_rank,
    classifications_up_to,
)

HUB_STAFF_ROLES = frozenset({Role.HUB_MANAGER, Role.HUB_OFFICER, Role.ANALYST})
# Who may put their name to an agreement, a claim or a progress update for their agency.
AGENCY_VOICE_ROLES = CASE_WRITE_ROLES | {Role.PARTNER_OFFICER}
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Facts:
    """An actor as the rules see them: capacities (from roles), place (hub, agency) and clearance.

    Rules in the apps' `policies.py` speak these words and never read a role code or a clearance
    string themselves, so a role's meaning is defined once, here."""

    actor_id: int | None
    hub_id: int | None
    agency_id: int | None
    national_team: bool
    clearance: str
    roles: frozenset[str]

    # --- capacities --------------------------------------------------------------------------------
    @property
    def case_user(self) -> bool:
        """Works with personal data about nominals (hub staff, partners, national analysts)."""
        return bool(self.roles & CASE_ROLES)

    @property
    def hub_staff(self) -> bool:
        """A hub's manager, officer or analyst."""
        return bool(self.roles & HUB_STAFF_ROLES)

    @property
    def case_writer(self) -> bool:
        """May change case records in their scope (hub managers and officers)."""
        return bool(self.roles & CASE_WRITE_ROLES)

    @property
    def manager(self) -> bool:
        return Role.HUB_MANAGER in self.roles

    @property
    def officer(self) -> bool:
        return Role.HUB_OFFICER in self.roles

    @property
    def analyst(self) -> bool:
        return Role.ANALYST in self.roles

    @property
    def partner(self) -> bool:
        return Role.PARTNER_OFFICER in self.roles

    @property
    def national_analyst(self) -> bool:
        return Role.NATIONAL_ANALYST in self.roles

    @property
    def board(self) -> bool:
        return Role.BOARD_MEMBER in self.roles

    @property
    def inspector(self) -> bool:
        return Role.INSPECTOR in self.roles

    @property
    def administrator(self) -> bool:
        return Role.SYSTEM_ADMIN in self.roles

    @property
    def finance_officer(self) -> bool:
        """Checks, invoices and reconciles grant claims (funding)."""
        return Role.FINANCE_OFFICER in self.roles

    @property
    def decision_maker(self) -> bool:
        """Approves decision records (funding): the office holder a scheme of delegation names."""
        return Role.DECISION_MAKER in self.roles

    @property
    def feed_account(self) -> bool:
        """A partner system's service account: it pushes its agency's extracts to one hub, nothing else."""
        return Role.FEED_ACCOUNT in self.roles

    @property
    def agency_voice(self) -> bool:
        """May speak for their agency: agree a plan, claim an outcome, update its actions."""
        return bool(self.roles & AGENCY_VOICE_ROLES)

    @property
    def sees_every_hub(self) -> bool:
        """National analysts, and hub staff of the national team."""
        return self.national_analyst or (self.national_team and self.hub_staff)

    @property
    def national_manager(self) -> bool:
        return self.national_team and self.manager

    @property
    def national_reach(self) -> bool:
        """National analysts and anyone on the national team (used for national-only pages)."""
        return self.national_analyst or self.national_team

    # --- place ---------------------------------------------------------------------------------------
    def staff_of(self, hub_id: int | None) -> bool:
        """Hub staff of exactly this hub."""
        return self.hub_staff and self.hub_id is not None and self.hub_id == hub_id

    def reaches_hub(self, hub_id: int | None) -> bool:
        """The national team, or this hub's own people."""
        return self.national_team or (self.hub_id is not None and self.hub_id == hub_id)

    def writes_for(self, hub_id: int | None) -> bool:
        """A manager or officer of this hub, or of the national team."""
        return self.case_writer and self.reaches_hub(hub_id)

    def manages(self, hub_id: int | None) -> bool:
        """A manager of this hub, or a national manager."""
        return self.manager and self.reaches_hub(hub_id)

    def of_agency(self, agency_id: int | None) -> bool:
        return self.agency_id is not None and self.agency_id == agency_id

    # --- clearance -----------------------------------------------------------------------------------
    def cleared_for(self, classification: str) -> bool:
        """The actor's clearance is at or above `classification`."""
        return classification_rank(classification) <= classification_rank(self.clearance)

    def cleared_q(self, field: str = "classification") -> Q:
        """Rows whose `field` is within the actor's clearance."""
        return Q(**{f"{field}__in": classifications_up_to(self.clearance)})

    def cleared_classifications(self) -> list[str]:
        return classifications_up_to(self.clearance)


# Capacities by the roles that give them, for queries about people (who can be an assessor, whom to
# alert); rules use the Facts properties instead.
CAPACITY_ROLES: dict[str, frozenset[str]] = {
    "case_user": frozenset(CASE_ROLES),
    "hub_staff": HUB_STAFF_ROLES,
    "case_writer": frozenset(CASE_WRITE_ROLES),
    "manager": frozenset({Role.HUB_MANAGER}),
    "agency_voice": frozenset(AGENCY_VOICE_ROLES),
    "inspector": frozenset({Role.INSPECTOR}),
    "decision_maker": frozenset({Role.DECISION_MAKER}),
}


def holders_q(capacity: str, prefix: str = "") -> Q:
    """Users (reached through `prefix`) who hold `capacity`, as a filter on User."""
    return Q(**{f"{prefix}role_grants__role__in": sorted(CAPACITY_ROLES[capacity])})


def facts_of(actor: Actor) -> Facts:
    return Facts(
        actor_id=actor.pk,
        hub_id=actor.hub_id,
        agency_id=actor.agency_id,
        national_team=actor.is_national,
        clearance=actor.clearance,
        roles=frozenset(actor.role_codes),
    )
