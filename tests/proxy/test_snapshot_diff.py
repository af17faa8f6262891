"""The snapshot diff names each service, home organisation and login source added, removed or
changed, with what changed in it (issue 16 item 2), from the snapshots' content."""

from __future__ import annotations

import dataclasses
import json

import pytest

from proxy.build import index_json, render
from proxy.diff import snapshot_diff
from proxy.inputs import LoginSource, School
from tests.proxy.inputs_factory import home_organisation, inputs, oidc_service, saml_service

pytestmark = pytest.mark.django_db


def _documents(*services, homes=()):
    """index.json and config.json of a build of these inputs (rendered, not stored)."""
    given = inputs(*services, homes=homes)
    rendered = render(given)
    return json.loads(index_json(rendered, None, given)), json.loads(rendered.config)


def _diff(before: tuple, after: tuple):
    (index_a, config_a), (index_b, config_b) = before, after
    return snapshot_diff(index_a, index_b, before_config=config_a, after_config=config_b)


def _names(changes):
    return [change.name for change in changes]


def test_nothing_changed_is_an_empty_diff():
    same = _documents(saml_service(n=1), homes=(home_organisation(n=10),))
    assert _diff(same, same).empty


def test_services_added_and_removed_are_named_with_their_identifiers():
    diff = _diff(_documents(saml_service(n=1), saml_service(n=2)), _documents(saml_service(n=1), oidc_service(n=3)))
    assert _names(diff.services.added) == ["OIDC service 3"]
    assert diff.services.added[0].identifier == oidc_service(n=3).client_id
    assert _names(diff.services.removed) == ["Service 2"]
    assert diff.services.removed[0].identifier == "https://sp2.example.fi/saml"
    assert diff.services.changed == []


def test_a_changed_service_says_which_attributes_came_and_went():
    diff = _diff(
        _documents(saml_service(n=1, attributes=("uid", "schoolCode"))),
        _documents(saml_service(n=1, attributes=("uid", "learnerId"))),
    )
    (change,) = diff.services.changed
    assert change.name == "Service 1"
    assert change.details == ["attributes added: learnerId", "attributes removed: schoolCode"]


def test_a_changed_oidc_service_names_its_redirect_uris_and_client_authentication():
    before = oidc_service(n=3)
    after = dataclasses.replace(
        before,
        oidc=dataclasses.replace(
            before.oidc, redirect_uris=("https://rp3.example.fi/new",), auth_method="client_secret_post"
        ),
    )
    (change,) = _diff(_documents(before), _documents(after)).services.changed
    assert "redirect URIs added: https://rp3.example.fi/new" in change.details
    assert "redirect URIs removed: https://rp3.example.fi/cb" in change.details
    assert any(d.startswith("client authentication changed from") and "client_secret_post" in d for d in change.details)


def test_a_saml_change_only_the_metadata_holds_is_still_named():
    before = saml_service(n=1)
    after = dataclasses.replace(before, name_id_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
    (change,) = _diff(_documents(before), _documents(after)).services.changed
    assert change.details == ["SAML metadata changed (endpoints, certificates, contacts or descriptions)"]


def test_home_organisations_added_removed_and_changed_are_named():
    kept = home_organisation(n=10)
    grown = dataclasses.replace(
        kept,
        schools=(*kept.schools, School(code="00099", name="Uusi koulu")),
        municipality_codes=("091", "049"),
        allowed_service_keys=("svc-1",),
    )
    diff = _diff(
        _documents(saml_service(n=1), homes=(kept, home_organisation(n=11))),
        _documents(saml_service(n=1), homes=(grown, home_organisation(n=12))),
    )
    assert _names(diff.home_organisations.added) == ["Kunta 12"]
    assert _names(diff.home_organisations.removed) == ["Kunta 11"]
    (change,) = diff.home_organisations.changed
    assert change.name == "Kunta 10" and change.identifier == kept.oid
    assert "schools added: 00099 Uusi koulu" in change.details
    assert "municipality codes added: 049" in change.details
    assert "its users may now use only: Palvelu 1" in change.details or (
        "its users may now use only: Service 1" in change.details
    )


def test_login_sources_added_removed_and_changed_are_named_with_their_home_organisation():
    home = home_organisation(n=10)
    wilma = home.login_sources[0]
    moved = dataclasses.replace(wilma, identifier="uusi.inschool.fi", school_codes=())
    entra = LoginSource(key="entra", kind="entra", identifier="tenant-1", name="Kunnan Entra")
    diff = _diff(
        _documents(homes=(home,)), _documents(homes=(dataclasses.replace(home, login_sources=(moved, entra)),))
    )
    (added,) = diff.login_sources.added
    assert (added.name, added.identifier, added.context) == ("Kunnan Entra", "tenant-1", "Kunta 10")
    (changed,) = diff.login_sources.changed
    assert changed.name == "Wilma" and changed.context == "Kunta 10"
    assert "identifier changed from kunta10.inschool.fi to uusi.inschool.fi" in changed.details
    assert "schools served removed: 00010" in changed.details
    # The home organisation itself did not change beyond its login sources.
    assert diff.home_organisations.changed == []
