"""The build pipeline in separable stages: read inputs, render, sign, validate, store.

Each stage is a plain function so a benchmark can time it alone; `services.snapshot_build`
runs them in order under the builder lock. Query count of a build does not depend on the
number of services: fragments and entity documents are read and written in bulk.
"""

from __future__ import annotations

import dataclasses
import datetime
import gzip
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string
from lxml import etree

from proxy import discovery, metadata_xml, oidc_clients, release_rules, signing, validation
from proxy.inputs import ProxyInputs, Service, fingerprint
from proxy.models import EntityDocument, Fragment, Snapshot

OUTPUT_NAMES = (
    "metadata.xml", "attribute-filter.xml", "satosa-attribute-policy.yaml", "config.json", "index.json",
    # What the login page lists (public, like metadata.xml; issue 14).
    "discovery.json",
    # Only while the environment has a proxy key registered (`oidc_clients`); withheld otherwise.
    "oidc-clients.json",
)  # fmt: skip


def read_inputs(
    *, environment: str, on: datetime.date, collect: Callable[..., ProxyInputs] | None = None
) -> ProxyInputs:
    """Stage 1: the register's approved, in-force content (the `PROXY_COLLECT_INPUTS` seam,
    unless `collect` is given)."""
    inputs = (collect or import_string(settings.PROXY_COLLECT_INPUTS))(environment=environment, on=on)
    if inputs.environment != environment:
        raise ValueError(f"collect_inputs returned inputs for {inputs.environment!r}, not {environment!r}")
    # Only this environment's services, even if the seam returned more.
    return ProxyInputs(
        environment=environment,
        on=inputs.on,
        services=tuple(s for s in inputs.services if s.environment == environment),
        home_organisations=inputs.home_organisations,
    )


class UnrenderableServices(ValueError):
    """Some services' inputs cannot be written into the proxy's files (legacy data from before the
    register's URI checks, say). Names each such service and its provider, so the staff alert says
    which service to correct or withdraw (issue 15, item 3) instead of an anonymous lxml error."""

    def __init__(self, problems: list[tuple[Service, str]]) -> None:
        self.services = [service for service, _ in problems]
        self.problems = [f"{describe_service(service)}: {problem}" for service, problem in problems]
        super().__init__("; ".join(self.problems))


def describe_service(service: Service) -> str:
    """A service as staff recognise it: name, provider, protocol and entityID or client_id.

    The identifier is shown with `ascii()`, so an invisible or control character in it is visible.
    """
    name = service.name.fi or service.name.sv or service.name.en or service.key
    provider = service.organisation_name.fi or service.organisation_name.sv or service.organisation_name.en
    identifier = "entityID" if service.protocol == "saml" else "client_id"
    return f"service {name} of {provider} ({identifier} {service.requester!a})"


# What XML 1.0 cannot contain (its Char production): lxml refuses to write any of these.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# The same in UTF-8 output: C0 controls other than tab, newline and return; U+FFFE and U+FFFF.
_NOT_XML_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _xml_problem(value: object, path: str = "") -> str | None:
    """Where in a (frozen dataclass) input value a character XML cannot hold is, or None."""
    if isinstance(value, str):
        found = _NOT_XML.search(value)
        if found is None:
            return None
        return f"{path or 'value'} contains the character {found.group()!a}, which XML cannot hold"
    if isinstance(value, tuple):
        return next((p for item in value if (p := _xml_problem(item, path))), None)
    if dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            problem = _xml_problem(getattr(value, item.name), item.name if not path else f"{path}.{item.name}")
            if problem:
                return problem
    return None


def unrenderable_services(inputs: ProxyInputs) -> list[tuple[Service, str]]:
    """Each service whose inputs hold a character the XML outputs cannot contain, with where."""
    return [(service, problem) for service in inputs.services if (problem := _xml_problem(service))]


