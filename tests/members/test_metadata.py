"""A corpus of bad SAML metadata: each is refused with a message naming the problem."""

import pytest
from django.core.exceptions import ValidationError

from members.metadata import metadata_parse
from tests.members.certs import make_certificate, sp_metadata

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol3;"/>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;"/>"""
XXE_NETWORK = b"""<?xml version="1.0"?>
<!DOCTYPE foo SYSTEM "http://169.254.169.254/latest/meta-data/">
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://x"/>"""
UTF16_DOCTYPE = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'.encode("utf-16")


def _refused(data: bytes) -> str:
    with pytest.raises(ValidationError) as excinfo:
        metadata_parse(data)
    assert "metadata" in excinfo.value.error_dict
    return " ".join(excinfo.value.messages)


def test_good_metadata_gives_entity_endpoints_certificate_and_names():
    metadata = metadata_parse(sp_metadata())
    assert metadata.entity_id == "https://sp.example.fi/saml"
    assert metadata.acs_endpoints[0]["location"] == "https://sp.example.fi/saml/acs"
    assert metadata.acs_endpoints[0]["is_default"] is True
    assert "BEGIN CERTIFICATE" in metadata.signing_certificates[0]
    assert metadata.names == {"fi": "Oppimateriaali", "en": "Learning materials"}
    assert metadata.privacy_url == "https://sp.example.fi/tietosuoja"
    assert metadata.name_id_format.endswith("persistent")
    assert (metadata.logo_url, metadata.logo_width, metadata.logo_height) == ("https://sp.example.fi/logo.png", 80, 60)


BAD_METADATA = [
    (BILLION_LAUGHS, "DOCTYPE"),
    (XXE, "DOCTYPE"),
    (XXE_NETWORK, "DOCTYPE"),
    (UTF16_DOCTYPE, "DOCTYPE"),
    (b"", "empty"),
    (b"<md:EntityDescriptor", "not well-formed"),
    (b"<html><body>hello</body></html>", "not SAML 2.0 metadata"),
    (sp_metadata(with_sp=False), "no SPSSODescriptor"),
    (sp_metadata(entity_id=""), "no entityID"),
    (sp_metadata(acs="http://sp.example.fi/acs"), "https"),
    (sp_metadata(certificate=make_certificate(bits=1024)), "at least 2048"),
    (sp_metadata(certificate=make_certificate(days=-3)), "expired"),
]


@pytest.mark.parametrize(("data", "message"), BAD_METADATA)
def test_bad_metadata_is_refused_with_a_message(data, message):
    assert message in _refused(data)


def test_over_size_metadata_is_refused(settings):
    settings.TRUSTNET_METADATA_MAX_BYTES = 1000
    assert "larger than 1000 bytes" in _refused(sp_metadata())
