"""A real SATOSA proxy in the test process, and pysaml2 service providers to log in through it.

SATOSA (with its SAML frontend) reads trustnet's published metadata and its SATOSA attribute
policy unchanged; "the user" is a static-attributes micro-service giving a value for every
attribute of the information model, and the backend (the home organisation's side) answers at
once. What reaches an SP is then decided by the policy file alone.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from saml2 import BINDING_HTTP_POST
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import NAME_FORMAT_URI
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from satosa.backends.base import BackendModule
from satosa.internal import AuthenticationInformation, InternalData
from satosa.metadata_creation.saml_metadata import create_entity_descriptors
from satosa.proxy_server import make_app
from satosa.satosa_config import SATOSAConfig
from werkzeug.test import Client, TestResponse

from members.attributes import ATTRIBUTES
from proxy.signing import generate_key_pair

XMLSEC = "/usr/bin/xmlsec1"
BASE = "https://proxy.example.fi"
IDP_ENTITY_ID = f"{BASE}/idp"
BACKEND = "user"
SSO_PATH = f"/{BACKEND}/sso/post"


class InstantUser(BackendModule):
    """The home organisation's side: authenticates at once, with no attributes of its own (the
    static-attributes micro-service adds them, as the user's data)."""

    def __init__(self, outgoing, internal_attributes, config, base_url, name):
        super().__init__(outgoing, internal_attributes, base_url, name)

    def start_auth(self, context, internal_request):
        auth_info = AuthenticationInformation(
            auth_class_ref="urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
            issuer="https://home.example.fi/idp",
        )
        return self.auth_callback_func(context, InternalData(auth_info=auth_info, attributes={}))

    def register_endpoints(self):
        return []


def user_attributes() -> dict[str, list[str]]:
    """A value for every attribute of the information model, by trustnet key."""
    return {key: [f"value-of-{key}"] for key in ATTRIBUTES}


def internal_attributes() -> dict:
    """SATOSA's attribute map: internal names are trustnet's keys (as the policy file uses them).

    The SAML frontend names an attribute by its pysaml2 local name, which is its FriendlyName (the
    map below turns it into the SAML name; pysaml2 matches an SP's requested attributes on it)."""
    return {
        "attributes": {
            key: {"saml": [attribute.friendly_name], "openid": [attribute.oidc_claim]}
            for key, attribute in ATTRIBUTES.items()
        }
    }


def write_attribute_map(folder: Path) -> Path:
    """A pysaml2 attribute map (urn:oasis:names:tc:SAML:2.0:attrname-format:uri) between each
    FriendlyName and SAML name of DESIGN section 4; pysaml2's own maps do not know urn:mpass.id."""
    maps = folder / "attribute-maps"
    maps.mkdir(exist_ok=True)
    to = {attribute.friendly_name: attribute.saml_name for attribute in ATTRIBUTES.values()}
    fro = {saml_name: friendly_name for friendly_name, saml_name in to.items()}
    (maps / "trustnet_mpassid_uri.py").write_text(
        f"MAP = {{'identifier': {NAME_FORMAT_URI!r}, 'to': {to!r}, 'fro': {fro!r}}}\n"
    )
    return maps


def write_key_pair(folder: Path, name: str) -> tuple[Path, Path]:
    key_pem, cert_pem = generate_key_pair(common_name=name)
    (folder / f"{name}.key").write_bytes(key_pem)
    (folder / f"{name}.crt").write_bytes(cert_pem)
    return folder / f"{name}.key", folder / f"{name}.crt"


