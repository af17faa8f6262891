"""An organisation is a member in at least one role (issue 15, item 9)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Entry
from members import services
from members.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

NO_ROLE = "Choose at least one role: home organisation or service provider."


def _form_data(**overrides):
    data = {"name_fi": "Uusi Oy", "business_id": "0737546-2", "kind": "company", "municipality_codes": ""}
    return {**data, **overrides}


def test_a_new_organisation_without_a_role_is_refused_by_the_service(operator):
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(by=operator, data=_form_data())
    assert excinfo.value.message_dict["is_home_organisation"] == [NO_ROLE]
    assert not Organisation.objects.filter(name_fi="Uusi Oy").exists()


def test_the_role_message_comes_with_the_other_field_errors(operator):
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(by=operator, data=_form_data(business_id="0101263-5"))
    assert {"business_id", "is_home_organisation"} <= set(excinfo.value.message_dict)


def test_removing_the_last_role_is_refused(operator, org_a):
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(by=operator, organisation=org_a, data={"is_home_organisation": False})
    assert NO_ROLE in excinfo.value.message_dict["is_home_organisation"]
    assert Organisation.objects.get(pk=org_a.pk).is_home_organisation
    assert Entry.objects.count() == entries


def test_either_role_is_enough(operator):
    provider = services.organisation_save(by=operator, data=_form_data(is_service_provider=True))
    assert provider.is_service_provider and not provider.is_home_organisation


def test_an_old_record_without_a_role_can_still_have_its_address_corrected(operator):
    old = OrganisationFactory(is_home_organisation=False, is_service_provider=False)
    services.organisation_save(by=operator, organisation=old, data={"city": "Oulu"})
    assert Organisation.objects.get(pk=old.pk).city == "Oulu"


def test_the_form_names_the_missing_role(operator, as_user):
    response = as_user(operator).post(reverse("members:organisation-create"), _form_data())
    assert response.status_code == 200
    assert response.context["form"].errors["is_home_organisation"] == [NO_ROLE]
    assert not Organisation.objects.filter(name_fi="Uusi Oy").exists()
    response = as_user(operator).post(reverse("members:organisation-create"), _form_data(is_service_provider="on"))
    assert response.status_code == 302
    assert Organisation.objects.get(name_fi="Uusi Oy").is_service_provider


def test_staff_editing_cannot_clear_both_roles(operator, org_a, as_user):
    data = {
        "name_fi": org_a.name_fi,
        "business_id": org_a.business_id,
        "kind": org_a.kind,
        "municipality_codes": "",
    }
    response = as_user(operator).post(reverse("members:organisation-edit", args=[org_a.pk]), data)
    assert response.status_code == 200
    assert NO_ROLE in response.context["form"].errors["is_home_organisation"]
    assert Organisation.objects.get(pk=org_a.pk).is_home_organisation
