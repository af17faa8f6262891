from django.core.management.base import BaseCommand

from trustnet.portal.demo import demo_load


class Command(BaseCommand):
    help = "Create (or bring up to date) realistic Finnish demo data and print the demo logins."

    def handle(self, *args, **options) -> None:
        demo_load(report=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
