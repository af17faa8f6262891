"""Demo agreements: a published version, term starts, and memberships for every demo organisation.

Built from whatever organisations exist (not from particular names): each registered role is
signed by the organisation's first signatory and countersigned by the first operator; the
last-but-one service provider is under notice, the last one has ended, and the last home
organisation still waits for the operator's countersignature.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from accounts.models import User
from contracts.models import AgreementVersion, Membership, Party, Signature, Termination, TermStart
from contracts.notice import add_months
from contracts.services import text_sha256
from members.models import Organisation, OrganisationRole, Role

TEXT_FI = """MPASSid-luottamusverkoston jäsensopimus

1. Osapuolet
Tämän sopimuksen osapuolet ovat MPASSid-luottamusverkoston operaattori (jäljempänä operaattori) ja verkostoon liittyvä opetuksen tai koulutuksen järjestäjä tai palveluntarjoaja (jäljempänä jäsen).

2. Sopimuksen kohde
Jäsen liittyy MPASSid-luottamusverkostoon ja saa käyttöönsä MPASSid-tunnistuksenvälityspalvelun. Operaattori tarjoaa palvelua palvelun omistajan, Opetushallituksen, toimeksiannosta. Sopimus ei vaikuta jäsenen muihin sopimuksiin. Jäsen vastaa kaikilta osin oman toimintansa lainmukaisuudesta.

3. Jäsenen asema ja tehtävät
Kotiorganisaatio ylläpitää rekisteriä, josta loppukäyttäjien henkilötiedot haetaan, ja toimii välitettävien henkilötietojen rekisterinpitäjänä. Palveluntarjoaja tarjoaa palvelun, joka käyttää välitettyjä tietoja, ja käsittelee välitettäviä henkilötietoja. Tunnistuksenvälityspalvelua saa käyttää vain opetuksen järjestämisen kannalta tarpeellisten henkilötietojen välittämiseen.

4. Operaattorin asema ja tehtävät
Operaattori tarjoaa palvelun jäsenten käyttöön välttämättömiä huoltotoimia lukuun ottamatta ja huolehtii sen tietoturvasta ylläpitämällä lokitietojärjestelmää. Operaattori toimii tunnistuksenvälityksen osalta henkilötietojen käsittelijänä.

5. Voimassaolo, muutokset ja päättyminen
Jäsenen irtisanomisaika on yksi kuukausi. Operaattorin irtisanomisaika on palveluntarjoajalle kolme kuukautta ja kotiorganisaatiolle kuusi kuukautta tai seuraavan lukukauden alkuun, sen mukaan kumpi on pidempi. Olennaisen sopimusrikkomuksen vuoksi kumpikin osapuoli voi purkaa sopimuksen päättymään välittömästi, jos toinen osapuoli ei korjaa menettelyään kohtuullisessa, vähintään 30 päivän määräajassa.
Sopimusta voidaan muuttaa vain luottamusverkoston ohjausryhmän määräenemmistöllä tekemällä päätöksellä. Jäsen, joka ei hyväksy muutosta, voi irtisanoa sopimuksen 30 päivän kuluessa tiedon saamisesta; irtisanominen tulee voimaan samana päivänä kuin muutos.

6. Vastuunrajoitus
Osapuolet eivät ole toisilleen vastuussa tunnistuksenvälityspalveluun tai sen käyttöön liittyvistä vahingoista.
"""

TEXT_SV = """Medlemsavtal för MPASSid:s förtroendenät

1. Parter
Parter i detta avtal är operatören för MPASSid:s förtroendenät (nedan operatören) och den undervisnings- eller utbildningsanordnare eller tjänsteleverantör som ansluter sig till nätet (nedan medlemmen).

2. Föremål för avtalet
Medlemmen ansluter sig till MPASSid:s förtroendenät och får tillgång till MPASSid-tjänsten för identifieringsförmedling. Operatören tillhandahåller tjänsten på uppdrag av tjänstens ägare, Utbildningsstyrelsen. Avtalet inverkar inte på medlemmens övriga avtal. Medlemmen ansvarar i alla avseenden för att den egna verksamheten är laglig.

3. Medlemmens ställning och uppgifter
Hemorganisationen upprätthåller ett register från vilket slutanvändarnas personuppgifter söks fram och är personuppgiftsansvarig för de uppgifter som förmedlas. Tjänsteleverantören tillhandahåller den tjänst som använder de förmedlade uppgifterna och hanterar dem. Tjänsten får användas endast för att förmedla personuppgifter som är nödvändiga för att anordna undervisning.

4. Operatörens ställning och uppgifter
Operatören tillhandahåller tjänsten med undantag för nödvändiga serviceåtgärder och tryggar dess säkerhet genom ett system med logguppgifter. För identifieringsförmedlingens del är operatören personuppgiftsbiträde.

5. Giltighet, ändringar och upphörande
Uppsägningstiden för medlemmen är en månad. Operatörens uppsägningstid är tre månader för en tjänsteleverantör och för en hemorganisation sex månader eller till början av följande termin, beroende på vilken tidsfrist som är längre. Vid väsentligt avtalsbrott kan vardera parten säga upp avtalet med omedelbar verkan om den andra parten inte rättar sitt förfarande inom en rimlig tid, dock minst 30 dagar.
Avtalet kan ändras endast genom beslut av förtroendenätets styrgrupp med kvalificerad majoritet. En medlem som inte godkänner ändringen kan säga upp avtalet inom 30 dagar från delfåendet; uppsägningen träder i kraft samtidigt som ändringen.

