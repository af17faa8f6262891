"""X.509 certificates of services: parsed with `cryptography`, checked against DESIGN section 2.

Pure functions, no database: malformed, expired, not yet valid, weak (RSA < 2048, MD5) or
wrong-usage certificates raise `ValidationError` with a message naming the field and the problem.
An SHA-1 signature is accepted but flagged (`CertificateInfo.weak_signature`) so that the member
and the reviewing staff see a warning (issue 15).
"""

from __future__ import annotations

import base64
import datetime
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

MIN_RSA_BITS = 2048
# A 4096-bit RSA certificate with a long chain of names is about 2,500 base64 characters; a field
# longer than this is not a certificate, and parsing it would only cost time.
MAX_CERTIFICATE_CHARS = 16_384
# A signing certificate's notBefore a little ahead of our clock is usually clock skew on the
# machine that made it, not a certificate meant for later.
CLOCK_SKEW = datetime.timedelta(minutes=10)
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)
_PEM_BEGIN = "-----BEGIN CERTIFICATE-----"


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    key_type: str
    key_bits: int
    sha256_fingerprint: str
    base64_der: str  # what goes into <ds:X509Certificate>
    # Name of the hash the issuer signed with ("SHA-256"); "" for keys that sign without one (Ed25519).
    signature_hash: str = ""

    @property
    def weak_signature(self) -> bool:
        """SHA-1 signatures can be forged (chosen-prefix collisions): accepted, but the member should
        replace the certificate, and the reviewer should see it."""
        return self.signature_hash == "SHA-1"

    def expires_within(self, days: int) -> bool:
        return self.not_after <= timezone.now() + datetime.timedelta(days=days)


