from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "trustnet.audit"
    label = "audit"
    verbose_name = "Audit log"
