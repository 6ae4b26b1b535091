"""Reads for single sign-on: the providers people may sign in through."""

from django.db.models import QuerySet

from ..models import IdentityProvider


def sign_in_providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(active=True).select_related("agency").order_by("name")


def active_provider(slug: str) -> IdentityProvider | None:
    return sign_in_providers().filter(slug=slug).first()
