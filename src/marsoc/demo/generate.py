"""Deterministic synthetic demonstration data: agencies' users for every role, and N nominals with valid
identifiers, aliases, custody histories over real establishment codes, membership histories and
participating agencies. Nothing here describes a real person."""

import base64
import hashlib
import itertools
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, Establishment, Hub, User
from marsoc.accounts.services import api_token_issue, totp_device_set, user_create
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record
from marsoc.core.identifiers import make_crn, make_cro, make_nomis, make_pnc
from marsoc.core.vocabulary import Classification, Role
from marsoc.linkage.services import linkage_reset
from marsoc.nominals.lifecycle import CustodySequenceError, derive_custody
from marsoc.nominals.models import (
    PERSONAL_DETAILS,
    Alias,
    CustodyEvent,
    Identifier,
    MembershipChange,
    Nominal,
    Participation,
)
from marsoc.nominals.vocabulary import (
    AliasType,
    CustodyEventType,
    DataSubjectCategory,
    ExitReason,
    MembershipState,
    OfficerDefinedEthnicity,
    ReceptionStatus,
    Religion,
    SelfDefinedEthnicity,
    Sex,
)
from marsoc.plans.alerts import alerts_produce
from marsoc.reporting.services import snapshots_refresh, snapshots_reset

from .assessments import DEFAULT_LIMIT as DEFAULT_ASSESSMENTS
from .assessments import generate_assessments
from .calibration import generate_calibration
from .casework import generate_case_notes
from .funding import generate_funding
from .intelligence import DEFAULT_LIMIT as DEFAULT_INTEL
from .intelligence import generate_intelligence, reset_intelligence
from .linkage import generate_linkage
from .names import FAMILY, GIVEN_FEMALE, GIVEN_MALE, NICKNAMES
from .network import generate_network, reset_network
from .plans import DEFAULT_LIMIT as DEFAULT_PLANS
from .plans import generate_plans
from .reading import generate_reading
from .rights import generate_rights
from .sso import SsoSignIn, ensure_sso

DEMO_PASSWORD = "marsoc-demo-2026"  # noqa: S105 - printed for the demonstration; never a real account
BATCH = 5000


@dataclass(frozen=True)
class DemoUser:
    username: str
    first: str
    last: str
    roles: tuple[str, ...]
    hub: str | None
    agency: str
    clearance: str = Classification.OFFICIAL_SENSITIVE
    service: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "national.manager",
        "Nadia",
        "Hartley",
        (Role.HUB_MANAGER,),
        "national",
        "hmpps-marsoc",
        Classification.SECRET,
    ),
    DemoUser(
        "national.analyst",
        "Owen",
        "Pryce",
        (Role.NATIONAL_ANALYST,),
        "national",
        "hmpps-marsoc",
        Classification.SECRET,
    ),
    DemoUser("london.manager", "Grace", "Okoro", (Role.HUB_MANAGER,), "london", "mps", Classification.SECRET),
    DemoUser("london.officer", "Tom", "Bell", (Role.HUB_OFFICER,), "london", "hmpps-prisons-london"),
    DemoUser("london.analyst", "Priya", "Nair", (Role.ANALYST,), "london", "mps"),
    DemoUser("yorkshire.manager", "Sam", "Whitaker", (Role.HUB_MANAGER,), "yorkshire-humber", "yhrocu"),
    DemoUser(
        "yorkshire.officer",
        "Beth",
        "Holroyd",
        (Role.HUB_OFFICER,),
        "yorkshire-humber",
        "hmpps-prisons-yorkshire",
    ),
    DemoUser("eastern.officer", "Ravi", "Sandhu", (Role.HUB_OFFICER,), "eastern", "ersou"),
    # Calibration assessors from more hubs, so the demo exercise has a national spread.
    DemoUser("northwest.officer", "Aoife", "Brennan", (Role.HUB_OFFICER,), "north-west", "titan"),
    DemoUser("wales.analyst", "Rhys", "Morgan", (Role.ANALYST,), "wales", "tarian"),
    DemoUser("westmids.officer", "Kwame", "Asante", (Role.HUB_OFFICER,), "west-midlands", "rocuwm"),
    DemoUser("partner.probation", "Jo", "Lindqvist", (Role.PARTNER_OFFICER,), "london", "probation-london"),
    DemoUser("partner.nca", "Alex", "Mbeki", (Role.PARTNER_OFFICER,), None, "nca", Classification.SECRET),
    DemoUser("london.finance", "Marcus", "Adeyemi", (Role.FINANCE_OFFICER,), "london", "mps"),
    # Approves decision records (the seed's Deputy Mayor); no case role, no hub.
    DemoUser("decision.maker", "Sophie", "Lindell", (Role.DECISION_MAKER,), None, "hmpps-marsoc"),
    DemoUser("board.member", "Helen", "Ashdown", (Role.BOARD_MEMBER,), None, "home-office-ie"),
    DemoUser("inspector", "Ian", "Corrigan", (Role.INSPECTOR,), None, "hmpps-marsoc"),
    DemoUser("sysadmin", "Sys", "Admin", (Role.SYSTEM_ADMIN,), None, "hmpps-marsoc"),
    # A partner system's feed account (issue 15): pushes London Probation's extracts to the London hub only.
    DemoUser(
        "feed.probation",
        "Probation",
        "Feed",
        (Role.FEED_ACCOUNT,),
        "london",
        "probation-london",
        service=True,
    ),
    DemoUser(
        "feed.london", "London", "Feed", (Role.HUB_OFFICER,), "london", "hmpps-prisons-london", service=True
    ),
)

