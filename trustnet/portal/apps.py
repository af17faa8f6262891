from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "trustnet.portal"
    label = "portal"
    verbose_name = "Portal"
