"""People: user accounts, their roles in member organisations, and invitations (DESIGN section 1)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. `is_staff` marks the operator's staff (MFA required)."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    is_staff = models.BooleanField(
        _("operator staff"),
        default=False,
        help_text=_("Operator staff manage the register and must use two-factor authentication."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.email


class Role(models.TextChoices):
    """What a person may do for an organisation (DESIGN section 1)."""

    ADMIN = "admin", _("administrator")
    SIGNATORY = "signatory", _("signatory")
    TECHNICAL = "technical", _("technical contact")


class OrganisationRole(models.Model):
    """One role a user holds in one member organisation; a user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisation_roles")
    organisation = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="people_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="accounts_one_role_per_user_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.organisation} / {self.role}"


class Invitation(models.Model):
    """An emailed link that lets a person join an organisation (or the operator's staff).

    Only the SHA-256 of the token is stored, so a database leak gives no working links.
    """

    email = models.EmailField(_("email address"))
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        help_text=_("Empty for an invitation to the operator's staff."),
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    grants_staff = models.BooleanField(_("operator staff"), default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(grants_staff=True),
                name="accounts_invitation_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation or 'operator staff'}"

    def is_pending(self, *, at=None) -> bool:
        at = at or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > at

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiToken(models.Model):
    """A personal key for the REST API (`Authorization: Token <key>`), acting as its user.

    Only the SHA-256 of the key is stored (a database leak gives no working keys); the prefix is
    kept in clear so people can tell their keys apart. Revoked and expired keys are refused.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, *, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"
