"""Demo steering group: three seats held by people from member organisations."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from contracts.models import Seat, SteeringGroup
from members.models import Organisation
from trustnet.accounts.demo import demo_user

DEMO_SEATS = [
    ("0201256-6", "seat@helsinki.example", "Helena Hallitus"),
    ("0211675-2", "seat@tampere.example", "Tapio Tammi"),
    ("3141593-8", "seat@oppimisaarre.example", "Olga Oppimaa"),
]


def load(*, report: Callable[[str], None]) -> None:
    group, _ = SteeringGroup.objects.get_or_create(name="MPASSid-luottamusverkoston ohjausryhmä")
    for business_id, email, name in DEMO_SEATS:
        organisation = Organisation.objects.get(business_id=business_id)
        holder = demo_user(email, name, mfa=True)
        Seat.objects.get_or_create(
            group=group,
            holder=holder,
            defaults={
                "organisation": organisation,
                "term_start": datetime.date(2026, 1, 1),
                "term_end": datetime.date(2027, 12, 31),
            },
        )
        report(f"Steering group seat (MFA): {email}")
