"""X.509 certificates of services: parsed with `cryptography`, checked against DESIGN section 2.

Pure functions, no database: malformed, expired, weak (RSA < 2048) or wrong-usage
certificates raise `ValidationError` with a message naming the problem.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

MIN_RSA_BITS = 2048
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


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


def certificate_parse(text: str, *, usage: str = "signing", field: str = "certificate") -> CertificateInfo:
    """Parse and check one certificate for `usage` ("signing" or "encryption")."""
    try:
        certificate, body = _load(text)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(
            {field: _("The %(usage)s certificate is not a valid X.509 certificate.") % {"usage": usage}},
            code="malformed",
        ) from error
    key = certificate.public_key()
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
    not_after = certificate.not_valid_after_utc
    if not_after <= timezone.now():
        raise ValidationError(
            {
                field: _("The %(usage)s certificate expired on %(date)s.")
                % {"usage": usage, "date": date_format(not_after.date(), "SHORT_DATE_FORMAT")}
            },
            code="expired",
        )
    _check_key_usage(certificate, usage=usage, field=field)
    return _info(certificate, body, key_type, bits)


def _info(certificate: x509.Certificate, body: str, key_type: str, bits: int) -> CertificateInfo:
    return CertificateInfo(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        key_type=key_type,
        key_bits=bits,
        sha256_fingerprint=certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
        base64_der=body,
    )


def _check_key_usage(certificate: x509.Certificate, *, usage: str, field: str) -> None:
    """A certificate without a KeyUsage extension may be used for anything (common for SAML
    self-signed certificates); one that has it must allow the usage it is registered for."""
    try:
        key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
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
        certificate, body = _load(text)
    except (binascii.Error, ValueError):
        return None
    key = certificate.public_key()
    key_type = "RSA" if isinstance(key, rsa.RSAPublicKey) else type(key).__name__
    return _info(certificate, body, key_type, getattr(key, "key_size", 0))
