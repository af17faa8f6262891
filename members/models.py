"""The member register (DESIGN section 2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from members.business_id import validate_business_id


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    JOINT_MUNICIPAL_AUTHORITY = "joint_municipal_authority", _("joint municipal authority")
    PRIVATE_EDUCATION_PROVIDER = "private_education_provider", _("private education provider")
    STATE = "state", _("state")
    COMPANY = "company", _("company")
    OTHER = "other", _("other")


# Only education providers may join as home organisations (DESIGN section 2).
EDUCATION_PROVIDER_KINDS = frozenset(
    {
        OrganisationKind.MUNICIPALITY,
        OrganisationKind.JOINT_MUNICIPAL_AUTHORITY,
        OrganisationKind.PRIVATE_EDUCATION_PROVIDER,
        OrganisationKind.STATE,
    }
)


class Organisation(models.Model):
    """A member, or an organisation applying to become one."""

    name_fi = models.CharField(_("name (Finnish)"), max_length=200)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    business_id = models.CharField(_("business ID"), max_length=9, unique=True, validators=[validate_business_id])
    oid = models.CharField(_("OID"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=OrganisationKind.choices)
    is_home_organisation = models.BooleanField(_("home organisation"), default=False)
    is_service_provider = models.BooleanField(_("service provider"), default=False)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_fi"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_home_organisation=True)
                | models.Q(kind__in=sorted(EDUCATION_PROVIDER_KINDS)),
                name="members_home_org_is_education_provider",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Finnish."""
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fi
