"""Shared fixtures: people in every role, nominals in known places, and clients signed in with both factors."""

from collections.abc import Callable, Iterable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from marsoc.accounts.models import Agency, Hub, User
from marsoc.accounts.services import api_token_issue, totp_device_set, user_create
from marsoc.core.vocabulary import Classification, Role
from marsoc.nominals.models import Nominal, Participation
from marsoc.nominals.services import NominalInput, nominal_refer
from marsoc.sharing.models import AgreementCategory, AgreementPurpose, AgreementSignOff, SharingAgreement

PASSWORD = "correct-horse-battery-staple-42"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key


def pytest_collection_modifyitems(config, items):
    """Browser journeys and other transactional tests run last: their flush empties the
    migration-loaded reference data that the other tests rely on."""
    items.sort(key=lambda item: any(item.get_closest_marker(m) for m in ("browser", "flushes")))


@pytest.fixture(autouse=True)
def _no_axes_leak(settings):  # each test starts with no lockouts
    settings.AXES_ENABLED = True


def hub(code: str) -> Hub:
    return Hub.objects.get(code=code)


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def make_user(
    username: str,
    roles: Iterable[str],
    *,
    hub_code: str | None = "london",
    agency_code: str = "mps",
    clearance: str = Classification.SECRET,
    password: str = PASSWORD,
) -> User:
    user = user_create(
        actor=None,
        username=username,
        password=password,
        agency=agency(agency_code),
        hub=hub(hub_code) if hub_code else None,
        roles=list(roles),
        clearance=clearance,
        first_name=username.split(".")[0].title(),
        last_name="Tester",
    )
    totp_device_set(user, TOTP_KEY)
    return user


def make_nominal(
    actor: User,
    *,
    hub_code: str = "london",
    given: str = "Test",
    family: str = "Person",
    dob: date = date(1985, 3, 27),
    identifiers: Iterable[tuple[str, str]] = (),
    classification: str = Classification.OFFICIAL_SENSITIVE,
) -> Nominal:
    return nominal_refer(
        actor=actor,
        data=NominalInput(
            given_names=given,
            family_name=family,
            date_of_birth=dob,
            sex="M",
            data_subject_category="convicted",
            owner_hub_id=hub(hub_code).pk,
            classification=classification,
        ),
        identifiers=list(identifiers),
        rationale="Test referral",
    )


def signed_in(user: User, client: Client | None = None) -> Client:
    """A client with a session that has passed both factors (as the real sign-in leaves it)."""
    client = client or Client()
    client.force_login(user, backend="marsoc.accounts.backends.UserBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


def with_purpose(
    client: Client, *nominals: Nominal, purpose: str = "Case management of this person"
) -> Client:
    session = client.session
    purposes = dict(session.get("marsoc_purposes", {}))
    for n in nominals:
        purposes[str(n.pk)] = purpose
    session["marsoc_purposes"] = purposes
    session.save()
    return client


@pytest.fixture
def national_manager(db) -> User:
    return make_user("national.boss", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")


@pytest.fixture
def london_officer(db) -> User:
    return make_user("london.off", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")


@pytest.fixture
def london_manager(db) -> User:
    return make_user("london.mgr", [Role.HUB_MANAGER])


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def issue(user: User) -> str:
        _, raw = api_token_issue(user=user, name="test")
        return raw

    return issue


def sign_for_every_party(agreement: SharingAgreement, *, unsigned: tuple[str, ...] = ()) -> None:
    """Every party (but the agency codes in `unsigned`) signs the agreement on its start date."""
    AgreementSignOff.objects.bulk_create(
        AgreementSignOff(
            agreement=agreement,
            agency=party,
            signed_by=f"Director, {party.name}",
            signed_on=agreement.starts_on,
            recorded_at=timezone.now(),
        )
        for party in agreement.parties.exclude(code__in=unsigned)
    )


def partnership_agreement(agency_code: str, *, status: str = "in_force") -> SharingAgreement:
    """An agreement between the national team and `agency_code` that lets a partner see the people it
    takes part in (identity and custody data, both purposes). One per agency and status."""
    agreement, created = SharingAgreement.objects.get_or_create(
        reference=f"ISA-P-{agency_code[:16]}-{status[:4]}",
        defaults={
            "title": f"Partnership with {agency_code}",
            "legal_gateway": "Offender Management Act 2007 s.14",
            "max_classification": Classification.SECRET,
            "onward_sharing": "none",
            "retention": "6 years",
            "starts_on": timezone.localdate() - timedelta(days=30),
            "status": status,
        },
    )
    if created:
        agreement.parties.set(Agency.objects.filter(code__in=[agency_code, "hmpps-marsoc"]))
        sign_for_every_party(agreement)
        for code in ("offender_management", "prevention_detection"):
            AgreementPurpose.objects.create(agreement=agreement, code=code)
        for code in ("identity", "custody"):
            AgreementCategory.objects.create(agreement=agreement, code=code)
    return agreement


def add_participation(
    nominal: Nominal,
    agency_code: str,
    by: User,
    *,
    agreement: bool = True,
    purpose: str = "offender_management",
) -> Participation:
    """The agency takes part in the person's management; with `agreement` (the default) under an
    agreement in force, as the product requires for its officers to see the person."""
    if agreement:
        partnership_agreement(agency_code)
    return Participation.objects.create(
        nominal=nominal, agency=agency(agency_code), added_by=by, rationale="test", purpose=purpose
    )


def today() -> date:
    return timezone.localdate()


def errors_by_field(body: dict) -> dict[str, list[str]]:
    """The API's error list (docs/decisions/0010) as field -> messages, checking the one shape on the way."""
    assert isinstance(body["detail"], str) and isinstance(body["errors"], list), body
    found: dict[str, list[str]] = {}
    for error in body["errors"]:
        assert set(error) == {"field", "message"}, error
        found.setdefault(error["field"], []).append(error["message"])
    return found
