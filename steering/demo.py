"""Demo steering group: three seats, and proposals: one decided (with minutes and member notices)
and one open for voting. Idempotent: proposals are found by Finnish title; runs after the agreement
demo."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Max
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import User
from contracts import services as agreement_services
from contracts.models import AgreementVersion
from members.models import Organisation
from steering import services as steering_services
from steering.minutes import minutes_pdf
from steering.models import EligibleSeat, Proposal, ProposalStatus, Seat, SteeringGroup, Vote
from steering.voting import decide

BASE_FI = (
    "MPASSid-luottamusverkoston jäsensopimus\n"
    "1 § Sopimuksen osapuolet\n"
    "Sopimus tehdään operaattorin ja jäsenorganisaation välillä.\n"
    "2 § Jäsenen velvollisuudet\n"
    "Jäsen pitää käyttäjätietonsa ajan tasalla.\n"
    "3 § Irtisanominen\n"
    "Jäsen voi irtisanoa sopimuksen kuukauden irtisanomisajalla."
)
BASE_SV = (
    "Medlemsavtal för MPASSid-förtroendenätverket\n"
    "1 § Avtalsparter\n"
    "Avtalet ingås mellan operatören och medlemsorganisationen.\n"
    "2 § Medlemmens skyldigheter\n"
    "Medlemmen håller sina användaruppgifter uppdaterade.\n"
    "3 § Uppsägning\n"
    "Medlemmen kan säga upp avtalet med en månads uppsägningstid."
)
DECIDED_TITLE = "Tietoturvapoikkeamien ilmoittaminen 72 tunnin kuluessa"
DECIDED_TEXTS = {
    "title_fi": DECIDED_TITLE,
    "title_sv": "Anmälan av säkerhetsincidenter inom 72 timmar",
    "title_en": "Reporting security incidents within 72 hours",
    "rationale_fi": "Tietosuoja-asetus edellyttää nopeaa ilmoittamista; nykyinen sopimus ei aseta määräaikaa.",
    "rationale_sv": "Dataskyddsförordningen kräver snabb anmälan; det nuvarande avtalet anger ingen tidsfrist.",
    "rationale_en": "The GDPR requires prompt notification; the current agreement sets no deadline.",
}
OPEN_TITLE = "Palveluiden käyttöehtojen julkaiseminen"
OPEN_TEXTS = {
    "title_fi": OPEN_TITLE,
    "title_sv": "Publicering av tjänsternas användarvillkor",
    "rationale_fi": "Käyttäjien ja huoltajien on voitava lukea palvelun ehdot ennen kirjautumista.",
    "rationale_sv": "Användare och vårdnadshavare ska kunna läsa tjänstens villkor innan de loggar in.",
}


DEMO_SEATS = [
    ("0201256-6", "seat@helsinki.example", "Helena Hallitus"),
    ("0211675-2", "seat@tampere.example", "Tapio Tammi"),
    ("3141593-8", "seat@oppimisaarre.example", "Olga Oppimaa"),
]


def _next_number() -> int:
    return (AgreementVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1


def _version(
    *, operator: User, label: str, extra_fi: str, extra_sv: str, effective_on: datetime.date
) -> AgreementVersion:
    return agreement_services.version_draft_create(
        by=operator,
        number=_next_number(),
        label=label,
        text_fi=f"{BASE_FI}\n{extra_fi}",
        text_sv=f"{BASE_SV}\n{extra_sv}",
        effective_on=effective_on,
    )


def load(*, report: Callable[[str], None]) -> None:
    _load_seats(report=report)
    operator = User.objects.get(email="operator@trustnet.example")
    group = SteeringGroup.objects.order_by("pk").first()
    seats = list(Seat.objects.filter(group=group).select_related("holder", "organisation").order_by("pk"))
    if group is None or not seats:
        return
    # Only the very first version is published directly; later ones go through the group's decision.
    if not AgreementVersion.objects.published().exists():
        first = agreement_services.version_draft_create(
            by=operator,
            number=_next_number(),
            label="2024",
            text_fi=BASE_FI,
            text_sv=BASE_SV,
            effective_on=datetime.date(2024, 1, 1),
        )
        agreement_services.version_publish(version=first, by=operator)
    today = timezone.localdate()
    if not Proposal.objects.filter(title_fi=DECIDED_TITLE).exists():
        _load_decided(group=group, seats=seats, operator=operator, today=today)
        report(f"Steering group: decided proposal “{DECIDED_TITLE}” with minutes")
    if not Proposal.objects.filter(title_fi=OPEN_TITLE).exists():
        effective = today + datetime.timedelta(days=75)
        version = _version(
            operator=operator,
            label=f"{effective.year}/2",
            extra_fi="4 § Käyttöehdot\nPalveluntarjoaja julkaisee palvelunsa käyttöehdot.",
            extra_sv="4 § Användarvillkor\nTjänsteleverantören publicerar tjänstens användarvillkor.",
            effective_on=effective,
        )
        proposal = steering_services.proposal_create(
            group=group,
            version=version,
            **OPEN_TEXTS,
            effective_date=effective,
            by=operator,
        )
        proposal = steering_services.proposal_open(
            proposal=proposal, deadline=timezone.now() + datetime.timedelta(days=14), by=operator
        )
        steering_services.vote_cast(proposal=proposal, by=seats[0].holder, choice="yes")
        report(f"Steering group: proposal “{OPEN_TITLE}” open for voting")


def _load_decided(*, group: SteeringGroup, seats: list[Seat], operator: User, today: datetime.date) -> None:
    """A vote closed a week ago. Written directly (it lies in the past, which the services,
    rightly, do not allow), then closed through the same minutes and notices as a real one."""
    closed_at = timezone.now() - datetime.timedelta(days=7)
    effective = timezone.localdate(closed_at) + datetime.timedelta(days=45)
    version = _version(
        operator=operator,
        label=f"{effective.year}/1",
        extra_fi="4 § Tietoturvapoikkeamat\nJäsen ilmoittaa tietoturvapoikkeamasta operaattorille 72 tunnin kuluessa.",
        extra_sv="4 § Säkerhetsincidenter\nMedlemmen anmäler en säkerhetsincident till operatören inom 72 timmar.",
        effective_on=effective,
    )
    proposal = Proposal.objects.create(
        group=group,
        version=version,
        previous_version=AgreementVersion.objects.current(),
        **DECIDED_TEXTS,
        effective_date=effective,
        created_by=operator,
        created_at=closed_at - datetime.timedelta(days=21),
        status=ProposalStatus.OPEN,
        opened_at=closed_at - datetime.timedelta(days=14),
        deadline=closed_at,
    )
    EligibleSeat.objects.bulk_create(
        EligibleSeat(
            proposal=proposal,
            seat=seat,
            holder=seat.holder,
            holder_name=seat.holder.full_name,
            organisation_name=seat.organisation.name_fi,
        )
        for seat in seats
    )
    choices = ["yes", "yes", "abstain", "no"]
    for seat, choice in zip(seats, choices, strict=False):
        Vote.objects.create(
            proposal=proposal, seat=seat, choice=choice, cast_by=seat.holder, cast_at=closed_at, changed_at=closed_at
        )
    counts = steering_services.tally(proposal)
    passed = decide(
        seats=counts["seats"],
        yes=counts["yes"],
        no=counts["no"],
        abstain=counts["abstain"],
        quorum=group.quorum,
        majority=group.majority,
    )
    proposal.status, proposal.closed_at, proposal.passed = ProposalStatus.CLOSED, closed_at, passed
    proposal.seat_count, proposal.yes_count = counts["seats"], counts["yes"]
    proposal.no_count, proposal.abstain_count = counts["no"], counts["abstain"]
    proposal.quorum, proposal.majority = str(group.quorum), str(group.majority)
    proposal.minutes_pdf = minutes_pdf(proposal)
    proposal.save()
    if not passed:
        return
    agreement_services.version_publish(version=version, by=operator)
    steering_services.notify_members(proposal, by=operator)


def _load_seats(*, report: Callable[[str], None]) -> None:
    """Three seats held by people from member organisations."""
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
