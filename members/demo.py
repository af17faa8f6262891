"""Demo organisations: real municipalities (names, codes, business IDs) and fictional companies."""

from __future__ import annotations

from collections.abc import Callable

from members.models import Organisation, OrganisationKind

# (business ID, fi, sv, en, kind, home organisation, service provider, street, postcode, city)
DEMO_ORGANISATIONS = [
    (
        "0201256-6",
        "Helsingin kaupunki",
        "Helsingfors stad",
        "City of Helsinki",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Pohjoisesplanadi 11–13",
        "00170",
        "Helsinki",
    ),
    (
        "0101263-6",
        "Espoon kaupunki",
        "Esbo stad",
        "City of Espoo",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Espoonkatu 5",
        "02770",
        "Espoo",
    ),
    (
        "0211675-2",
        "Tampereen kaupunki",
        "Tammerfors stad",
        "City of Tampere",
        OrganisationKind.MUNICIPALITY,
        True,
        True,
        "Aleksis Kiven katu 14–16 C",
        "33210",
        "Tampere",
    ),
    (
        "1061512-1",
        "Porvoon kaupunki",
        "Borgå stad",
        "City of Porvoo",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Raatihuoneenkatu 5",
        "06100",
        "Porvoo",
    ),
    (
        "0187690-1",
        "Oulun kaupunki",
        "Uleåborgs stad",
        "City of Oulu",
        OrganisationKind.MUNICIPALITY,
        True,
        False,
        "Torikatu 10",
        "90100",
        "Oulu",
    ),
    (
        "3141593-8",
        "Oppimisaarre Oy",
        "Oppimisaarre Ab",
        "Oppimisaarre Ltd",
        OrganisationKind.COMPANY,
        False,
        True,
        "Tekniikantie 12",
        "02150",
        "Espoo",
    ),
    (
        "2718282-8",
        "Koulupilvi Oy",
        "Koulupilvi Ab",
        "Koulupilvi Ltd",
        OrganisationKind.COMPANY,
        False,
        True,
        "Hämeenkatu 9",
        "33100",
        "Tampere",
    ),
    (
        "1618033-3",
        "Lukulaari Oy",
        "Lukulaari Ab",
        "Lukulaari Ltd",
        OrganisationKind.COMPANY,
        False,
        True,
        "Kauppurienkatu 8",
        "90100",
        "Oulu",
    ),
]


def load(*, report: Callable[[str], None]) -> None:
    for row in DEMO_ORGANISATIONS:
        business_id, fi, sv, en, kind, is_home, is_sp, street, postcode, city = row
        Organisation.objects.update_or_create(
            business_id=business_id,
            defaults={
                "name_fi": fi,
                "name_sv": sv,
                "name_en": en,
                "kind": kind,
                "is_home_organisation": is_home,
                "is_service_provider": is_sp,
                "street_address": street,
                "postal_code": postcode,
                "city": city,
            },
        )
    report(f"Organisations: {Organisation.objects.count()}")
