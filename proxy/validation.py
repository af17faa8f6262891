"""Pre-publish gates (DESIGN section 5): XSD validation against the schemas bundled in
`schemas/` (never the network), and consistency checks between the outputs. Signature
verification of the signed bytes is `signing.verify`. Pure: no database access.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from lxml import etree

from proxy import release_rules
from proxy.metadata_xml import MD

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
AFP = "urn:mace:shibboleth:2.0:afp"

# Schemas name their imports by W3C/OASIS URL; map each to the bundled copy.
_LOCAL = {
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
    "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd": "xmldsig-core-schema.xsd",
    "http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd": "xenc-schema.xsd",
}


class _BundledResolver(etree.Resolver):
    def resolve(self, url, pubid, context):
        name = _LOCAL.get(url) or Path(url).name
        path = SCHEMA_DIR / name
        if path.is_file():
            return self.resolve_filename(str(path), context)
        # Anything not bundled is refused rather than fetched.
        return self.resolve_string(b"", context)


@lru_cache(maxsize=1)
def metadata_schema() -> etree.XMLSchema:
    """The compiled metadata schema set (compiled once per process)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_BundledResolver())
    driver = etree.parse(str(SCHEMA_DIR / "trustnet-metadata.xsd"), parser)
    return etree.XMLSchema(driver)


def xsd_errors(root: etree._Element) -> list[str]:
    """Schema errors of a metadata document ([] when valid)."""
    schema = metadata_schema()
    if schema.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log][:50]


def consistency_errors(
    *,
    metadata_root: etree._Element | None = None,
    entity_ids: list[str] | None = None,
    attribute_filter: bytes,
    satosa_policy: bytes,
    config: bytes,
    expected_entity_ids: list[str],
) -> list[str]:
    """Cross-checks: the outputs describe the same services and release the same attributes.

    The metadata's entities are given as its parsed root or as their entityIDs (a build reads
    them from the fragments the aggregate was verified to consist of)."""
    errors: list[str] = []
    if entity_ids is None:
        entity_ids = [element.get("entityID") for element in metadata_root.iterchildren(f"{{{MD}}}EntityDescriptor")]
    if len(entity_ids) != len(set(entity_ids)):
        errors.append("metadata: an entityID appears more than once")
    if sorted(entity_ids) != sorted(expected_entity_ids):
        errors.append("metadata: the entities differ from the approved SAML services")

    data = json.loads(config)
    services = data["services"]
    released = {service["requester"]: sorted(service["attributes"]) for service in services}
    if len(released) != len(services):
        errors.append("config.json: a requester (entityID or client_id) appears more than once")
    saml_requesters = {service["requester"] for service in services if service["protocol"] == "saml"}
    if saml_requesters != set(entity_ids):
        errors.append("config.json: SAML services differ from the metadata")

    # Both release-rule files must be the documents of what config.json releases: compared as
    # bytes with those rendered from config.json's rules (from cached per-rule chunks). Parsing
    # 10,000 rules of XML and YAML took over a second of every build; that the renderings are
    # what lxml and PyYAML give and read back is tested.
    rules = [
        (service["protocol"], service["key"], service["requester"], service["attributes"])
        for service in sorted(services, key=lambda s: (s["protocol"], s["requester"]))
    ]
    if attribute_filter != release_rules.attribute_filter_for(data.get("environment", ""), rules):
        errors.append("attribute-filter.xml: release rules differ from config.json")
    if satosa_policy != release_rules.satosa_policy_for(data.get("environment", ""), released):
        errors.append("satosa-attribute-policy.yaml: release rules differ from config.json")

    service_keys = {service["key"] for service in services}
    for organisation in data["home_organisations"]:
        allowed = organisation["allowed_services"]
        if allowed is not None and not set(allowed) <= service_keys:
            errors.append(f"config.json: home organisation {organisation['key']} allows unknown services")
    return errors


@lru_cache(maxsize=1)
def _discovery_validator():
    import jsonschema

    schema = json.loads((SCHEMA_DIR / "discovery.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def discovery_errors(*, discovery: bytes, config: bytes) -> list[str]:
    """discovery.json against its bundled JSON schema, and against config.json: every source the
    login page lists is one the proxy is configured with, under the same home organisation."""
    data = json.loads(discovery)
    errors = [
        f"discovery.json: {'/'.join(str(part) for part in error.absolute_path) or 'root'}: {error.message}"
        for error in sorted(_discovery_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    ][:20]
    if errors:
        return errors
    configured = {
        (organisation["key"], source["flow_name"])
        for organisation in json.loads(config)["home_organisations"]
        for source in organisation["login_sources"]
    }
    listed = {
        (organisation["key"], source["flow_name"])
        for organisation in data["home_organisations"]
        for source in organisation["login_sources"]
    }
    if not listed <= configured:
        errors.append("discovery.json: it lists login sources config.json does not configure")
    return errors
