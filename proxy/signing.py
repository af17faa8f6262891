"""Signing and verifying metadata (DESIGN section 5: RSA-SHA256, SHA-256 digest, exclusive c14n,
one enveloped signature referencing the root's ID, RSA key of at least 2048 bits).

Signing: `sign_canonical` writes the enveloped signature itself over documents that are already
in exclusive canonical form (lxml's c14n + `cryptography`), so a build never parses or
canonicalises the whole aggregate; see its docstring. The pre-publish gate
(`verify_digest_and_value`) re-parses the served bytes and canonicalises them with libxml2, a
different computation from the signer's concatenation of cached fragments, so a mistake in one
shows in the other; the tests add signxml (`verify`), xmlsec1 and pysaml2 as independent checks.

Why signxml rather than python-xmlsec for the reference: it is already a pinned dependency, is
pure Python over lxml and `cryptography` (no C extension built against libxmlsec1, whose version
mismatches have repeatedly broken python-xmlsec wheels), and it reports exactly which element a
signature covers. `sign` (signxml's signer) remains as the reference the benchmark compares with.

The key and certificates are files (paths in settings), never database rows: an operator
rotates them by replacing files, and the database never holds the private key.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier
from signxml.algorithms import CanonicalizationMethod
from signxml.verifier import SignatureConfiguration

from proxy import metadata_xml
from proxy.metadata_xml import DS, CanonicalDocument

EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"


class SigningKeyMissing(Exception):
    """No signing key or certificate is configured (run `manage.py proxy_signing_key`)."""


@dataclass(frozen=True)
class SigningMaterial:
    key: rsa.RSAPrivateKey
    cert_pem: str
    next_cert_pem: str  # "" unless a key rollover is announced
    cert_fingerprint: str  # SHA-256 of the certificate's DER, hex
    cert: x509.Certificate
    cert_b64: str  # base64 DER, for ds:X509Certificate


def _paths() -> tuple[Path, Path, Path | None]:
    key = Path(settings.PROXY_SIGNING_KEY_FILE)
    cert = Path(settings.PROXY_SIGNING_CERT_FILE)
    next_cert = Path(settings.PROXY_NEXT_SIGNING_CERT_FILE) if settings.PROXY_NEXT_SIGNING_CERT_FILE else None
    return key, cert, next_cert


@lru_cache(maxsize=4)
def _load(key_path: str, cert_path: str, next_path: str, stamp: tuple[float, ...]) -> SigningMaterial:
    key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise SigningKeyMissing("the proxy signing key must be RSA of at least 2048 bits")
    cert_pem = Path(cert_path).read_text()
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise SigningKeyMissing("the proxy signing certificate does not match the signing key")
    next_pem = Path(next_path).read_text() if next_path else ""
    if next_pem:
        x509.load_pem_x509_certificate(next_pem.encode())
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    return SigningMaterial(
        key=key,
        cert_pem=cert_pem,
        next_cert_pem=next_pem,
        cert_fingerprint=fingerprint,
        cert=cert,
        cert_b64=base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
    )


def signing_material() -> SigningMaterial:
    """The configured key and certificates, cached until one of the files changes."""
    key, cert, next_cert = _paths()
    files = [key, cert] + ([next_cert] if next_cert else [])
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise SigningKeyMissing(f"missing signing file(s): {', '.join(missing)}; run `manage.py proxy_signing_key`")
    stamp = tuple(path.stat().st_mtime for path in files)
    return _load(str(key), str(cert), str(next_cert or ""), stamp)


def published_certificates() -> str:
    """The PEM served at /proxy/signing-cert.pem: the current certificate, then the next one."""
    material = signing_material()
    return material.cert_pem.strip() + "\n" + (material.next_cert_pem.strip() + "\n" if material.next_cert_pem else "")


def _signer() -> XMLSigner:
    return XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=EXC_C14N,
    )


def sign(element: etree._Element, material: SigningMaterial) -> bytes:
    """Sign a tree with signxml (the reference signer: the benchmark's baseline and the tests
    compare against it; builds use `sign_canonical`). `element` has an ID and a
    `ds:Signature Id="placeholder"` child."""
    signed = _signer().sign(
        element,
        key=material.key,
        # A parsed certificate: signxml would otherwise parse the PEM again for every document.
        cert=[material.cert],
        reference_uri="#" + element.get("ID"),
    )
    return etree.tostring(signed, encoding="UTF-8", xml_declaration=True)


def sign_canonical(document: CanonicalDocument, material: SigningMaterial) -> bytes:
    """The signed document: see `signature_for`."""
    return serialise(document, signature_for(document, material))


def serialise(document: CanonicalDocument, signature: bytes) -> bytes:
    return b"".join([XML_DECLARATION, document.start, signature, *document.body, document.end])


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def signature_for(document: CanonicalDocument, material: SigningMaterial) -> bytes:
    """Enveloped RSA-SHA256 signature over a document already in exclusive canonical form.

    The digest is SHA-256 over the canonical bytes (which is what the enveloped-signature and
    exc-c14n transforms give a verifier), so nothing is parsed or canonicalised here; only the
    small SignedInfo is. The output is those same bytes with the signature after the root's
    start tag, so verifiers (signxml in `verify`, xmlsec1 in the tests) see exactly what was
    digested.
    """
    digest = hashlib.sha256(document.start)
    for part in document.body:
        digest.update(part)
    digest.update(document.end)

    signed_info = etree.Element(f"{{{DS}}}SignedInfo", nsmap={"ds": DS})
    etree.SubElement(signed_info, f"{{{DS}}}CanonicalizationMethod", Algorithm=EXC_C14N.value)
    etree.SubElement(signed_info, f"{{{DS}}}SignatureMethod", Algorithm=SignatureMethod.RSA_SHA256.value)
    reference = etree.SubElement(signed_info, f"{{{DS}}}Reference", URI="#" + document.document_id)
    transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=ENVELOPED)
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=EXC_C14N.value)
    etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=DigestAlgorithm.SHA256.value)
    etree.SubElement(reference, f"{{{DS}}}DigestValue").text = base64.b64encode(digest.digest()).decode()
    signed_info_c14n = etree.tostring(signed_info, method="c14n", exclusive=True)
    value = material.key.sign(signed_info_c14n, padding.PKCS1v15(), hashes.SHA256())

    return b"".join(
        [
            b'<ds:Signature xmlns:ds="' + DS.encode() + b'">',
            signed_info_c14n,
            b"<ds:SignatureValue>",
            base64.b64encode(value),
            b"</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>",
            material.cert_b64.encode(),
            b"</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>",
        ]
    )


def verify(data: bytes, cert_pem: str) -> etree._Element:
    """Verify the enveloped signature of `data` against `cert_pem`; return the verified root.

    Raises if the signature is bad, uses other algorithms than the profile, or does not cover
    the whole document (its one reference must be the root's ID).
    """
    config = SignatureConfiguration(
        require_x509=True,
        expect_references=1,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    result = XMLVerifier().verify(data, x509_cert=cert_pem, expect_config=config)
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    if result.signed_xml is None or result.signed_xml.get("ID") != root.get("ID") or result.signed_xml.tag != root.tag:
        raise ValueError("the signature does not cover the document root")
    return root


class SignatureInvalid(Exception):
    pass


def _checked_reference(root: etree._Element, signature: etree._Element) -> tuple[etree._Element, etree._Element]:
    """(SignedInfo, Reference) of a signature that is exactly the profile, else SignatureInvalid."""
    ns = {"ds": DS}
    signed_info = signature.find("ds:SignedInfo", ns)
    if signed_info is None:
        raise SignatureInvalid("the signature has no SignedInfo")
    references = signed_info.findall("ds:Reference", ns)
    expected = {
        "ds:CanonicalizationMethod": EXC_C14N.value,
        "ds:SignatureMethod": SignatureMethod.RSA_SHA256.value,
    }
    for path, algorithm in expected.items():
        if signed_info.find(path, ns) is None or signed_info.find(path, ns).get("Algorithm") != algorithm:
            raise SignatureInvalid(f"{path} is not {algorithm}")
    if len(references) != 1 or references[0].get("URI") != "#" + (root.get("ID") or "\0"):
        raise SignatureInvalid("the signature's one reference must be the root's ID")
    reference = references[0]
    transforms = [t.get("Algorithm") for t in reference.findall("ds:Transforms/ds:Transform", ns)]
    if transforms != [ENVELOPED, EXC_C14N.value]:
        raise SignatureInvalid(f"unexpected transforms {transforms}")
    if reference.find("ds:DigestMethod", ns).get("Algorithm") != DigestAlgorithm.SHA256.value:
        raise SignatureInvalid("the digest is not SHA-256")
    return signed_info, reference


def _check_value(signature: etree._Element, signed_info: etree._Element, cert: x509.Certificate) -> None:
    value = base64.b64decode(signature.find("ds:SignatureValue", {"ds": DS}).text or "")
    try:
        cert.public_key().verify(
            value, etree.tostring(signed_info, method="c14n", exclusive=True), padding.PKCS1v15(), hashes.SHA256()
        )
    except Exception as error:
        raise SignatureInvalid("the signature value does not verify") from error


def _check_digest(reference: etree._Element, digest: bytes) -> None:
    if base64.b64decode(reference.find("ds:DigestValue", {"ds": DS}).text or "") != digest:
        raise SignatureInvalid("the digest does not match the document")


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def verify_digest_and_value(data: bytes, cert: x509.Certificate) -> etree._Element:
    """Verify the profile's enveloped signature of `data` by re-parsing and re-canonicalising it.

    The same check xmlsec1 makes, restricted to exactly the profile (one signature, first child,
    RSA-SHA256, SHA-256, exclusive c14n, reference = the root's ID), without signxml's per-node
    overhead. Returns the parsed root with the signature removed. signxml's `verify` is the
    independent check in the tests. Used for entity documents and when staff publish an earlier
    snapshot; a build checks its aggregate with `verify_by_parts`.
    """
    root = etree.fromstring(data, _PARSER)
    signature = root[0] if len(root) else None
    if signature is None or signature.tag != f"{{{DS}}}Signature":
        raise SignatureInvalid("the first child of the root is not a ds:Signature")
    if len(root.findall(f".//{{{DS}}}Signature")) != 1:
        raise SignatureInvalid("more than one signature")
    signed_info, reference = _checked_reference(root, signature)
    root.remove(signature)
    _check_digest(reference, hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True)).digest())
    _check_value(signature, signed_info, cert)
    return root


_SIGNATURE_START = b"<ds:Signature "
_ANY_SIGNATURE = re.compile(rb"<[\w.-]*:?Signature[\s/>]")
_SIGNATURE_END = b"</ds:Signature>"
_EXTENSIONS_END = b"</md:Extensions>"
_AGGREGATE_END = b"</md:EntitiesDescriptor>"


def verify_by_parts(data: bytes, cert: x509.Certificate, fragments: list[bytes]) -> str:
    """Verify the enveloped signature of an aggregate without parsing all of it; returns its ID.

    `fragments` are the entities the aggregate must contain, each checked, when it was rendered,
    to be in exclusive canonical form (canonicalising its parse gives the same bytes). Here:

    - the served bytes must be exactly: declaration, the root's start tag, one signature, the
      `md:Extensions`, those entities in order (as `metadata_xml.in_context` places them), the
      root's end tag — compared byte for byte;
    - the envelope (all but the entities) is parsed on its own, its signature checked against
      the profile, and canonicalising it must give back its bytes;
    - the digest is recomputed over the served bytes without the signature, and the signature
      value over the canonical SignedInfo, as `verify_digest_and_value` does.

    Canonical entities inside a canonical envelope are the canonical form of the whole (exclusive
    c14n of a subtree does not depend on its ancestors apart from the `md` declaration the root
    already renders; the tests check whole documents with signxml, xmlsec1 and pysaml2), so this
    verifies what a verifier canonicalising the whole document verifies, without building a
    tree of 10,000 entities (seconds and hundreds of MB at that size).
    """
    if not data.startswith(XML_DECLARATION) or not data.endswith(_AGGREGATE_END):
        raise SignatureInvalid("not an aggregate: declaration or end tag missing")
    signature_start = data.find(_SIGNATURE_START)
    signature_end = data.find(_SIGNATURE_END, signature_start) + len(_SIGNATURE_END)
    start = data[len(XML_DECLARATION) : signature_start]
    if signature_start < 0 or start.count(b"<") != 1 or not start.endswith(b">"):
        raise SignatureInvalid("the first child of the root is not a ds:Signature")
    if len(_ANY_SIGNATURE.findall(data)) != 1:
        raise SignatureInvalid("more than one signature")
    extensions_end = data.find(_EXTENSIONS_END, signature_end) + len(_EXTENSIONS_END)
    if extensions_end < len(_EXTENSIONS_END):
        raise SignatureInvalid("no md:Extensions after the signature")
    view = memoryview(data)
    offset = extensions_end
    for fragment in fragments:
        part = metadata_xml.in_context(fragment)
        if view[offset : offset + len(part)] != part:
            raise SignatureInvalid("the entities differ from the rendered fragments")
        offset += len(part)
    if offset != len(data) - len(_AGGREGATE_END):
        raise SignatureInvalid("the entities differ from the rendered fragments")

    extensions = data[signature_end:extensions_end]
    root = etree.fromstring(start + data[signature_start:signature_end] + extensions + _AGGREGATE_END, _PARSER)
    signature = root[0]
    if signature.tag != f"{{{DS}}}Signature":
        raise SignatureInvalid("the first child of the root is not a ds:Signature")
    signed_info, reference = _checked_reference(root, signature)
    root.remove(signature)
    if etree.tostring(root, method="c14n", exclusive=True) != start + extensions + _AGGREGATE_END:
        raise SignatureInvalid("the document is not in exclusive canonical form")
    digest = hashlib.sha256(start)
    digest.update(view[signature_end:])
    _check_digest(reference, digest.digest())
    _check_value(signature, signed_info, cert)
    return root.get("ID")


def generate_key_pair(
    *, common_name: str, days: int = 3650, valid_from: datetime.datetime | None = None
) -> tuple[bytes, bytes]:
    """A new RSA-3072 key and a self-signed certificate for it (PEM), for metadata signing."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = valid_from or datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
