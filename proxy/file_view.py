"""A snapshot's stored file as text staff can read (pure: bytes in, text out)."""

from __future__ import annotations

import json

from lxml import etree

# What a page shows at most: the metadata aggregate of a whole federation is tens of MB, which no
# browser page should hold; the download always has the whole file.
VIEW_LIMIT = 1_000_000

# For display only (the served bytes are never touched): entities, DTDs and the network stay off
# like everywhere else in the proxy; blank text is dropped so the output can be indented.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=True)

DOWNLOAD_TYPES = {
    "metadata.xml": "application/samlmetadata+xml",
    "attribute-filter.xml": "application/xml; charset=utf-8",
    "satosa-attribute-policy.yaml": "application/yaml; charset=utf-8",
    "config.json": "application/json",
    "index.json": "application/json",
    "oidc-clients.json": "application/json",
    "discovery.json": "application/json",
}


def download_type(name: str) -> str:
    return DOWNLOAD_TYPES.get(name, "application/octet-stream")


def pretty_text(name: str, data: bytes) -> tuple[str, bool]:
    """The file indented for reading and whether it was cut at `VIEW_LIMIT` characters.

    JSON is re-indented, XML pretty-printed; YAML (already line-based) and anything that does
    not parse is shown as stored.
    """
    text = None
    if len(data) <= 4 * VIEW_LIMIT:
        try:
            if name.endswith(".json"):
                text = json.dumps(json.loads(data), indent=2, ensure_ascii=False, sort_keys=True)
            elif name.endswith(".xml"):
                text = etree.tostring(etree.fromstring(data, _PARSER), pretty_print=True, encoding="unicode")
        except (ValueError, etree.XMLSyntaxError):
            text = None
    if text is None:
        text = data[: VIEW_LIMIT * 4].decode("utf-8", errors="replace")
    return text[:VIEW_LIMIT], len(text) > VIEW_LIMIT or len(data) > 4 * VIEW_LIMIT
