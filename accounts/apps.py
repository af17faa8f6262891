from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default = True


class TrustnetAdminConfig(admin_apps.AdminConfig):
    """The Django admin with trustnet's site: allauth login and MFA for staff."""

    default = False
    default_site = "accounts.admin_site.TrustnetAdminSite"
