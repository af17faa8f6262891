"""A real SATOSA proxy releases to each SP exactly its approved attributes (issue 13 item 6).

SATOSA reads trustnet's signed aggregate (`/proxy/test/metadata.xml`) and its
`satosa-attribute-policy.yaml`, both as served and unchanged; the SPs are pysaml2 clients signing
their AuthnRequests with the keys whose certificates trustnet published. The user has a value for
every attribute, so anything the policy does not stop reaches the SP.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from saml2.config import SPConfig
from saml2.sigver import security_context

from members.attributes import ATTRIBUTES
from proxy.inputs import Certificate
from proxy.services import proxy_token_create, snapshot_build
from tests.proxy import satosa_proxy
from tests.proxy.inputs_factory import saml_service

pytestmark = pytest.mark.django_db

ENTITIES_DESCRIPTOR = "urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor"


def _verified(metadata: bytes) -> None:
    """The aggregate's signature checks out against trustnet's signing certificate (pysaml2)."""
    config = SPConfig().load({"entityid": "https://check.example.fi", "xmlsec_binary": satosa_proxy.XMLSEC})
    assert security_context(config).verify_signature(
        metadata.decode(), cert_file=str(settings.PROXY_SIGNING_CERT_FILE), node_name=ENTITIES_DESCRIPTOR
    )


def test_each_sp_gets_exactly_its_approved_attributes_through_satosa(register, client, tmp_path):
    empty_key, empty_cert = satosa_proxy.write_key_pair(tmp_path, "sp-empty")
    two_key, two_cert = satosa_proxy.write_key_pair(tmp_path, "sp-two")

    def signing(cert):
        return (Certificate(pem=cert.read_text(), use="signing"),)

    empty = saml_service(n=1, attributes=(), certificates=signing(empty_cert))
    two = saml_service(n=2, attributes=("givenName", "schoolCode"), certificates=signing(two_cert))
    register("test", empty, two)
    snapshot_build(environment="test", trigger="test")

    metadata = client.get("/proxy/test/metadata.xml")
    assert metadata.status_code == 200
    _verified(metadata.content)
    (tmp_path / "trustnet-metadata.xml").write_bytes(metadata.content)
    token = proxy_token_create(name="satosa", environment="test")[1]
    policy = client.get("/proxy/test/satosa-attribute-policy.yaml", headers={"Authorization": f"Token {token}"})
    assert policy.status_code == 200
    (tmp_path / "attribute-policy.yaml").write_bytes(policy.content)

    proxy = satosa_proxy.start_proxy(
        tmp_path,
        satosa_proxy.satosa_config(
            tmp_path, metadata_file=tmp_path / "trustnet-metadata.xml", policy_file=tmp_path / "attribute-policy.yaml"
        ),
    )

    def sp(service, key, cert):
        return satosa_proxy.service_provider(
            entity_id=service.entity_id,
            acs=service.acs_endpoints[0].location,
            key=key,
            cert=cert,
            idp_metadata_file=proxy.idp_metadata_file,
        )

    def log_in(service, key, cert):
        return satosa_proxy.log_in(proxy, sp(service, key, cert))

    assert log_in(empty, empty_key, empty_cert) == {}
    assert log_in(two, two_key, two_cert) == {
        ATTRIBUTES["givenName"].saml_name: ["value-of-givenName"],
        ATTRIBUTES["schoolCode"].saml_name: ["value-of-schoolCode"],
    }

    # The proxy checks the request's signature against the key trustnet published for that SP.
    _, refused = satosa_proxy.send_authn_request(proxy, sp(empty, two_key, two_cert))
    # (SATOSA answers a failed signature check with its error page.)
    assert refused.status_code != 200
    assert "SAMLResponse" not in refused.get_data(as_text=True)
