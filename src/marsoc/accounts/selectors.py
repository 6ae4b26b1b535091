"""Reads of accounts and reference data for pages: hub choices, the user part-way through signing in."""

from typing import Any

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from marsoc.core import access
from marsoc.core.actor import Actor

from .models import Hub, User


def hub_choices(actor: Actor, *, include: int | None = None) -> QuerySet[Hub]:
    """The hubs an actor may pick in a form: every hub for the national team, otherwise their own (and
    `include`, a hub the record already belongs to)."""
    hubs = Hub.objects.all() if actor.is_national else Hub.objects.filter(pk=actor.hub_id or 0)
    if include is not None:
        hubs = hubs | Hub.objects.filter(pk=include)
    return hubs.order_by("-is_national", "name")


def regional_hubs() -> QuerySet[Hub]:
    return Hub.objects.filter(is_national=False).order_by("name")


def all_hubs() -> QuerySet[Hub]:
    return Hub.objects.order_by("name")


def active_user(pk: Any) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def unconfirmed_device(user: User, pk: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first() if pk else None


def active_people(**lookups: Any) -> QuerySet[User]:
    """People (not service accounts) still active, filtered by `lookups`."""
    return User.objects.filter(is_active=True, is_service_account=False, **lookups)


def officers_for(actor: Actor) -> QuerySet[User]:
    """People who may be named lead officer: managers and officers of the actor's hub (any hub's for
    the national team)."""
    qs = active_people().filter(access.holders_q("case_writer"))
    if not actor.is_national:
        qs = qs.filter(hub_id=actor.hub_id or 0)
    return qs.distinct().order_by("last_name", "first_name")


def agency_people() -> QuerySet[User]:
    """People of any agency, for choosing who carries out an action."""
    return (
        active_people(agency__isnull=False)
        .select_related("agency")
        .order_by("agency__name", "last_name", "first_name")
    )


def command_actor(username: str | None) -> User:
    """The person or service account a command acts as (`--as USERNAME`): commands that write personal
    data act as somebody, who is recorded in the audit log and whose access the services check."""
    from django.core.management.base import CommandError

    if not username:
        raise CommandError("Say who this command acts as: --as USERNAME (a person or a service account)")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user or service account called {username!r}")
    return user
