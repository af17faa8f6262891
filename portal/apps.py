from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from contracts.timeline import timeline_source_register
        from portal.selectors import change_notice_events

        # The membership timeline shows accepted agreement changes, which the steering group's
        # app keeps above contracts (DESIGN section 6); the portal knows both and connects them.
        timeline_source_register(change_notice_events)