@dataclass
class Rendered:
    saml_services: list[Service]
    fragment_keys: list[str]
    fragments: list[bytes]
    attribute_filter: bytes
    satosa_policy: bytes
    config: bytes
    content_hash: str
    # oidc-clients.json with each secret as a digest (the JWEs are made when it is stored).
    oidc_clients_plan: bytes = b""
    service_fingerprints: dict[str, str] = field(default_factory=dict)
    new_fragments: int = 0
    fragment_errors: list[str] = field(default_factory=list)
    discovery: bytes = b""


def profile() -> dict:
    """The metadata profile settings that are part of the content."""
    return {
        "name": settings.PROXY_METADATA_NAME,
        "publisher": settings.PROXY_PUBLISHER,
        "registration_authority": settings.PROXY_REGISTRATION_AUTHORITY,
        "cache_duration": settings.PROXY_CACHE_DURATION,
        "validity": settings.PROXY_VALIDITY.total_seconds(),
    }


# Rendered fragments kept in this process between builds: key → (canonical xml, schema errors).
# A key is a hash of the entity's inputs, so an entry can never be stale; only its size is bounded.
_fragment_memory: OrderedDict[str, tuple[bytes, list[str]]] = OrderedDict()
_fragment_memory_bytes = 0


def _remember(key: str, xml: bytes, errors: list[str]) -> tuple[bytes, list[str]]:
    global _fragment_memory_bytes
    entry = (xml, errors)
    if key not in _fragment_memory:
        _fragment_memory[key] = entry
        _fragment_memory_bytes += len(xml)
        while _fragment_memory_bytes > settings.PROXY_FRAGMENT_MEMORY_BYTES and _fragment_memory:
            _, (old, _) = _fragment_memory.popitem(last=False)
            _fragment_memory_bytes -= len(old)
    return entry


def forget_fragments() -> None:
    """Empty this process's fragment memory (tests; the database cache stays)."""
    global _fragment_memory_bytes
    _fragment_memory.clear()
    _fragment_memory_bytes = 0


def forget_memory() -> None:
    """Empty everything this process keeps between builds (a cold build, e.g. for a benchmark)."""
    global _fingerprint_memory, _index_chunks
    from proxy import register

    forget_fragments()
    _fingerprint_memory, _index_chunks = {}, {}
    release_rules.forget_chunks()
    oidc_clients.forget_jwes()
    register.forget_services()


# Fingerprints of the service values of the last build, by identity: the register hands over the
# same (immutable) `Service` objects while their rows are unchanged, and fingerprinting 10,000
# services again was a second of every one-service change. Each entry holds its object, so an id
# cannot be reused by another object while it is remembered.
_fingerprint_memory: dict[int, tuple[Service, str]] = {}


def _fingerprints(services: tuple[Service, ...]) -> dict[str, str]:
    global _fingerprint_memory
    memory: dict[int, tuple[Service, str]] = {}
    for service in services:
        entry = _fingerprint_memory.get(id(service))
        if entry is None or entry[0] is not service:
            entry = (service, fingerprint(service))
        memory[id(service)] = entry
    _fingerprint_memory = memory
    return {service.requester: memory[id(service)][1] for service in services}


# Bumped in the cache by each prune that deleted fragments: a process whose memory may hold a
# fragment whose row was pruned must forget its memory, or a build would reuse that fragment
# without storing it again and the MDQ endpoint (another process) would not find its row.
PRUNE_GENERATION_KEY = "proxy:fragments-pruned"
_seen_prune_generation: object = None


def _forget_pruned_fragments() -> None:
    global _seen_prune_generation
    generation = cache.get(PRUNE_GENERATION_KEY)
    if generation != _seen_prune_generation:
        forget_fragments()
        _seen_prune_generation = generation


