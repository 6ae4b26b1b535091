"""Agencies, hubs, prison establishments and the people who use the service."""

from functools import cached_property
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_otp.models import Device

from marsoc.core.model_fields import classification_field, optional_fk
from marsoc.core.vocabulary import Classification, Role


class AgencyType(models.TextChoices):
    PRISON = "prison", "Prison (HMPPS)"
    PROBATION = "probation", "Probation region (HMPPS)"
    POLICE = "police", "Police force"
    ROCU = "rocu", "Regional organised crime unit"
    NCA = "nca", "National Crime Agency"
    HOME_OFFICE = "home_office", "Home Office"
    HMRC = "hmrc", "HM Revenue and Customs"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    OTHER = "other", "Other"


class Hub(models.Model):
    """The national team or one of the 10 regional hubs (one per SOC policing region)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=100, blank=True)
    unit = models.CharField(max_length=100, blank=True, help_text="ROCU or equivalent that hosts the hub")
    is_national = models.BooleanField(default=False)
    contact_name = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-is_national", "name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=150, unique=True)
    agency_type = models.CharField(max_length=20, choices=AgencyType.choices)
    hub = optional_fk(
        Hub,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text="The hub whose region the agency sits in; blank for national bodies",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Establishment(models.Model):
    """A prison, by its Prison API agency code (e.g. LEI)."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="establishments")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(AbstractUser):  # type: ignore[django-manager-missing]  # IdentityLink: django-otp is untyped
    agency = optional_fk(Agency, on_delete=models.PROTECT, related_name="users")
    hub = optional_fk(
        Hub, on_delete=models.PROTECT, related_name="users", help_text="The user's hub, or the national team"
    )
    clearance = classification_field(default=Classification.OFFICIAL_SENSITIVE)
    job_title = models.CharField(max_length=100, blank=True)
    is_service_account = models.BooleanField(default=False, help_text="A machine client using API tokens")
    # A one-time code, given to the person out of band, that they need to set up an authenticator:
    # knowing the password alone must not be enough to attach a device to an account.
    enrolment_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    enrolment_code_expires = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        return frozenset(
            grant.role for grant in self.role_grants.all()
        )  # uses the prefetch when there is one

    @cached_property
    def is_national(self) -> bool:
        return self.hub is not None and self.hub.is_national

    @property
    def display_label(self) -> str:
        agency = self.agency.name if self.agency_id and self.agency else "no agency"
        return f"{self.username} ({agency})"

    def role_labels(self) -> list[str]:
        return [Role(code).label for code in sorted(self.role_codes)]


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class TokenScope(models.TextChoices):
    """What a token may be used for, on top of what its holder may do."""

    ALL = "all", "Everything its holder may do"
    FEED = "feed", "Push and follow feed extracts only"


class ApiToken(models.Model):
    """A bearer token for scripts and service accounts. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    rate_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Requests a minute this token may make (blank: the service's default)",
    )
    scope = models.CharField(
        max_length=8,
        choices=TokenScope.choices,
        default=TokenScope.ALL,
        help_text="A feed token may only push its agency's extracts and follow them",
    )
    # The current minute's count, kept on the row so every web worker counts against the same limit.
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)
    rotated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdentityProvider(models.Model):  # type: ignore[django-manager-missing]  # as User
    """A partner agency's OpenID Connect identity provider (single sign-on, docs/sso.md).

    Several may be active at once, one or more per agency. Whoever signs in through one belongs to its
    agency; what the provider asserts is read from the claims named here."""

    slug = models.SlugField(max_length=40, unique=True, help_text="Short name used in the sign-in addresses")
    name = models.CharField(max_length=100, help_text="Shown on the sign-in button, e.g. London Probation ID")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="identity_providers")
    issuer = models.URLField(
        max_length=300, help_text="The provider's issuer; its discovery document is read from here"
    )
    client_id = models.CharField(max_length=255)
    client_secret = models.CharField(max_length=500, help_text="Issued by the partner for MARSOC Hub")
    scopes = models.CharField(max_length=200, default="openid profile email")
    agency_claim = models.CharField(
        max_length=100, blank=True, help_text="Claim naming the person's agency; blank not to check it"
    )
    agency_claim_value = models.CharField(
        max_length=100, blank=True, help_text="The value that claim must have; blank for the agency's code"
    )
    roles_claim = models.CharField(
        max_length=100,
        blank=True,
        help_text="Claim listing the person's roles; blank to keep the roles given in MARSOC Hub",
    )
    role_map = models.JSONField(
        default=dict,
        blank=True,
        help_text='Which MARSOC Hub role each value of the roles claim gives, e.g. {"soc-officer": "partner_officer"}',
    )
    mfa_stands_in = models.BooleanField(
        default=False,
        verbose_name="Provider's multi-factor sign-in replaces the security code",
        help_text="Only if the partner's multi-factor authentication has been assured",
    )
    mfa_amr_values = models.CharField(
        max_length=200,
        default="mfa otp hwk swk sc",
        blank=True,
        help_text="Authentication methods (amr) that count as multi-factor, separated by spaces",
    )
    mfa_acr_values = models.CharField(
        max_length=300,
        blank=True,
        help_text="Authentication context classes (acr) that count as multi-factor, separated by spaces",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IdentityLink(Device):
    """Who a provider's subject is here: made only from an administrator's invitation.

    It is also a django-otp device: a session whose sign-in carried the provider's multi-factor claim,
    where the provider is trusted for it, is verified by this link instead of a security code."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="links")
    subject = models.CharField(max_length=255, help_text="The provider's `sub` for this person")
    linked_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="one_account_per_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="one_subject_per_account"),
        ]

    def verify_token(self, token: object) -> bool:
        return False  # never a code: it verifies a session only through the provider's claim


class SsoInvitation(models.Model):
    """An administrator's invitation for one person to sign in through one provider: naming the
    provider's subject, or carrying a one-time code (only its SHA-256 kept) the person enters once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sso_invitations")
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="invitations")
    subject = models.CharField(max_length=255, blank=True)
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    expires_at = models.DateTimeField()
    created_by = optional_fk(User, on_delete=models.SET_NULL, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject="", code_hash=""), name="invitation_names_subject_or_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.provider}"


@overload
def by_user(
    *, null: Literal[False] = False, blank: bool = False, **options: Any
) -> "models.ForeignKey[User, User]": ...


@overload
def by_user(
    *, null: Literal[True], blank: bool = False, **options: Any
) -> "models.ForeignKey[User | None, User | None]": ...


def by_user(*, null: bool = False, blank: bool = False, **options: Any) -> "models.ForeignKey[Any, Any]":
    """A link to the user who did something to a row (recorded, decided, signed it...), written once for
    the many models that keep one. Deleting that user is refused while a row names them (the record of
    who did what must stand), and users get no reverse accessor: these links are read from the row."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=null,
        blank=blank,
        related_name="+",
        **options,
    )
