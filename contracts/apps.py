from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Membership agreement"

    def ready(self) -> None:
        # The register asks whether a membership is in force (production services need it).
        from contracts.selectors import membership_in_force
        from members.membership import connect_membership_check

        connect_membership_check(membership_in_force)