def render(inputs: ProxyInputs, *, proxy_key_fingerprint: str = "") -> Rendered:
    """Stage 2: entity fragments (reused from the cache when their inputs are unchanged) and
    the release rules. At most two queries whatever the number of services.

    `proxy_key_fingerprint`: the key the OIDC client register is encrypted to ("" = none, the
    register is withheld); part of the content, so registering a key makes a new snapshot."""
    _forget_pruned_fragments()
    authority = settings.PROXY_REGISTRATION_AUTHORITY
    service_fingerprints = _fingerprints(inputs.services)
    saml = sorted((s for s in inputs.services if s.protocol == "saml"), key=lambda s: s.entity_id)
    keys = [
        metadata_xml.entity_fingerprint(
            s, registration_authority=authority, service_fingerprint=service_fingerprints[s.requester]
        )
        for s in saml
    ]
    # Fragments come from this process's memory, else one query for the missing ones, else are
    # rendered (and schema-validated on their own, so a build validates only what changed).
    missing = [key for key in keys if key not in _fragment_memory]
    if missing:
        for key, xml, errors in Fragment.objects.filter(key__in=missing).values_list("key", "xml", "errors"):
            _remember(key, bytes(xml), errors)
    new: dict[str, Fragment] = {}
    fragments = []
    fragment_errors: list[str] = []
    unrenderable: list[tuple[Service, str]] = []
    for service, key in zip(saml, keys, strict=True):
        found = _fragment_memory.get(key)
        if found is None:
            try:
                xml = metadata_xml.entity_fragment(service, registration_authority=authority)
            except ValueError as error:
                # Go on, so the failure names every broken service, not only the first.
                unrenderable.append((service, _xml_problem(service) or f"{type(error).__name__}: {error}"))
                continue
            parsed = etree.fromstring(xml, metadata_xml.PARSER)
            errors = validation.xsd_errors(parsed)
            # The aggregate's signature gate relies on each fragment being canonical (see
            # signing.verify_by_parts): c14n of its parse must give the same bytes.
            if metadata_xml.c14n(parsed) != xml:
                errors = [*errors, "the fragment is not in exclusive canonical form"]
            new[key] = Fragment(key=key, xml=xml, errors=errors)
            found = _remember(key, xml, errors)
        fragments.append(found[0])
        fragment_errors += [f"metadata.xml: entity {service.entity_id}: {error}" for error in found[1]]
    if unrenderable:
        raise UnrenderableServices(unrenderable)
    if new:
        Fragment.objects.bulk_create(new.values(), ignore_conflicts=True)

    try:
        attribute_filter = release_rules.attribute_filter_xml(inputs)
        satosa_policy = release_rules.satosa_policy_yaml(inputs)
        config = release_rules.config_json(inputs)
        discovery_document = discovery.discovery_json(inputs)
        oidc_plan = oidc_clients.client_register(inputs, key_fingerprint=proxy_key_fingerprint)
    except ValueError as error:
        # The release rules are written for all services at once; look for the ones to blame
        # only now, so a good build never pays for the search.
        culprits = unrenderable_services(inputs)
        if culprits:
            raise UnrenderableServices(culprits) from error
        raise
    # The attribute filter and the SATOSA policy are written as text (release_rules), so nothing
    # stops a control character reaching them: the proxy would then fail to parse the file.
    if _NOT_XML_BYTES.search(attribute_filter) or _NOT_XML_BYTES.search(satosa_policy):
        culprits = unrenderable_services(inputs)
        if culprits:
            raise UnrenderableServices(culprits)
        raise ValueError("the attribute filter or the SATOSA policy holds a character XML cannot hold")
    digest = hashlib.sha256()
    digest.update(json.dumps(profile(), sort_keys=True).encode())
    for part in (*keys, attribute_filter, satosa_policy, config, oidc_plan, discovery_document):
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return Rendered(
        saml_services=saml,
        fragment_keys=keys,
        fragments=fragments,
        attribute_filter=attribute_filter,
        satosa_policy=satosa_policy,
        config=config,
        content_hash=digest.hexdigest(),
        oidc_clients_plan=oidc_plan,
        service_fingerprints=service_fingerprints,
        new_fragments=len(new),
        fragment_errors=fragment_errors,
        discovery=discovery_document,
    )


@dataclass
class Signed:
    metadata: bytes
    document: metadata_xml.CanonicalDocument
    signature: bytes
    document_id: str
    signed_at: datetime.datetime
    valid_until: datetime.datetime
    cert_fingerprint: str


