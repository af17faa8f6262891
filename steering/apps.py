from django.apps import AppConfig


class SteeringConfig(AppConfig):
    name = "steering"
    label = "steering"
    verbose_name = "Steering group"

    def ready(self) -> None:
        from contracts.decisions import decision_lookup_register
        from steering.selectors import version_decision_for

        # The agreement's services ask this app whether a version is under a proposal (DESIGN 3.5).
        decision_lookup_register(version_decision_for)
