"""Test certificates made with `cryptography` (cached: RSA key generation is slow)."""

from __future__ import annotations

import datetime
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


@cache
def _rsa_key(bits: int):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def make_certificate(
    *, bits: int = 2048, days: int = 365, cn: str = "sp.example.fi", key_usage: str | None = None, ec_key: bool = False
) -> str:
    """A self-signed PEM certificate; `days` may be negative for an expired one."""
    key = ec.generate_private_key(ec.SECP256R1()) if ec_key else _rsa_key(bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.UTC)
    not_after = now + datetime.timedelta(days=days)
    not_before = min(now, not_after) - datetime.timedelta(days=30)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if key_usage:
        flags = dict.fromkeys(
            ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
             "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"],
            False,
        )  # fmt: skip
        flags[key_usage] = True
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    certificate = builder.sign(key, hashes.SHA256())
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@cache
def good_certificate() -> str:
    return make_certificate()


def base64_body(pem: str) -> str:
    return "".join(pem.strip().splitlines()[1:-1])


def sp_metadata(
    *, entity_id: str = "https://sp.example.fi/saml", acs: str = "https://sp.example.fi/saml/acs",
    certificate: str | None = None, with_sp: bool = True,
) -> bytes:  # fmt: skip
    body = base64_body(certificate or good_certificate())
    sp = f"""
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions><mdui:UIInfo>
      <mdui:DisplayName xml:lang="fi">Oppimateriaali</mdui:DisplayName>
      <mdui:DisplayName xml:lang="en">Learning materials</mdui:DisplayName>
      <mdui:PrivacyStatementURL xml:lang="fi">https://sp.example.fi/tietosuoja</mdui:PrivacyStatementURL>
      <mdui:Logo width="80" height="60">https://sp.example.fi/logo.png</mdui:Logo>
    </mdui:UIInfo></md:Extensions>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>"""  # noqa: E501
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" entityID="{entity_id}">{sp if with_sp else ""}
</md:EntityDescriptor>""".encode()


def idp_metadata(*, entity_id: str = "https://adfs.example.fi/adfs/services/trust", certificates=None) -> bytes:
    """IdP metadata (as ADFS, Entra ID or Google publish it) with the given signing certificates."""
    keys = "".join(
        f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{base64_body(pem)}'
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        for pem in (certificates if certificates is not None else [good_certificate()])
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="{entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.example.fi/adfs/ls/"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>""".encode()