def _entity_source(fragment_key: str, cert_fingerprint: str) -> str:
    return hashlib.sha256(f"{fragment_key}:{cert_fingerprint}".encode()).hexdigest()


def sign(rendered: Rendered, *, now: datetime.datetime) -> Signed:
    """Stage 3: sign the aggregate (once, over the cached canonical fragments).

    Per-entity MDQ documents are not signed here: with 10,000 entities that was most of a full
    build. A worker signs them after the snapshot is published (`sign_entity_documents`) and
    keeps each while it has more than half its validity left."""
    material = signing.signing_material()
    valid_until = now + settings.PROXY_VALIDITY
    document_id = metadata_xml.document_id(rendered.content_hash, now)
    aggregate = metadata_xml.aggregate_canonical(
        fragments=rendered.fragments,
        name=settings.PROXY_METADATA_NAME,
        document_id=document_id,
        valid_until=valid_until,
        cache_duration=settings.PROXY_CACHE_DURATION,
        publisher=settings.PROXY_PUBLISHER,
        creation_instant=now,
    )
    signature = signing.signature_for(aggregate, material)
    return Signed(
        metadata=signing.serialise(aggregate, signature),
        document=aggregate,
        signature=signature,
        document_id=document_id,
        signed_at=now,
        valid_until=valid_until,
        cert_fingerprint=material.cert_fingerprint,
    )


class EntityDocumentInvalid(Exception):
    """A freshly signed MDQ document failed its checks (it is neither stored nor served)."""


def entity_source(fragment_key: str, cert_fingerprint: str) -> str:
    """What an MDQ document is signed from: an entity's fragment and the signing certificate."""
    return _entity_source(fragment_key, cert_fingerprint)


def _sign_entity(
    fragment: bytes, *, fragment_key: str, source: str, material: signing.SigningMaterial, now: datetime.datetime
) -> EntityDocument:
    """Sign one entity's document, then verify and schema-validate it like the aggregate."""
    valid_until = now + settings.PROXY_VALIDITY
    xml = signing.sign_canonical(
        metadata_xml.entity_canonical(
            fragment=fragment,
            document_id=metadata_xml.document_id(source, now),
            valid_until=valid_until,
            cache_duration=settings.PROXY_CACHE_DURATION,
        ),
        material,
    )
    try:
        root = signing.verify_digest_and_value(xml, material.cert)
    except Exception as error:
        raise EntityDocumentInvalid(f"signature verification failed: {error}") from error
    errors = validation.xsd_errors(root)
    if errors:
        raise EntityDocumentInvalid("; ".join(errors[:5]))
    return EntityDocument(
        key=signing.sha256_hex(source.encode() + now.isoformat().encode()),
        source=source,
        fragment_key=fragment_key,
        xml=xml,
        sha256=signing.sha256_hex(xml),
        signed_at=now,
        valid_until=valid_until,
    )


ENTITY_DOCUMENT_BATCH = 500


@dataclass
class EntityDocumentsReport:
    reused: int = 0
    signed: int = 0
    errors: list[str] = field(default_factory=list)


