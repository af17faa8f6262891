import pytest
from django.core.exceptions import ValidationError

from members.certificates import certificate_describe, certificate_parse
from tests.members.certs import base64_body, good_certificate, make_certificate


def _message(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def test_a_2048_bit_rsa_certificate_is_accepted_with_its_expiry():
    info = certificate_parse(good_certificate())
    assert info.key_type == "RSA" and info.key_bits == 2048
    assert info.not_after.year >= 2026 and ":" in info.sha256_fingerprint


def test_bare_base64_as_in_metadata_is_accepted():
    assert certificate_parse(base64_body(good_certificate())).key_bits == 2048


@pytest.mark.parametrize(
    "text", ["", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"]
)
def test_malformed_certificates_are_refused(text):
    with pytest.raises(ValidationError) as excinfo:
        certificate_parse(text, field="signing_certificate")
    assert "not a valid X.509 certificate" in _message(excinfo)
    assert "signing_certificate" in excinfo.value.error_dict


def test_rsa_under_2048_bits_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        certificate_parse(make_certificate(bits=1024))
    assert "1024 bits; at least 2048" in _message(excinfo)


def test_an_expired_certificate_is_refused_naming_the_date():
    with pytest.raises(ValidationError) as excinfo:
        certificate_parse(make_certificate(days=-1))
    assert "expired on" in _message(excinfo)


def test_a_key_usage_that_does_not_allow_signing_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        certificate_parse(make_certificate(key_usage="key_encipherment"), usage="signing")
    assert "does not allow signing" in _message(excinfo)
    certificate_parse(make_certificate(key_usage="key_encipherment"), usage="encryption")


def test_an_ec_key_cannot_be_an_encryption_certificate():
    with pytest.raises(ValidationError) as excinfo:
        certificate_parse(make_certificate(ec_key=True), usage="encryption")
    assert "needs an RSA key" in _message(excinfo)


def test_describe_shows_expired_certificates_for_display():
    assert certificate_describe(make_certificate(days=-1)).not_after is not None
    assert certificate_describe("junk") is None
