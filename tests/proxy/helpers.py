from __future__ import annotations

from lxml import etree

from proxy import build
from proxy.models import Snapshot

NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "mdui": "urn:oasis:names:tc:SAML:metadata:ui",
    "mdrpi": "urn:oasis:names:tc:SAML:metadata:rpi",
    "remd": "http://refeds.org/metadata",
    "afp": "urn:mace:shibboleth:2.0:afp",
}


def metadata_of(snapshot: Snapshot) -> etree._Element:
    return etree.fromstring(build.read_file(snapshot, "metadata.xml"))


def entity_ids(root: etree._Element) -> list[str]:
    return [e.get("entityID") for e in root.findall("md:EntityDescriptor", NS)]