def sign_entity_documents(*, fragment_keys: dict[str, str], now: datetime.datetime) -> EntityDocumentsReport:
    """Make sure every entity (entityID → fragment key) has a stored, verified MDQ document.

    Run by a worker after a snapshot is published (`tasks.proxy_entity_documents`), never in a
    request. A document of the same fragment and signing certificate is reused while it has more
    than half its validity left (DESIGN section 5's re-signing rule, so its ETag stays stable):
    a one-service change signs one document.
    A document failing its checks is not stored (its entity answers 503) and is reported.
    Queries: one, plus two per batch of `ENTITY_DOCUMENT_BATCH` entities to sign.
    """
    material = signing.signing_material()
    validity = settings.PROXY_VALIDITY
    sources = {entity_id: _entity_source(key, material.cert_fingerprint) for entity_id, key in fragment_keys.items()}
    fresh = set(
        EntityDocument.objects.filter(source__in=set(sources.values()), valid_until__gt=now + validity / 2).values_list(
            "source", flat=True
        )
    )
    report = EntityDocumentsReport(reused=sum(1 for source in sources.values() if source in fresh))
    wanted = {entity_id: key for entity_id, key in fragment_keys.items() if sources[entity_id] not in fresh}
    if not wanted:
        return report
    ordered = sorted(wanted.items())
    # In batches, so a worker signing a whole federation holds one batch of documents at a time.
    for start in range(0, len(ordered), ENTITY_DOCUMENT_BATCH):
        batch = ordered[start : start + ENTITY_DOCUMENT_BATCH]
        missing = [key for _, key in batch if key not in _fragment_memory]
        stored = dict(Fragment.objects.filter(key__in=missing).values_list("key", "xml")) if missing else {}
        documents: dict[str, EntityDocument] = {}
        for entity_id, key in batch:
            cached = _fragment_memory.get(key)
            fragment = cached[0] if cached else stored.get(key)
            if fragment is None:
                report.errors.append(f"{entity_id}: fragment {key} is not stored")
                continue
            try:
                document = _sign_entity(
                    bytes(fragment), fragment_key=key, source=sources[entity_id], material=material, now=now
                )
            except EntityDocumentInvalid as error:
                report.errors.append(f"{entity_id}: {error}")
                continue
            documents[document.source] = document
        EntityDocument.objects.bulk_create(documents.values(), ignore_conflicts=True)
        report.signed += len(documents)
    return report


def stored_entity_document(
    *, fragment_key: str, cert_fingerprint: str, now: datetime.datetime
) -> EntityDocument | None:
    """The stored MDQ document of a published entity (None while it is not signed yet).

    Needs no signing key and writes nothing: the document is found by its source (the fragment
    key from the snapshot's index and the snapshot's certificate). Raises `TamperedSnapshot` if
    the stored bytes no longer match the hash recorded when they were signed and verified.
    """
    document = (
        EntityDocument.objects.filter(source=_entity_source(fragment_key, cert_fingerprint), valid_until__gt=now)
        .order_by("-valid_until")
        .first()
    )
    if document is not None and signing.sha256_hex(bytes(document.xml)) != document.sha256:
        raise TamperedSnapshot(f"entity document {document.key} does not match its recorded hash")
    return document


EMPTY_AGGREGATE_ERROR = "Missing child element(s)"


def validate(rendered: Rendered, signed: Signed) -> list[str]:
    """Stage 4: the gates. Signature of the exact bytes to be served, schema, consistency.

    The signature is verified by parts (`signing.verify_by_parts`): the served bytes must be the
    checked canonical fragments inside a canonical envelope, and the digest and value verify
    over them; a 50 MB aggregate is not parsed whole.

    Schema validity of the aggregate is established in parts: each entity fragment was
    validated on its own when it was rendered (the result is cached with it), and here the
    envelope (root, signature, PublicationInfo) is validated with the first entity. The
    metadata schema has no identity constraints across entities, so the parts being valid
    means the whole is; the tests validate whole documents too.
    """
    material = signing.signing_material()
    try:
        signing.verify_by_parts(signed.metadata, material.cert, rendered.fragments)
    except Exception as error:  # any failure to verify is a failed gate
        return [f"metadata.xml: signature verification failed: {error}"]
    aggregate = signed.document
    envelope = signing.serialise(
        metadata_xml.CanonicalDocument(
            document_id=aggregate.document_id, start=aggregate.start, body=aggregate.body[:2], end=aggregate.end
        ),
        signed.signature,
    )
    schema_errors = validation.xsd_errors(etree.fromstring(envelope, metadata_xml.PARSER))
    if not rendered.fragments:
        # The schema wants at least one entity. With none in service (the last provider's
        # membership ended), an empty aggregate is the truth; keeping the previous snapshot in
        # service would go on serving the ended member. Shibboleth and pysaml2 accept it.
        schema_errors = [e for e in schema_errors if not (EMPTY_AGGREGATE_ERROR in e and "EntitiesDescriptor'" in e)]
    errors = [f"metadata.xml: {message}" for message in schema_errors]
    errors += rendered.fragment_errors
    if signed.valid_until - signed.signed_at > datetime.timedelta(days=14):
        errors.append("metadata.xml: validUntil is more than 14 days ahead (Shibboleth's maxValidityInterval)")
    errors += validation.consistency_errors(
        entity_ids=[metadata_xml.fragment_entity_id(fragment) for fragment in rendered.fragments],
        attribute_filter=rendered.attribute_filter,
        satosa_policy=rendered.satosa_policy,
        config=rendered.config,
        expected_entity_ids=[s.entity_id for s in rendered.saml_services],
    )
    errors += validation.discovery_errors(discovery=rendered.discovery, config=rendered.config)
    return errors