6. Ansvarsbegränsning
Parterna ansvarar inte gentemot varandra för skador som hänför sig till tjänsten eller dess användning.
"""

# Finnish school terms start in mid-August and in early January.
DEMO_TERM_STARTS = [
    (datetime.date(2026, 8, 12), TermStart.Term.AUTUMN),
    (datetime.date(2027, 1, 7), TermStart.Term.SPRING),
    (datetime.date(2027, 8, 11), TermStart.Term.AUTUMN),
    (datetime.date(2028, 1, 10), TermStart.Term.SPRING),
    (datetime.date(2028, 8, 9), TermStart.Term.AUTUMN),
]
SIGNED_ON = datetime.date(2026, 2, 2)
COUNTERSIGNED_ON = datetime.date(2026, 2, 9)


def _version() -> AgreementVersion:
    version = AgreementVersion.objects.filter(number=1).first()
    if version is None:
        version = AgreementVersion.objects.create(
            number=1,
            label="MPASSid-jäsensopimus 2026",
            text_fi=TEXT_FI,
            text_sv=TEXT_SV,
            changes_fi="Ensimmäinen sähköisesti allekirjoitettava versio.",
            changes_sv="Den första versionen som undertecknas elektroniskt.",
            effective_on=datetime.date(2026, 1, 1),
            state=AgreementVersion.State.PUBLISHED,
            published_at=timezone.make_aware(datetime.datetime(2025, 12, 1, 9, 0)),
        )
    return version


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _sign(membership: Membership, *, party: str, user: User, title: str, day: datetime.date) -> None:
    if Signature.objects.filter(membership=membership, version=membership.version, party=party).exists():
        return
    organisation = membership.organisation if party == Party.MEMBER else None
    Signature.objects.create(
        membership=membership,
        version=membership.version,
        party=party,
        user=user,
        full_name=user.full_name.split(" (")[0],
        title=title,
        organisation=organisation,
        organisation_name=organisation.name_fi if organisation else "MPASSid-luottamusverkoston operaattori",
        language="fi",
        signed_at=_at(day, 10 if party == Party.MEMBER else 14),
        ip_address="192.0.2.10",
        text_sha256=text_sha256(membership.version.text_fi),
    )


def load(*, report: Callable[[str], None]) -> None:
    version = _version()
    for day, term in DEMO_TERM_STARTS:
        TermStart.objects.get_or_create(starts_on=day, defaults={"term": term})
    operator = User.objects.filter(is_staff=True, is_active=True).order_by("pk").first()
    signatories = {}
    for role in OrganisationRole.objects.filter(role=Role.SIGNATORY).select_related("user").order_by("pk"):
        signatories.setdefault(role.organisation_id, role.user)
    organisations = list(Organisation.objects.order_by("name_fi"))
    providers = [o for o in organisations if o.is_service_provider]
    homes = [o for o in organisations if o.is_home_organisation]
    ended = providers[-1] if len(providers) >= 2 else None
    under_notice = providers[-2] if len(providers) >= 3 else None
    others = [o for o in homes if o not in (ended, under_notice)]
    awaiting = others[-1] if len(others) >= 2 else None
    today = timezone.localdate()

    for organisation in organisations:
        signatory = signatories.get(organisation.pk)
        if signatory is None or operator is None:
            continue
        for role, registered in (
            ("home_organisation", organisation.is_home_organisation),
            ("service_provider", organisation.is_service_provider),
        ):
            if not registered or Membership.objects.filter(organisation=organisation, role=role).exists():
                continue
            countersigned = not (organisation == awaiting and role == "home_organisation")
            membership = Membership.objects.create(
                organisation=organisation,
                role=role,
                version=version,
                in_force_from=COUNTERSIGNED_ON if countersigned else None,
                created_at=_at(SIGNED_ON, 9),
            )
            _sign(membership, party=Party.MEMBER, user=signatory, title="Sivistysjohtaja", day=SIGNED_ON)
            if countersigned:
                _sign(membership, party=Party.OPERATOR, user=operator, title="Palvelupäällikkö", day=COUNTERSIGNED_ON)
            if role == "service_provider" and organisation == under_notice:
                given_on = today - datetime.timedelta(days=10)
                _terminate(membership, given_on=given_on, ends_on=add_months(given_on, 1), by=signatory)
            if role == "service_provider" and organisation == ended:
                given_on = datetime.date(2026, 8, 3)
                _terminate(membership, given_on=given_on, ends_on=add_months(given_on, 1), by=signatory)
                membership.ended_at = _at(membership.ends_on, 0)
                membership.save(update_fields=["ended_at"])
    report(
        f"Agreements: version {version.number}, {Membership.objects.in_force(on=today).count()} memberships in force"
        + (f"; under notice: {under_notice.name_fi}" if under_notice else "")
        + (f"; ended: {ended.name_fi}" if ended else "")
        + (f"; awaiting countersignature: {awaiting.name_fi}" if awaiting else "")
    )


def _terminate(membership: Membership, *, given_on: datetime.date, ends_on: datetime.date, by: User) -> None:
    Termination.objects.create(
        membership=membership,
        kind=Termination.Kind.NOTICE,
        given_by=Party.MEMBER,
        given_on=given_on,
        ends_on=ends_on,
        reason="Palvelu korvataan toisella ratkaisulla.",
        created_by=by,
    )
    membership.ends_on = ends_on
    membership.save(update_fields=["ends_on"])