# Share of the national cohort held by each regional hub.
HUB_WEIGHTS = {
    "london": 22,
    "north-west": 13,
    "west-midlands": 11,
    "yorkshire-humber": 11,
    "eastern": 9,
    "south-east": 9,
    "east-midlands": 7,
    "north-east": 6,
    "south-west": 7,
    "wales": 5,
}


def totp_key_hex(seed: int, username: str) -> str:
    return hashlib.sha1(f"marsoc-demo:{seed}:{username}".encode()).hexdigest()  # noqa: S324 - a seed, not security


def totp_secret_b32(key_hex: str) -> str:
    return base64.b32encode(bytes.fromhex(key_hex)).decode("ascii")


def demo_token(seed: int, username: str) -> str:
    return "mh_demo_" + hashlib.sha256(f"marsoc-demo-token:{seed}:{username}".encode()).hexdigest()[:32]


@dataclass
class Credentials:
    username: str
    roles: str
    where: str
    totp_secret: str
    token: str | None = None


@dataclass
class GenerateResult:
    nominals: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    credentials: list[Credentials] = field(default_factory=list)
    sso: list[SsoSignIn] = field(default_factory=list)


def ensure_users(seed: int) -> list[Credentials]:
    """Create the demonstration users (once); return how to sign in as each."""
    hubs = {h.code: h for h in Hub.objects.all()}
    agencies = {a.code: a for a in Agency.objects.all()}
    out = []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=spec.username,
                password=None if spec.service else DEMO_PASSWORD,
                agency=agencies[spec.agency],
                hub=hubs[spec.hub] if spec.hub else None,
                roles=spec.roles,
                clearance=spec.clearance,
                first_name=spec.first,
                last_name=spec.last,
                email=f"{spec.username}@marsoc.example",
                is_service_account=spec.service,
            )
        key = totp_key_hex(seed, spec.username)
        if not spec.service:
            totp_device_set(user, key)
        raw = demo_token(seed, spec.username)
        if not user.api_tokens.filter(name="demo").exists():
            api_token_issue(user=user, name="demo", raw=raw)
        out.append(
            Credentials(
                username=spec.username,
                roles=", ".join(Role(r).label for r in spec.roles),
                where=f"{spec.hub or '-'} / {spec.agency}",
                totp_secret="" if spec.service else totp_secret_b32(key),
                token=raw,
            )
        )
    return out