# index.json members as JSON text, by (kind, requester, fingerprint or fragment key); only the
# current snapshot's are kept (dumping 10,000 entries again was a fifth of a one-service change).
_index_chunks: dict[tuple[str, str, str], str] = {}


def _member(name: str, value: dict) -> str:
    return json.dumps(name, ensure_ascii=False) + ": " + json.dumps(value, sort_keys=True, ensure_ascii=False)


def index_json(rendered: Rendered, signed: Signed | None, inputs: ProxyInputs) -> bytes:
    """What the MDQ endpoint and the snapshot diff read: entities and per-service release rules.

    The bytes `json.dumps(..., sort_keys=True, ensure_ascii=False)` gives, from cached members.
    """
    global _index_chunks
    chunks: dict[tuple[str, str, str], str] = {}
    entities: dict[str, str] = {}
    if signed is not None:
        # MDQ: each entity's fragment; its signed document is made after publishing (`sign_entity_documents`).
        for service, key in zip(rendered.saml_services, rendered.fragment_keys, strict=True):
            chunk_key = ("entity", service.entity_id, key)
            text = _index_chunks.get(chunk_key) or _member(
                service.entity_id,
                {
                    "sha1": hashlib.sha1(service.entity_id.encode()).hexdigest(),  # noqa: S324  (MDQ's {sha1} form)
                    "fragment": key,
                },
            )
            chunks[chunk_key] = entities[service.entity_id] = text
    services: dict[str, str] = {}
    for service in inputs.services:
        fingerprint_ = rendered.service_fingerprints[service.requester]
        chunk_key = ("service", service.requester, fingerprint_)
        text = _index_chunks.get(chunk_key) or _member(
            service.requester,
            {
                "key": service.key,
                "protocol": service.protocol,
                "name": service.name.en or service.name.fi or service.name.sv,
                "fingerprint": fingerprint_,
                "attributes": sorted(a.key for a in service.attributes),
            },
        )
        chunks[chunk_key] = services[service.requester] = text
    _index_chunks = chunks
    return (
        '{"entities": {'
        + ", ".join(entities[name] for name in sorted(entities))
        + '}, "services": {'
        + ", ".join(services[name] for name in sorted(services))
        + "}}"
    ).encode()


def store(snapshot: Snapshot, outputs: dict[str, bytes]) -> None:
    """Stage 5: write each output once through Django's storage API and record its SHA-256."""
    files = {}
    for name, data in outputs.items():
        path = default_storage.save(f"proxy/{snapshot.environment}/{snapshot.pk}/{name}", ContentFile(data))
        files[name] = {"path": path, "sha256": signing.sha256_hex(data), "size": len(data)}
    snapshot.files = files


class TamperedSnapshot(Exception):
    """A stored file no longer matches the hash recorded when its snapshot was built."""


def read_file(snapshot: Snapshot, name: str) -> bytes:
    """The stored bytes of one output, refused if they were changed after the build."""
    meta = snapshot.files.get(name)
    if meta is None:
        raise FileNotFoundError(name)
    with default_storage.open(meta["path"], "rb") as handle:
        data = handle.read()
    if signing.sha256_hex(data) != meta["sha256"]:
        raise TamperedSnapshot(f"{name} of snapshot {snapshot.pk} does not match its recorded hash")
    return data


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no timestamp), so the gzip representation has a stable ETag too."""
    return gzip.compress(data, compresslevel=6, mtime=0)