def satosa_config(folder: Path, *, metadata_file: Path, policy_file: Path) -> SATOSAConfig:
    """The proxy: trustnet's aggregate as the SAML frontend's metadata, the static user first,
    then trustnet's policy file (given to SATOSA as the file, unchanged)."""
    key, cert = write_key_pair(folder, "satosa-idp")
    frontend = {
        "module": "satosa.frontends.saml2.SAMLFrontend",
        "name": "Saml2IDP",
        "config": {
            "endpoints": {"single_sign_on_service": {BINDING_HTTP_POST: "sso/post"}},
            "idp_config": {
                "entityid": IDP_ENTITY_ID,
                "key_file": str(key),
                "cert_file": str(cert),
                "xmlsec_binary": XMLSEC,
                "metadata": {"local": [str(metadata_file)]},
                "attribute_map_dir": str(write_attribute_map(folder)),
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": []},
                        "want_authn_requests_signed": True,
                        "name_id_format": ["urn:oasis:names:tc:SAML:2.0:nameid-format:transient"],
                    }
                },
            },
        },
    }
    static_user = {
        "module": "satosa.micro_services.attribute_modifications.AddStaticAttributes",
        "name": "TheUser",
        "config": {"static_attributes": user_attributes()},
    }
    backend = {"module": f"{__name__}.InstantUser", "name": BACKEND, "config": {}}
    return SATOSAConfig(
        {
            "BASE": BASE,
            "COOKIE_STATE_NAME": "SATOSA_STATE",
            "STATE_ENCRYPTION_KEY": "trustnet-test-state-key-0123456789",
            "INTERNAL_ATTRIBUTES": internal_attributes(),
            "BACKEND_MODULES": [backend],
            "FRONTEND_MODULES": [frontend],
            "MICRO_SERVICES": [static_user, str(policy_file)],
            "LOGGING": {"version": 1, "disable_existing_loggers": False},
        }
    )


@dataclass
class Proxy:
    app: Client
    idp_metadata_file: Path


def start_proxy(folder: Path, config: SATOSAConfig) -> Proxy:
    frontends, _ = create_entity_descriptors(config)
    metadata = folder / "satosa-idp-metadata.xml"
    metadata.write_text(str(frontends["Saml2IDP"][0]))
    return Proxy(app=Client(make_app(config)), idp_metadata_file=metadata)


def service_provider(*, entity_id: str, acs: str, key: Path, cert: Path, idp_metadata_file: Path) -> Saml2Client:
    config = SPConfig().load(
        {
            "entityid": entity_id,
            "key_file": str(key),
            "cert_file": str(cert),
            "xmlsec_binary": XMLSEC,
            "metadata": {"local": [str(idp_metadata_file)]},
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
                    "authn_requests_signed": True,
                    "want_response_signed": True,
                    "want_assertions_signed": False,
                    "allow_unsolicited": False,
                }
            },
        }
    )
    return Saml2Client(config)


def send_authn_request(proxy: Proxy, sp: Saml2Client) -> tuple[str, TestResponse]:
    """A signed AuthnRequest (HTTP-POST binding) from `sp` to the proxy: its ID and the answer."""
    request_id, request = sp.create_authn_request(
        f"{BASE}{SSO_PATH}", binding=BINDING_HTTP_POST, sign=True, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
    )
    response = proxy.app.post(
        SSO_PATH, data={"SAMLRequest": base64.b64encode(str(request).encode()).decode(), "RelayState": "r"}
    )
    return request_id, response


def log_in(proxy: Proxy, sp: Saml2Client) -> dict[str, list[str]]:
    """A signed AuthnRequest (HTTP-POST) from `sp` through the proxy; the attributes of the
    assertion in the response, by SAML attribute name, as pysaml2 parsed them."""
    request_id, response = send_authn_request(proxy, sp)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    found = re.search(r'name="SAMLResponse" value="([^"]+)"', page)
    assert found, page
    parsed = sp.parse_authn_request_response(found.group(1), BINDING_HTTP_POST, outstanding={request_id: "/"})
    assert parsed is not None
    released: dict[str, list[str]] = {}
    for statement in parsed.assertion.attribute_statement:
        for attribute in statement.attribute:
            released[attribute.name] = [value.text for value in attribute.attribute_value]
    return released
