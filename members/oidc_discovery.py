"""An OIDC login source's discovery document, checked like a SAML source's metadata (issue 14).

OpenID Connect Discovery 1.0: the document is at `<issuer>/.well-known/openid-configuration`, its
`issuer` must be exactly the configured issuer (section 4.3: a mismatch means the document is not
the provider's), and it names the endpoints the proxy uses. Pure functions on bytes: the fetch is
`members.metadata_fetch` (SSRF-safe, size cap), so a hostile answer can do no more than fail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.uris import validate_uri

WELL_KNOWN = "/.well-known/openid-configuration"
# What the proxy needs of the provider to log a user in with the authorization code flow.
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


@dataclass(frozen=True)
class OidcDiscovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str


def oidc_discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + WELL_KNOWN


def oidc_discovery_parse(raw: bytes, *, issuer: str) -> OidcDiscovery:
    """The document's endpoints if it is usable for `issuer`, else a ValidationError saying why."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(_("The discovery document is not valid JSON.")) from error
    if not isinstance(document, dict):
        raise ValidationError(_("The discovery document is not a JSON object."))
    found = document.get("issuer")
    if found != issuer:
        raise ValidationError(
            _("The discovery document names the issuer %(found)s, not %(issuer)s.")
            % {"found": ascii(str(found)[:200])[1:-1], "issuer": issuer}
        )
    endpoints: dict[str, str] = {}
    for name in (*REQUIRED_ENDPOINTS, "userinfo_endpoint"):
        value = document.get(name, "")
        if not value:
            if name in REQUIRED_ENDPOINTS:
                raise ValidationError(_("The discovery document has no %(name)s.") % {"name": name})
            endpoints[name] = ""
            continue
        try:
            validate_uri(str(value))
        except ValidationError as error:
            raise ValidationError(
                _("The discovery document's %(name)s: %(problem)s") % {"name": name, "problem": error.messages[0]}
            ) from error
        endpoints[name] = str(value)
    response_types = document.get("response_types_supported") or []
    if not isinstance(response_types, list) or "code" not in response_types:
        raise ValidationError(_("The provider does not support the authorization code flow (response type code)."))
    return OidcDiscovery(issuer=issuer, **endpoints)