def normalise_certificate(text: str) -> str:
    """A certificate as a PEM block, from PEM or bare base64 (as found in SAML metadata)."""
    text = (text or "").strip()
    match = _PEM.search(text)
    body = match.group(1) if match else text
    body = "".join(body.split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _load(text: str) -> tuple[x509.Certificate, str]:
    body = "".join(normalise_certificate(text).splitlines()[1:-1])
    der = base64.b64decode(body, validate=True)
    return x509.load_der_x509_certificate(der), body


@dataclass(frozen=True)
class _Read:
    """Everything the checks need, read from the certificate in one place: `cryptography` parses
    some parts lazily (extensions, the public key, the signature algorithm), so a hostile
    certificate can fail on any of these accesses, not only on loading."""

    certificate: x509.Certificate
    body: str
    key: object
    extensions: x509.Extensions
    signature_hash: str


def _read(text: str, *, usage: str, field: str) -> _Read:
    """Load and fully read one certificate, or raise a ValidationError naming `field`."""
    if len(text) > MAX_CERTIFICATE_CHARS:
        raise ValidationError(
            {field: _("The %(usage)s certificate is longer than %(limit)s characters; it cannot be one certificate.")
                    % {"usage": usage, "limit": MAX_CERTIFICATE_CHARS}},
            code="too_long",
        )  # fmt: skip
    if text.count(_PEM_BEGIN) > 1:
        # Only one certificate is stored per field: a second one would be dropped without a word.
        raise ValidationError(
            {field: _("Give one %(usage)s certificate in this field, not several.") % {"usage": usage}},
            code="several",
        )
    try:
        certificate, body = _load(text)
        key = certificate.public_key()
        extensions = certificate.extensions
        algorithm = certificate.signature_hash_algorithm
        certificate.subject.rfc4514_string()
        certificate.issuer.rfc4514_string()
        certificate.not_valid_before_utc, certificate.not_valid_after_utc  # noqa: B018 (parse the dates now)
    except x509.DuplicateExtension as error:
        raise ValidationError(
            {field: _("The %(usage)s certificate carries the same extension twice, which X.509 does not allow.")
                    % {"usage": usage}},
            code="malformed",
        ) from error  # fmt: skip
    except UnsupportedAlgorithm as error:
        raise ValidationError(
            {field: _("The %(usage)s certificate uses a key or signature algorithm that is not supported; "
                      "use an RSA key of at least 2048 bits.") % {"usage": usage}},
            code="usage",
        ) from error  # fmt: skip
    except Exception as error:
        # The bytes are a member's: whatever `cryptography` raises on them (ValueError, TypeError,
        # binascii.Error, its own exception types, which vary between versions) means "not a
        # certificate we can use", never a server error.
        raise ValidationError(
            {field: _("The %(usage)s certificate is not a valid X.509 certificate.") % {"usage": usage}},
            code="malformed",
        ) from error
    return _Read(certificate, body, key, extensions, _hash_name(algorithm))


def _hash_name(algorithm: hashes.HashAlgorithm | None) -> str:
    if algorithm is None:
        return ""
    return {"md5": "MD5", "sha1": "SHA-1", "sha224": "SHA-224", "sha256": "SHA-256", "sha384": "SHA-384",
            "sha512": "SHA-512"}.get(algorithm.name, algorithm.name.upper())  # fmt: skip


def certificate_parse(text: str, *, usage: str = "signing", field: str = "certificate") -> CertificateInfo:
    """Parse and check one certificate for `usage` ("signing" or "encryption")."""
    read = _read(text or "", usage=usage, field=field)
    certificate, key = read.certificate, read.key
    if isinstance(key, rsa.RSAPublicKey):
        key_type, bits = "RSA", key.key_size
        if bits < MIN_RSA_BITS:
            raise ValidationError(
                {
                    field: _("The %(usage)s certificate's RSA key has %(bits)s bits; at least 2048 are required.")
                    % {"usage": usage, "bits": bits}
                },
                code="weak",
            )
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, bits = "EC", key.key_size
        if usage == "encryption":
            raise ValidationError({field: _("An encryption certificate needs an RSA key.")}, code="usage")
    elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        raise ValidationError({field: _("Ed25519 and Ed448 keys are not supported in SAML metadata.")}, code="usage")
    else:
        raise ValidationError({field: _("The certificate's key type is not supported.")}, code="usage")
    if read.signature_hash == "MD5":
        # MD5 signatures have been forged in practice (2008); unlike SHA-1 there is no grace period.
        raise ValidationError(
            {field: _("The %(usage)s certificate is signed with MD5, which is broken; use SHA-256.")
                    % {"usage": usage}},
            code="weak",
        )  # fmt: skip
    now = timezone.now()
    not_after = certificate.not_valid_after_utc
    if not_after <= now:
        raise ValidationError(
            {
                field: _("The %(usage)s certificate expired on %(date)s.")
                % {"usage": usage, "date": date_format(not_after.date(), "SHORT_DATE_FORMAT")}
            },
            code="expired",
        )
    not_before = certificate.not_valid_before_utc
    if not_before > now + CLOCK_SKEW:
        # A relying party refuses it until then, so logins would fail (issue 15, item 5).
        raise ValidationError(
            {
                field: _("The %(usage)s certificate is not valid until %(date)s.")
                % {"usage": usage, "date": date_format(timezone.localtime(not_before), "SHORT_DATETIME_FORMAT")}
            },
            code="not_yet_valid",
        )
    _check_key_usage(read.extensions, usage=usage, field=field)
    return _info(read, key_type, bits)


def _info(read: _Read, key_type: str, bits: int) -> CertificateInfo:
    certificate = read.certificate
    return CertificateInfo(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        key_type=key_type,
        key_bits=bits,
        sha256_fingerprint=certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
        base64_der=read.body,
        signature_hash=read.signature_hash,
    )


def _check_key_usage(extensions: x509.Extensions, *, usage: str, field: str) -> None:
    """A certificate without a KeyUsage extension may be used for anything (common for SAML
    self-signed certificates); one that has it must allow the usage it is registered for."""
    try:
        key_usage = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    allowed = (
        key_usage.digital_signature if usage == "signing" else (key_usage.key_encipherment or key_usage.key_agreement)
    )
    if not allowed:
        raise ValidationError(
            {field: _("The certificate's key usage does not allow %(usage)s.") % {"usage": usage}},
            code="usage",
        )


def certificate_describe(text: str) -> CertificateInfo | None:
    """For display (expiry, fingerprint) of a stored certificate, without the checks; None if unreadable."""
    if not text:
        return None
    try:
        read = _read(text, usage="signing", field="certificate")
    except ValidationError:
        return None
    key = read.key
    key_type = "RSA" if isinstance(key, rsa.RSAPublicKey) else type(key).__name__
    return _info(read, key_type, getattr(key, "key_size", 0))
