"""Sortable columns on the register's lists (issue 16 item 7): `?sort=` orders the rows, the headers
say the order in aria-sort and in words, filters survive a sort, and sorting adds no query."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from members import services
from members import views as member_views
from tests.factories import OrganisationFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import saml_data
from tests.querycount import assert_queries_pinned

HEADER = re.compile(r'<th scope="col" aria-sort="(\w+)" class="sortable"><a class="sort-link" href="([^"]+)">([^<]+)<')


def headers(body: str) -> dict[str, tuple[str, str]]:
    """label → (aria-sort, link) of every sortable header."""
    return {label: (state, href.replace("&amp;", "&")) for state, href, label in HEADER.findall(body)}


def in_order(body: str, *names: str) -> bool:
    positions = [body.index(name) for name in names]
    return positions == sorted(positions)


@pytest.fixture
def three_organisations(db):
    # Names chosen so that name order, school count and service count each give a different order.
    b = ServiceProviderOrganisationFactory(name_fi="Bravo Oy", name_sv="Bravo Ab", name_en="", business_id="2222222-2")
    c = OrganisationFactory(name_fi="Charlie kunta", name_sv="Alfa kommun", name_en="", business_id="1111111-1")
    a = ServiceProviderOrganisationFactory(name_fi="Alfa Oy", name_sv="Charlie Ab", name_en="", business_id="3333333-3")
    return a, b, c


def test_the_organisation_list_is_sorted_by_name_by_default(operator, as_user, three_organisations):
    body = as_user(operator).get(reverse("members:organisation-list")).content.decode()
    assert in_order(body, "Alfa Oy", "Bravo Oy", "Charlie kunta")
    marked = headers(body)
    assert marked["Name"][0] == "ascending"
    assert marked["Business ID"][0] == marked["Services"][0] == "none"
    assert 'Name<span class="visually-hidden">, sorted ascending; select to sort descending</span>' in body


def test_the_organisation_list_sorts_by_each_allowed_column_both_ways(operator, as_user, three_organisations):
    client = as_user(operator)
    url = reverse("members:organisation-list")
    body = client.get(url, {"sort": "-name"}).content.decode()
    assert in_order(body, "Charlie kunta", "Bravo Oy", "Alfa Oy")
    assert headers(body)["Name"][0] == "descending"
    body = client.get(url, {"sort": "business_id"}).content.decode()
    assert in_order(body, "Charlie kunta", "Bravo Oy", "Alfa Oy")
    assert headers(body)["Business ID"][0] == "ascending" and headers(body)["Name"][0] == "none"
    body = client.get(url, {"sort": "-business_id"}).content.decode()
    assert in_order(body, "Alfa Oy", "Bravo Oy", "Charlie kunta")


def test_sorting_by_name_follows_the_language_of_the_page(operator, as_user, three_organisations):
    operator.language = "sv"
    operator.save(update_fields=["language"])
    client = as_user(operator)
    client.cookies["django_language"] = "sv"
    body = client.get(reverse("members:organisation-list"), {"sort": "name"}).content.decode()
    assert in_order(body, "Alfa kommun", "Bravo Ab", "Charlie Ab")


def test_a_sort_header_keeps_the_filters_and_a_filter_form_keeps_the_order(operator, as_user, three_organisations):
    body = as_user(operator).get(
        reverse("members:organisation-list"), {"role": "provider", "sort": "-name", "page": "1"}
    )
    body = body.content.decode()
    assert "Charlie kunta" not in body
    link = headers(body)["Name"][1]
    assert "role=provider" in link and "sort=name" in link and "page=" not in link
    assert '<input type="hidden" name="sort" value="-name">' in body


@pytest.mark.parametrize("value", ["nonsense", "name_fi", "-", "name;DROP TABLE members_organisation", "' OR 1=1 --"])
def test_an_unknown_sort_gives_the_default_order_not_an_error(operator, as_user, three_organisations, value):
    response = as_user(operator).get(reverse("members:organisation-list"), {"sort": value})
    assert response.status_code == 200
    body = response.content.decode()
    assert in_order(body, "Alfa Oy", "Bravo Oy", "Charlie kunta")
    assert headers(body)["Name"][0] == "ascending"


def test_the_members_own_organisation_list_view_sorts_the_same_way(operator, three_organisations):
    # members.views.organisation_list answers where portal's list is not mounted (members alone).
    request = RequestFactory().get("/members/organisations/", {"sort": "-name"})
    request.user = operator
    body = member_views.organisation_list(request).content.decode()
    assert in_order(body, "Charlie kunta", "Bravo Oy", "Alfa Oy")
    assert headers(body)["Name"][0] == "descending"


def test_a_sorted_organisation_list_runs_as_many_queries_as_the_default(operator, as_user, org_a):
    client = as_user(operator)
    url = reverse("members:organisation-list") + "?sort=-services"
    client.get(url)
    assert_queries_pinned(
        client, url, grow=lambda: ServiceProviderOrganisationFactory.create_batch(5), expected=8
    )  # the same 8 as tests/members/test_views.py pins for the unsorted list


def test_the_service_list_sorts_by_name_provider_and_certificate_expiry(operator, as_user, make_saml_service):
    zulu = make_saml_service(
        ServiceProviderOrganisationFactory(name_fi="Aapeli Oy", name_en=""), name_en="Zulu service"
    )
    alfa = make_saml_service(ServiceProviderOrganisationFactory(name_fi="Öljy Oy", name_en=""), name_en="Alfa service")
    client = as_user(operator)
    url = reverse("members:service-list")
    body = client.get(url).content.decode()
    assert in_order(body, zulu.entity_id, alfa.entity_id)  # by provider by default
    assert headers(body)["Provider"][0] == "ascending"
    body = client.get(url, {"sort": "name"}).content.decode()
    assert in_order(body, alfa.entity_id, zulu.entity_id)
    assert headers(body)["Service"][0] == "ascending" and headers(body)["Provider"][0] == "none"
    body = client.get(url, {"sort": "-name"}).content.decode()
    assert in_order(body, zulu.entity_id, alfa.entity_id)
    assert client.get(url, {"sort": "-expires"}).status_code == 200


def test_the_service_list_sorts_with_a_search_too(operator, as_user, make_saml_service):
    # A search joins versions and selects distinct rows; the sort's expressions must still be selectable.
    provider = ServiceProviderOrganisationFactory(name_fi="Haku Oy", name_en="")
    make_saml_service(provider, name_en="Beta")
    make_saml_service(provider, name_en="Alfa")
    response = as_user(operator).get(reverse("members:service-list"), {"q": "a", "sort": "-name"})
    assert response.status_code == 200
    assert in_order(response.content.decode(), "Beta", "Alfa")


def test_a_sorted_service_list_runs_as_many_queries_as_the_default(
    operator, as_user, make_saml_service, make_oidc_service
):
    def grow():
        for _ in range(5):
            provider = ServiceProviderOrganisationFactory()
            make_saml_service(provider)
            make_oidc_service(provider, approve=False)

    make_saml_service(ServiceProviderOrganisationFactory())
    client = as_user(operator)
    url = reverse("members:service-list") + "?sort=-name"
    client.get(url)
    assert_queries_pinned(client, url, grow=grow, expected=8)


def test_the_review_queue_sorts_by_provider_and_submission_time(operator, as_user, make_saml_service):
    first = make_saml_service(ServiceProviderOrganisationFactory(name_fi="Öljy Oy", name_en=""), approve=False)
    second = make_saml_service(ServiceProviderOrganisationFactory(name_fi="Aapeli Oy", name_en=""), approve=False)
    client = as_user(operator)
    url = reverse("members:review-queue")
    body = client.get(url).content.decode()
    assert in_order(body, "Öljy Oy", "Aapeli Oy")  # oldest first
    assert headers(body)["Submitted"][0] == "ascending"
    body = client.get(url, {"sort": "provider"}).content.decode()
    assert in_order(body, "Aapeli Oy", "Öljy Oy")
    assert headers(body)["Provider"][0] == "ascending" and headers(body)["Submitted"][0] == "none"
    body = client.get(url, {"sort": "-submitted"}).content.decode()
    assert in_order(body, "Aapeli Oy", "Öljy Oy")
    assert first.pk != second.pk


def test_a_sorted_review_queue_runs_as_many_queries_as_the_default(operator, as_user, make_saml_service):
    client = as_user(operator)
    url = reverse("members:review-queue") + "?sort=-provider"
    make_saml_service(ServiceProviderOrganisationFactory(), approve=False)
    client.get(url)
    assert_queries_pinned(
        client,
        url,
        grow=lambda: [make_saml_service(ServiceProviderOrganisationFactory(), approve=False) for _ in range(5)],
        expected=9,  # one of them the login sources waiting for promotion
    )


def test_rows_that_tie_keep_one_order_from_page_to_page(operator, as_user, provider_a):
    # 60 services of one provider, one environment: sorted by provider, only the primary key
    # separates them, so no service shows on both pages and none on neither.
    for n in range(60):
        services.service_create(
            provider=provider_a, by=operator, environment="test", protocol="saml", data=saml_data(),
            entity_id=f"https://tie{n}.example.fi/saml",
        )  # fmt: skip
    client = as_user(operator)
    url = reverse("members:service-list")
    pages = [client.get(url, {"sort": "provider", "page": page}).content.decode() for page in (1, 2)]
    shown = [set(re.findall(r"https://tie(\d+)\.example\.fi", body)) for body in pages]
    assert not shown[0] & shown[1] and len(shown[0] | shown[1]) == 60
