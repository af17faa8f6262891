from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProxyConfig(AppConfig):
    name = "proxy"
    label = "proxy"
    verbose_name = _("Proxy configuration")

    def ready(self) -> None:
        from proxy import receivers  # noqa: F401  (connects the register's signals)