class _Ids:
    """Unique identifiers from an index via a fixed permutation, so 100,000 never collide."""

    def __init__(self, rng: random.Random) -> None:
        self.offset = rng.randrange(1_000_000)

    def _perm(self, i: int, modulus: int) -> int:
        return (i * 7919 + self.offset) % modulus

    def nomis(self, i: int) -> str:
        n = self._perm(i, 26 * 10_000 * 676)
        first, rest = divmod(n, 10_000 * 676)
        digits, pair = divmod(rest, 676)
        return make_nomis(chr(65 + first), digits, chr(65 + pair // 26) + chr(65 + pair % 26))

    def crn(self, i: int) -> str:
        n = self._perm(i, 26 * 1_000_000)
        return make_crn(chr(65 + n // 1_000_000), n % 1_000_000)

    def pnc(self, i: int, year: int) -> str:
        return make_pnc(year, self._perm(i, 10_000_000))

    def cro(self, i: int, year2: int) -> str:
        return make_cro(self._perm(i, 1_000_000), year2)


_HUB_CODES = list(HUB_WEIGHTS)
_HUB_CUMULATIVE = list(itertools.accumulate(HUB_WEIGHTS.values()))
# Django rebuilds `.values` on every access: read the choice lists once.
# Synthetic mixes for the equality report: roughly census-like with some spread, so the demonstration
# report has groups above and below the reference shares. They describe no real population.
_E = SelfDefinedEthnicity
ETHNICITY_SELF_WEIGHTS: dict[str, float] = {
    _E.W1: 62, _E.W2: 2, _E.W3: 1.5, _E.W4: 0.5, _E.W9: 6,
    _E.M1: 2, _E.M2: 0.8, _E.M3: 0.8, _E.M9: 0.9,
    _E.A1: 2.5, _E.A2: 3, _E.A3: 1, _E.A4: 0.5, _E.A9: 1,
    _E.B1: 2, _E.B2: 2.5, _E.B9: 0.5,
    _E.O1: 0.8, _E.O9: 1.2,
    _E.NS: 12,
}  # fmt: skip
ETHNICITIES_SELF = list(ETHNICITY_SELF_WEIGHTS)
ETHNICITY_SELF_W = list(ETHNICITY_SELF_WEIGHTS.values())
ETHNICITIES_OFFICER = OfficerDefinedEthnicity.values
OFFICER_W = [62, 6, 12, 12, 2, 2, 4]  # IC1..IC6, IC9: for people who did not state their own
# What an officer would most likely record for a stated self-definition (the first letter's group).
_OFFICER_FOR_SELF = {"W": "IC1", "M": "IC3", "A": "IC4", "B": "IC3", "O": "IC6"}
RELIGIONS = Religion.values
RELIGION_W = [10, 33, 1, 33, 2, 1, 9, 1, 1, 9]  # in Religion order: not recorded, none, buddhist, ...


def _officer_ethnicity(rng: random.Random, self_code: str) -> str:
    if self_code == SelfDefinedEthnicity.NS:
        return rng.choices(ETHNICITIES_OFFICER, weights=OFFICER_W)[0]
    if self_code == SelfDefinedEthnicity.A4:
        return "IC5"
    return _OFFICER_FOR_SELF[self_code[0]] if rng.random() < 0.9 else "IC9"


def _pick_hub(rng: random.Random) -> str:
    return rng.choices(_HUB_CODES, cum_weights=_HUB_CUMULATIVE)[0]


def _custody_events(
    rng: random.Random, today: date, dob: date, est_ids: list[int]
) -> tuple[str, list[dict[str, Any]]]:
    """A plausible custody story ending in one of the lifecycle phases."""
    story = rng.choices(
        ["none", "remand", "sentenced", "release_soon", "licence", "post", "recall"],
        weights=[12, 8, 25, 12, 20, 15, 8],
    )[0]
    events: list[dict[str, Any]] = []
    if story == "none":
        return story, events
    adult = dob + timedelta(days=18 * 365)
    start = max(adult, today - timedelta(days=rng.randint(60, 3650)))
    if story == "remand":
        start = today - timedelta(days=rng.randint(5, 300))
    est = rng.choice(est_ids)
    events.append(
        {
            "event_type": CustodyEventType.RECEPTION,
            "occurred_on": start,
            "establishment_id": est,
            "reception_status": ReceptionStatus.REMAND,
        }
    )
    if story == "remand":
        if rng.random() < 0.4:
            other = rng.choice([e for e in est_ids if e != est] or [est])
            if other != est:
                events.append(
                    {
                        "event_type": CustodyEventType.TRANSFER,
                        "occurred_on": start + timedelta(days=rng.randint(1, max(1, (today - start).days))),
                        "establishment_id": other,
                    }
                )
        return story, events
    sentenced_on = start + timedelta(days=rng.randint(20, 200))
    if sentenced_on > today:
        sentenced_on = today
    if story == "sentenced":
        release = today + timedelta(days=rng.randint(200, 3000))
    elif story == "release_soon":
        release = today + timedelta(days=rng.randint(1, 180))
    else:
        release = sentenced_on + timedelta(days=rng.randint(90, 1500))
        if release >= today:
            release = today - timedelta(days=rng.randint(1, 60))
        if release < sentenced_on:
            release = sentenced_on
    licence_end = release + timedelta(days=rng.randint(365, 1800))
    if story == "post":
        licence_end = min(licence_end, today - timedelta(days=rng.randint(1, 400)))
        if licence_end <= release:
            licence_end = release + timedelta(days=1)
    if story in ("licence", "recall") and licence_end <= today:
        licence_end = today + timedelta(days=rng.randint(30, 900))
    events.append(
        {
            "event_type": CustodyEventType.SENTENCE,
            "occurred_on": sentenced_on,
            "establishment_id": None,
            "expected_release_date": release,
            "licence_end_date": licence_end,
        }
    )
    if rng.random() < 0.5:
        other = rng.choice(est_ids)
        moved = sentenced_on + timedelta(days=rng.randint(1, 60))
        if other != est and moved <= min(today, release):
            events.append(
                {"event_type": CustodyEventType.TRANSFER, "occurred_on": moved, "establishment_id": other}
            )
    if story in ("licence", "post", "recall"):
        events.append(
            {"event_type": CustodyEventType.RELEASE, "occurred_on": release, "establishment_id": None}
        )
    if story == "recall":
        recall_on = release + timedelta(days=rng.randint(1, max(1, (today - release).days)))
        if recall_on <= today:
            events.append(
                {
                    "event_type": CustodyEventType.RECALL,
                    "occurred_on": min(recall_on, today),
                    "establishment_id": rng.choice(est_ids),
                }
            )
    return story, events


class _Ev:
    """A lightweight event for the pure lifecycle derivation (no model instances needed)."""

    __slots__ = (
        "establishment_id",
        "event_type",
        "expected_release_date",
        "licence_end_date",
        "occurred_on",
        "reception_status",
    )

    def __init__(self, data: dict[str, Any]) -> None:
        self.event_type = data["event_type"]
        self.occurred_on = data["occurred_on"]
        self.establishment_id = data.get("establishment_id")
        self.reception_status = data.get("reception_status", "")
        self.expected_release_date = data.get("expected_release_date")
        self.licence_end_date = data.get("licence_end_date")


ALIAS_KINDS = (AliasType.ALIAS, AliasType.NICKNAME, AliasType.SPELLING)
MEMBERSHIP_PATHS = {
    MembershipState.REFERRED: (MembershipState.REFERRED,),
    MembershipState.UNDER_ASSESSMENT: (MembershipState.REFERRED, MembershipState.UNDER_ASSESSMENT),
    MembershipState.ADOPTED: (
        MembershipState.REFERRED,
        MembershipState.UNDER_ASSESSMENT,
        MembershipState.ADOPTED,
    ),
    MembershipState.EXITED: (
        MembershipState.REFERRED,
        MembershipState.UNDER_ASSESSMENT,
        MembershipState.ADOPTED,
        MembershipState.EXITED,
    ),
}
RATIONALES = {
    MembershipState.REFERRED: "Referred after a prison intelligence review (synthetic).",
    MembershipState.UNDER_ASSESSMENT: "Accepted for assessment at the hub meeting.",
    MembershipState.ADOPTED: "Adopted by the hub manager on the assessment.",
    MembershipState.EXITED: "Assessed risk reduced below the cohort threshold.",
}
PARTICIPATION_RATIONALE = "Agency holds powers relevant to the plan (synthetic)."


NATIONALITIES = ["British", "Irish", "Polish", "Romanian", "Albanian", "Jamaican", "Nigerian", "Pakistani"]
NATIONALITY_WEIGHTS = [80, 3, 3, 3, 4, 2, 2, 3]
NOMINAL_COLUMNS = [
    "id",
    *PERSONAL_DETAILS,  # in this order: the rows below are built in it
    "owner_hub_id",
    "lead_officer_id",
    "membership_state",
    "membership_changed_at",
    "custody_status",
    "current_establishment_id",
    "expected_release_date",
    "licence_end_date",
    "ever_sentenced",
    "created_at",
    "created_by_id",
    "updated_at",
]


def day(value: date | None) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows inserted without the ORM (inside the caller's transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write lock taken by the transaction keeps anyone else from using these.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the models, values bound
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one statement: far fewer round trips than INSERT per row.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def reset_case_data() -> None:
    """Remove every nominal (and what hangs off them). The audit log is never touched."""
    snapshots_reset()  # the Board's figures described the records removed
    reset_network()  # its links hold on to intelligence items
    reset_intelligence()
    with transaction.atomic():
        Nominal.objects.all().delete()
        linkage_reset()


def generate(
    *,
    nominals: int,
    seed: int,
    today: date | None = None,
    with_users: bool = True,
    assessments: int = DEFAULT_ASSESSMENTS,
    plans: int = DEFAULT_PLANS,
    linkage_people: int = 0,  # `marsoc generate` asks for DEFAULT_LINKAGE_PEOPLE
    intelligence: int = DEFAULT_INTEL,
) -> GenerateResult:
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    result = GenerateResult()
    if with_users:
        result.credentials = ensure_users(seed)
        result.sso = ensure_sso()
    hubs = {h.code: h for h in Hub.objects.filter(is_national=False)}
    establishments: dict[int, list[int]] = {}
    all_est = list(Establishment.objects.filter(active=True).values_list("id", "hub_id"))
    for est_id, hub_id in all_est:
        establishments.setdefault(hub_id, []).append(est_id)
    every_est = [e for e, _ in all_est]
    officers: dict[int, list[int]] = {}
    for uid, hub_id in User.objects.filter(
        role_grants__role__in=[Role.HUB_MANAGER, Role.HUB_OFFICER], is_service_account=False
    ).values_list("id", "hub_id"):
        if hub_id:
            officers.setdefault(hub_id, []).append(uid)
    partner_rows = Agency.objects.filter(
        code__in=["probation-london", "nca", "hmrc", "home-office-ie", "probation-yorkshire", "dvla"]
    ).values_list("id", "code")
    partner_agencies = [pk for pk, _code in partner_rows]
    # Probation takes part in managing a sentence; the others to prevent and detect crime. Each sees the
    # person only under an agreement in force covering that purpose (demo/intelligence.py makes them).
    partner_purposes = {
        pk: "offender_management" if code.startswith("probation") else "prevention_detection"
        for pk, code in partner_rows
    }
    # Generated rows are recorded by the system, not by a person (and each FK check costs time).
    manager_id = None
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    ids = _Ids(rng)
    start_index = Nominal.objects.count()
    counts = {
        "identifiers": 0,
        "aliases": 0,
        "custody_events": 0,
        "membership_changes": 0,
        "participations": 0,
    }

    for batch_start in range(0, nominals, BATCH):
        size = min(BATCH, nominals - batch_start)
        people: list[tuple[Any, ...]] = []
        extras: list[dict[str, Any]] = []
        for k in range(size):
            i = start_index + batch_start + k
            hub = hubs[_pick_hub(rng)]
            sex = rng.choices([Sex.MALE, Sex.FEMALE], weights=[88, 12])[0]
            given = rng.choice(GIVEN_MALE if sex == Sex.MALE else GIVEN_FEMALE)
            if rng.random() < 0.35:
                given += " " + rng.choice(GIVEN_MALE if sex == Sex.MALE else GIVEN_FEMALE)
            family = rng.choice(FAMILY)
            dob = date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28))
            est_ids = establishments.get(hub.pk) or every_est
            story, events = _custody_events(rng, today, dob, est_ids if rng.random() < 0.85 else every_est)
            try:
                state = derive_custody([_Ev(e) for e in events])
            except CustodySequenceError:  # an unlucky draw: keep the person out of custody
                events, state = [], derive_custody([])
            membership = rng.choices(
                [
                    MembershipState.REFERRED,
                    MembershipState.UNDER_ASSESSMENT,
                    MembershipState.ADOPTED,
                    MembershipState.EXITED,
                ],
                weights=[12, 13, 65, 10],
            )[0]
            lead_pool = officers.get(hub.pk)
            # Same draw order as the fields below: the data stay the same for a seed.
            ethnicity_self = rng.choices(ETHNICITIES_SELF, weights=ETHNICITY_SELF_W)[0]
            ethnicity_officer = _officer_ethnicity(rng, ethnicity_self)
            nationality = rng.choices(NATIONALITIES, weights=NATIONALITY_WEIGHTS)[0]
            religion = rng.choices(RELIGIONS, weights=RELIGION_W)[0]
            category = (
                rng.choices([DataSubjectCategory.CONVICTED, DataSubjectCategory.SUSPECT], weights=[85, 15])[0]
                if events
                else DataSubjectCategory.SUSPECT
            )
            classification = rng.choices(
                [Classification.OFFICIAL_SENSITIVE, Classification.SECRET], weights=[95, 5]
            )[0]
            lead = rng.choice(lead_pool) if lead_pool and rng.random() < 0.8 else None
            people.append(
                (
                    given,
                    family,
                    day(dob),
                    sex,
                    ethnicity_self,
                    ethnicity_officer,
                    nationality,
                    religion,
                    category,
                    classification,
                    hub.pk,
                    lead,
                    membership,
                    stamp,
                    state.status,
                    state.establishment_id,
                    day(state.expected_release_date),
                    day(state.licence_end_date),
                    state.ever_sentenced,
                    stamp,
                    manager_id,
                    stamp,
                )
            )
            extras.append(
                {
                    "i": i,
                    "events": events,
                    "membership": membership,
                    "story": story,
                    "dob": dob,
                    "given": given,
                }
            )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Synthetic data: not waiting for each commit to reach disk is a safe trade here.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            new_ids = _reserve_ids(Nominal, len(people))
            _insert(Nominal, NOMINAL_COLUMNS, [(pk, *row) for pk, row in zip(new_ids, people, strict=True)])
            # Child rows go in as plain tuples through executemany: building ~900,000 model objects and
            # their INSERT statements is what made 100,000 people slow, not the database.
            idents: list[tuple[Any, ...]] = []
            aliases: list[tuple[Any, ...]] = []
            events_rows: list[tuple[Any, ...]] = []
            changes: list[tuple[Any, ...]] = []
            parts: list[tuple[Any, ...]] = []
            for pk, extra in zip(new_ids, extras, strict=True):
                i = extra["i"]
                if extra["events"]:
                    idents.append((pk, "NOMIS", ids.nomis(i), manager_id, stamp))
                    year = rng.randint(max(1975, extra["dob"].year + 14), min(today.year, 2024))
                    idents.append((pk, "PNC", ids.pnc(i, year), manager_id, stamp))
                    if rng.random() < 0.7:
                        idents.append((pk, "CRO", ids.cro(i, year % 100), manager_id, stamp))
                if extra["story"] in ("licence", "post", "recall") or rng.random() < 0.3:
                    idents.append((pk, "CRN", ids.crn(i), manager_id, stamp))
                for _ in range(rng.choices((0, 1, 2), weights=(55, 35, 10))[0]):
                    kind = rng.choice(ALIAS_KINDS)
                    if kind == AliasType.NICKNAME:
                        aliases.append((pk, kind, rng.choice(NICKNAMES), "", None, manager_id, stamp))
                    else:
                        first = extra["given"].split()[0]
                        aliases.append((pk, kind, first, rng.choice(FAMILY), None, manager_id, stamp))
                for e in extra["events"]:
                    events_rows.append(
                        (
                            pk,
                            e["event_type"],
                            day(e["occurred_on"]),
                            e.get("establishment_id"),
                            e.get("reception_status", ""),
                            day(e.get("expected_release_date")),
                            day(e.get("licence_end_date")),
                            "",
                            manager_id,
                            stamp,
                        )
                    )
                path = MEMBERSHIP_PATHS[extra["membership"]]
                when = today - timedelta(days=rng.randint(30 * len(path), 900))
                previous = ""
                for step in path:
                    exit_reason = ExitReason.RISK_REDUCED if step == MembershipState.EXITED else ""
                    changes.append(
                        (pk, previous, step, day(when), exit_reason, RATIONALES[step], manager_id, stamp)
                    )
                    previous = step
                    when += timedelta(days=rng.randint(7, 30))
                if partner_agencies and rng.random() < 0.2:
                    for agency_id in rng.sample(partner_agencies, rng.choice((1, 1, 2))):
                        purpose = partner_purposes[agency_id]
                        parts.append((pk, agency_id, PARTICIPATION_RATIONALE, purpose, manager_id, stamp))
            _insert(Identifier, ["nominal_id", "id_type", "value", "added_by_id", "added_at"], idents)
            _insert(
                Alias,
                [
                    "nominal_id",
                    "alias_type",
                    "given_names",
                    "family_name",
                    "date_of_birth",
                    "added_by_id",
                    "added_at",
                ],
                aliases,
            )
            _insert(
                CustodyEvent,
                [
                    "nominal_id",
                    "event_type",
                    "occurred_on",
                    "establishment_id",
                    "reception_status",
                    "expected_release_date",
                    "licence_end_date",
                    "notes",
                    "recorded_by_id",
                    "recorded_at",
                ],
                events_rows,
            )
            _insert(
                MembershipChange,
                [
                    "nominal_id",
                    "from_state",
                    "to_state",
                    "effective_date",
                    "exit_reason",
                    "rationale",
                    "changed_by_id",
                    "changed_at",
                ],
                changes,
            )
            _insert(
                Participation,
                ["nominal_id", "agency_id", "rationale", "purpose", "added_by_id", "added_at"],
                parts,
            )
        counts["identifiers"] += len(idents)
        counts["aliases"] += len(aliases)
        counts["custody_events"] += len(events_rows)
        counts["membership_changes"] += len(changes)
        counts["participations"] += len(parts)
    if assessments:
        counts |= generate_assessments(seed=seed, limit=assessments)
    counts |= generate_calibration(seed=seed)
    if plans:
        counts |= generate_plans(seed=seed, limit=plans, today=today)
    if linkage_people:
        counts |= {f"linkage_{k}": v for k, v in generate_linkage(seed=seed, people=linkage_people).items()}
    if intelligence:
        counts |= generate_intelligence(seed=seed, limit=intelligence, today=today)
    counts |= generate_case_notes(seed=seed, today=today)
    counts |= generate_network(seed=seed, today=today)
    counts |= generate_rights(today=today)
    counts |= {f"funding_{k}": v for k, v in generate_funding(today=today).items()}
    # The demo starts with alerts present (the worker then runs the job daily: plans/schedule.py).
    counts["alerts"] = alerts_produce(today=today)
    # ... and the inspector with audit anomalies to look into (ordinary reading and one outlier).
    counts |= generate_reading()
    # Two years of monthly Board figures, so the reports' trends move (the worker keeps them current).
    counts["report_snapshots"] = len(snapshots_refresh(months=24, today=today, rebuild=True))
    audit_record(
        actor=None,
        action=AuditAction.DEMO_GENERATE,
        justification="Synthetic demonstration data",
        details={"nominals": nominals, "seed": seed, **counts},
    )
    result.nominals = nominals
    result.rows = counts
    result.seconds = time.perf_counter() - started
    return result
