"""Test certificates made with `cryptography` (cached: RSA key generation is slow), and hostile
ones: `cryptography` refuses to build a certificate with a duplicate extension, an unknown key
algorithm or an SHA-1 signature, so these are built well-formed and their DER patched afterwards
(an OID swapped for another of the same encoded length). The signatures then no longer verify,
which does not matter: trustnet checks what a certificate says, it does not verify self-signatures."""

from __future__ import annotations

import base64
import datetime
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x25519
from cryptography.x509.oid import NameOID, ObjectIdentifier


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


# ---------------------------------------------------------------- hostile certificates

_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile.example.fi")])
# Far from today both ways, so that committed corpus files stay what they are for decades.
FAR_PAST = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
FAR_FUTURE = datetime.datetime(2099, 12, 31, tzinfo=datetime.UTC)


def oid_der(dotted: str) -> bytes:
    """The DER encoding (tag, length, value) of an object identifier."""
    parts = [int(p) for p in dotted.split(".")]
    value = bytes([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        value += bytes(reversed(chunk))
    return bytes([0x06, len(value)]) + value


def der_pem(der: bytes) -> str:
    body = base64.b64encode(der).decode()
    return (
        "-----BEGIN CERTIFICATE-----\n"
        + "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        + ("\n-----END CERTIFICATE-----\n")
    )


def pem_der(pem: str) -> bytes:
    return base64.b64decode(base64_body(pem))


def patch_oid(pem: str, old: str, new: str) -> str:
    """`pem` with every occurrence of OID `old` replaced by `new` (same encoded length)."""
    before, after = oid_der(old), oid_der(new)
    assert len(before) == len(after)
    der = pem_der(pem)
    assert before in der, f"{old} not in the certificate"
    return der_pem(der.replace(before, after))


def build_certificate(
    key=None, *, public_key=None, not_before: datetime.datetime = FAR_PAST,
    not_after: datetime.datetime = FAR_FUTURE, extensions=(),
) -> str:  # fmt: skip
    """A certificate for `public_key` (default: the signing key's own), signed with `key`."""
    key = key or _rsa_key(2048)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_NAME)
        .issuer_name(_NAME)
        .public_key(public_key or key.public_key())
        .serial_number(0x1234567)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm).public_bytes(serialization.Encoding.PEM).decode()


_PRIVATE_1, _PRIVATE_2 = "1.3.6.1.4.1.55555.1", "1.3.6.1.4.1.55555.2"
RSA_ENCRYPTION, SHA256_WITH_RSA = "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.11"


def duplicate_extension_certificate() -> str:
    """Two extensions with the same OID, which RFC 5280 forbids and `cryptography` raises on."""
    extensions = [x509.UnrecognizedExtension(ObjectIdentifier(oid), b"\x05\x00") for oid in (_PRIVATE_1, _PRIVATE_2)]
    return patch_oid(build_certificate(extensions=extensions), _PRIVATE_2, _PRIVATE_1)


def duplicate_key_usage_certificate() -> str:
    """Two KeyUsage extensions: the second made as a private extension, then renamed."""
    usage = x509.KeyUsage(True, False, True, False, False, False, False, False, False)
    copy = x509.UnrecognizedExtension(ObjectIdentifier("2.5.29.99"), usage.public_bytes())
    return patch_oid(build_certificate(extensions=[usage, copy]), "2.5.29.99", "2.5.29.15")


def unknown_key_algorithm_certificate() -> str:
    """An RSA key whose SubjectPublicKeyInfo names an algorithm nobody knows."""
    return patch_oid(build_certificate(), RSA_ENCRYPTION, "1.2.840.113549.1.1.99")


def unknown_signature_algorithm_certificate() -> str:
    return patch_oid(build_certificate(), SHA256_WITH_RSA, "1.2.840.113549.1.1.99")


def sha1_certificate(*, not_before: datetime.datetime = FAR_PAST, not_after: datetime.datetime = FAR_FUTURE) -> str:
    """Signed (nominally) with sha1WithRSAEncryption: `cryptography` no longer signs with SHA-1."""
    return patch_oid(build_certificate(not_before=not_before, not_after=not_after), SHA256_WITH_RSA,
                     "1.2.840.113549.1.1.5")  # fmt: skip


def md5_certificate() -> str:
    return patch_oid(build_certificate(), SHA256_WITH_RSA, "1.2.840.113549.1.1.4")


def ed448_certificate() -> str:
    return build_certificate(ed448.Ed448PrivateKey.generate())


@cache
def _dsa_key():
    return dsa.generate_private_key(key_size=2048)


def dsa_certificate() -> str:
    return build_certificate(_dsa_key())


def x25519_certificate() -> str:
    """A key-agreement-only key (cannot sign), certified by an RSA key."""
    return build_certificate(public_key=x25519.X25519PrivateKey.generate().public_key())


def not_yet_valid_certificate(not_before: datetime.datetime) -> str:
    return build_certificate(not_before=not_before, not_after=not_before + datetime.timedelta(days=365))


def base64_body(pem: str) -> str:
    return "".join(pem.strip().splitlines()[1:-1])


def acs_element(*, index: str = "0", location: str = "https://sp.example.fi/saml/acs", default: bool = True) -> str:
    return (
        '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        f'Location="{location}" index="{index}" isDefault="{"true" if default else "false"}"/>'
    )


def key_descriptor(certificate: str, use: str = "signing") -> str:
    return (
        f'<md:KeyDescriptor use="{use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{base64_body(certificate)}'
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    )


def sp_metadata(
    *, entity_id: str = "https://sp.example.fi/saml", acs: str = "https://sp.example.fi/saml/acs",
    certificate: str | None = None, with_sp: bool = True, acs_elements: str | None = None,
    key_descriptors: str | None = None, logo: str = '<mdui:Logo width="80" height="60">https://sp.example.fi/logo.png</mdui:Logo>',
) -> bytes:  # fmt: skip
    """An SP's metadata; `acs_elements`, `key_descriptors` and `logo` replace the defaults as raw XML."""
    keys = key_descriptors if key_descriptors is not None else key_descriptor(certificate or good_certificate())
    endpoints = acs_elements if acs_elements is not None else acs_element(location=acs)
    sp = f"""
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions><mdui:UIInfo>
      <mdui:DisplayName xml:lang="fi">Oppimateriaali</mdui:DisplayName>
      <mdui:DisplayName xml:lang="en">Learning materials</mdui:DisplayName>
      <mdui:PrivacyStatementURL xml:lang="fi">https://sp.example.fi/tietosuoja</mdui:PrivacyStatementURL>
      {logo}
    </mdui:UIInfo></md:Extensions>
    {keys}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    {endpoints}
  </md:SPSSODescriptor>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" entityID="{entity_id}">{sp if with_sp else ""}
</md:EntityDescriptor>""".encode()


def idp_metadata(*, entity_id: str = "https://adfs.example.fi/adfs/services/trust", certificates=None) -> bytes:
    """IdP metadata (as ADFS, Entra ID or Google publish it) with the given signing certificates."""
    keys = "".join(key_descriptor(pem) for pem in (certificates if certificates is not None else [good_certificate()]))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="{entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.example.fi/adfs/ls/"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>""".encode()
