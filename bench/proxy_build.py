#!/usr/bin/env python
"""Benchmark of the proxy configuration build (issue 7), from a real PostgreSQL register.

    python bench/proxy_build.py --services 100,1000,10000 [--runs 3] [--no-incremental]

For each N a fresh database (copied from a migrated template) is filled with N approved
services (4 of 5 SAML, 1 of 5 OIDC) of service providers whose membership is in force, made
with bulk_create. Each SAML service has two ACS endpoints, a signing and an encryption
certificate (unique 2048-bit certificates from a pool generated once and cached on disk),
mdui names and descriptions in fi/sv/en, five requested attributes with purposes; each
provider has two contacts. Then, in a separate process (so peak RSS is that of the build):

- full build: `snapshot_build` from cold caches (no fragments or entity documents in the
  database or in memory), median of `--runs`; its recorded stage timings, total, output
  bytes, SQL queries, peak RSS;
- floor: plain lxml builds the identical aggregate from in-memory inputs, signxml signs it
  with the same key and algorithm, lxml serialises it (median of `--runs`); ratio total/floor;
- incremental (largest N): one service changed through `members.services.service_change`
  (auto-approved description change), then rebuild + publish timed (median of `--runs`).

Databases: `BENCH_DATABASE_SERVER` (default postgres://postgres@127.0.0.1:5432) and
`BENCH_DATABASE_NAME` (default trustnet_bench; the template is `<name>_template`).
Work files (signing key, certificate pool, media) go to `BENCH_WORK` (default /tmp/trustnet-bench).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "trustnet_bench")
TEMPLATE = f"{DB_NAME}_template"
WORK = Path(os.environ.get("BENCH_WORK", "/tmp/trustnet-bench"))  # noqa: S108  (a benchmark's scratch files)
ENVIRONMENT = "production"
CERT_POOL_SIZE = 256
SAML_SHARE = 4  # of every 5 services


def child_env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trustnet.settings",
        "DATABASE_URL": f"{SERVER}/{database}",
        "MEDIA_ROOT": str(WORK / "media"),
        "PROXY_SIGNING_KEY_FILE": str(WORK / "signing-key.pem"),
        "PROXY_SIGNING_CERT_FILE": str(WORK / "signing-cert.pem"),
        "PROXY_BUILD_ON_CHANGE": "false",
        "EMAIL_URL": "dummymail://",
        "CELERY_BROKER_URL": "",
        "DEBUG": "false",
        "PYTHONPATH": str(ROOT),
    }


def run_child(database: str, *args: str) -> dict:
    result = subprocess.run(  # noqa: S603  (this script, with our own arguments)
        [sys.executable, __file__, "--child", *args],
        env=child_env(database),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"child {args} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def admin_sql(*statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    connection.close()


def prepare_template() -> None:
    admin_sql(
        f'DROP DATABASE IF EXISTS "{DB_NAME}"', f'DROP DATABASE IF EXISTS "{TEMPLATE}"', f'CREATE DATABASE "{TEMPLATE}"'
    )
    env = child_env(TEMPLATE)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "proxy_signing_key", "--if-missing"], env=env, cwd=ROOT, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def fresh_database() -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}"', f'CREATE DATABASE "{DB_NAME}" TEMPLATE "{TEMPLATE}"')


# ------------------------------------------------------------------------------ children


def _setup() -> None:
    import django

    django.setup()


def cert_pool() -> list[tuple[str, datetime.datetime]]:
    """CERT_POOL_SIZE unique self-signed RSA-2048 certificates (own key each), made once."""
    path = WORK / f"cert-pool-{CERT_POOL_SIZE}.json"
    if path.exists():
        return [(pem, datetime.datetime.fromisoformat(end)) for pem, end in json.loads(path.read_text())]
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    pool = []
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    for n in range(CERT_POOL_SIZE):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"sp{n}.palvelu.example.fi")])
        end = start + datetime.timedelta(days=3650)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .sign(key, hashes.SHA256())
        )  # fmt: skip
        pool.append((cert.public_bytes(serialization.Encoding.PEM).decode(), end))
    path.write_text(json.dumps([(pem, end.isoformat()) for pem, end in pool]))
    return pool


def business_id(n: int) -> str:
    """A valid Finnish business ID (Y-tunnus) for a number; numbers whose check digit would be
    invalid are shifted."""
    while True:
        digits = f"{2000000 + n:07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
        n += 500000


ATTRIBUTES_REQUESTED = [
    {"key": "uid", "purpose": "Käyttäjän tunnistaminen palvelussa"},
    {"key": "givenName", "purpose": "Nimi näytetään opettajalle"},
    {"key": "surname", "purpose": "Nimi näytetään opettajalle"},
    {"key": "schoolCode", "purpose": "Oppilaitoksen lisenssien tarkistus"},
    {"key": "role", "purpose": "Oppilaan ja opettajan näkymät"},
]


def fill(n_services: int) -> dict:
    """N approved services of providers in force, in bulk. Returns counts and the time taken."""
    started = time.perf_counter()
    _setup()
    from django.db import connection, transaction

    from contracts.models import AgreementVersion, Membership
    from members.models import Contact, LoginSource, Organisation, School, Service, ServiceVersion
    from members.secrets import client_id_generate, secret_encrypt

    pool = cert_pool()
    pool_seconds = time.perf_counter() - started
    now = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.UTC)
    since = datetime.date(2020, 1, 1)
    n_providers = max(1, n_services // 10)
    with transaction.atomic():
        agreement = AgreementVersion.objects.create(
            number=1, label="Jäsensopimus 2020", text_fi="Sopimusteksti.", text_sv="Avtalstext.",
            effective_on=since, state=AgreementVersion.State.PUBLISHED, published_at=now,
        )  # fmt: skip
        providers = Organisation.objects.bulk_create(
            Organisation(
                name_fi=f"Oppimateriaali {p} Oy", name_sv=f"Läromedel {p} Ab", name_en=f"Learning Materials {p} Ltd",
                business_id=business_id(p), kind="company", is_service_provider=True,
                street_address=f"Mannerheimintie {p % 200 + 1}", postal_code="00100", city="Helsinki",
            )
            for p in range(n_providers)
        )  # fmt: skip
        homes = Organisation.objects.bulk_create(
            Organisation(
                name_fi=f"Kunta {h}", name_sv=f"Kommun {h}", name_en=f"Municipality {h}",
                business_id=business_id(900000 + h), oid=f"1.2.246.562.10.{10000000000 + h}",
                kind="municipality", is_home_organisation=True,
            )
            for h in range(20)
        )  # fmt: skip
        Membership.objects.bulk_create(
            [
                Membership(organisation=o, role="service_provider", version=agreement, in_force_from=since)
                for o in providers
            ]
            + [
                Membership(organisation=o, role="home_organisation", version=agreement, in_force_from=since)
                for o in homes
            ]
        )
        Contact.objects.bulk_create(
            contact
            for p, o in enumerate(providers)
            for contact in (
                Contact(organisation=o, kind="technical", name=f"Tekninen tuki {p}", email=f"tuki@sp{p}.example.fi",
                        phone="+358 9 123 4567"),
                Contact(organisation=o, kind="security", name=f"Tietoturva {p}", email=f"cert@sp{p}.example.fi"),
            )
        )  # fmt: skip
        schools = School.objects.bulk_create(
            School(organisation=o, code=f"{10000 + h * 5 + s:05d}", name=f"Koulu {h}-{s}", school_type="basic")
            for h, o in enumerate(homes)
            for s in range(5)
        )
        sources = LoginSource.objects.bulk_create(
            LoginSource(organisation=o, kind="wilma", name=f"Wilma {h}", hostnames=[f"wilma{h}.example.fi"])
            for h, o in enumerate(homes)
        )
        through = LoginSource.schools.through
        through.objects.bulk_create(
            through(loginsource_id=source.pk, school_id=school.pk)
            for h, source in enumerate(sources)
            for school in schools[h * 5 : h * 5 + 5]
        )
        services = Service.objects.bulk_create(
            (
                Service(provider=providers[i % n_providers], environment=ENVIRONMENT, protocol="saml",
                        entity_id=f"https://palvelu{i}.sp{i % n_providers}.example.fi/saml/metadata")
                if i % 5 < SAML_SHARE
                else Service(provider=providers[i % n_providers], environment=ENVIRONMENT, protocol="oidc",
                             client_id=client_id_generate(), client_secret_encrypted=secret_encrypt(f"secret-{i}"))
            )
            for i in range(n_services)
        )  # fmt: skip
        versions = []
        for i, service in enumerate(services):
            host = f"palvelu{i}.sp{i % n_providers}.example.fi"
            common = {
                "service": service, "status": "approved", "submitted_at": now, "reviewed_at": now,
                "name_fi": f"Oppimateriaali {i}", "name_sv": f"Läromedel {i}", "name_en": f"Learning material {i}",
                "description_fi": f"Digitaalinen oppimateriaali {i} perusopetukseen.",
                "description_sv": f"Digitalt läromedel {i} för den grundläggande utbildningen.",
                "description_en": f"Digital learning material {i} for basic education.",
                "logo_url": f"https://{host}/logo.png", "logo_width": 120, "logo_height": 60,
                "information_url": f"https://{host}/tietoa",
                "privacy_url": f"https://{host}/tietosuoja", "requested_attributes": ATTRIBUTES_REQUESTED,
            }  # fmt: skip
            if service.protocol == "saml":
                signing, signing_end = pool[(2 * i) % CERT_POOL_SIZE]
                encryption, encryption_end = pool[(2 * i + 1) % CERT_POOL_SIZE]
                versions.append(ServiceVersion(
                    **common,
                    acs_endpoints=[
                        {"binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                         "location": f"https://{host}/saml/acs", "index": 0, "is_default": True},
                        {"binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                         "location": f"https://{host}/saml/acs2", "index": 1, "is_default": False},
                    ],
                    signing_certificates=[signing], signing_certificate_expires_at=signing_end,
                    want_assertions_signed=True,  # production needs it (DESIGN section 2)
                    encryption_certificates=[encryption], encryption_certificate_expires_at=encryption_end,
                    name_id_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                    scope="",  # as members.services.version_clean stores a SAML version
                ))  # fmt: skip
            else:
                versions.append(ServiceVersion(
                    **common, redirect_uris=[f"https://{host}/oidc/callback", f"https://{host}/oidc/callback2"],
                    auth_method="client_secret_basic", pkce_required=True,
                    grant_types=["authorization_code"], response_types=["code"],
                ))  # fmt: skip
        ServiceVersion.objects.bulk_create(versions, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE members_service s SET live_version_id = v.id FROM members_serviceversion v"
                " WHERE v.service_id = s.id AND v.status = 'approved'"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "services": n_services,
        "saml": sum(1 for s in services if s.protocol == "saml"),
        "providers": n_providers,
        "cert_pool": CERT_POOL_SIZE,
        "cert_pool_seconds": round(pool_seconds, 2),
        "fill_seconds": round(time.perf_counter() - started, 2),
    }


def _reset_caches() -> None:
    """Cold state for a full build: no snapshot, no cached fragment or entity document."""
    import shutil

    from django.conf import settings

    from proxy import build
    from proxy.models import EntityDocument, Fragment, Publication, Snapshot

    Publication.objects.all().delete()
    Snapshot.objects.all().delete()
    Fragment.objects.all().delete()
    EntityDocument.objects.all().delete()
    build.forget_memory()
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "proxy", ignore_errors=True)


def _reset_peak_rss() -> None:
    """Start a new high-water mark (Linux: writing 5 to clear_refs resets VmHWM), so the build's
    peak is not mixed up with the MDQ task's, which a worker runs after it in production."""
    Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float:
    """The resident-set high-water mark since the last `_reset_peak_rss` (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _floor(runs: int) -> dict:
    """Plain lxml: build the same aggregate from in-memory inputs, sign with signxml (same key,
    RSA-SHA256, SHA-256, exclusive c14n), serialise."""
    from django.conf import settings
    from django.utils import timezone
    from lxml import etree

    from proxy import metadata_xml, signing
    from proxy.register import collect_inputs

    inputs = collect_inputs(environment=ENVIRONMENT, on=timezone.localdate())
    saml = sorted((s for s in inputs.services if s.protocol == "saml"), key=lambda s: s.entity_id)
    material = signing.signing_material()
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        now = timezone.now()
        root = etree.Element(
            f"{{{metadata_xml.MD}}}EntitiesDescriptor",
            {"ID": "_floor", "Name": settings.PROXY_METADATA_NAME,
             "validUntil": metadata_xml.format_instant(now + settings.PROXY_VALIDITY),
             "cacheDuration": settings.PROXY_CACHE_DURATION},
            nsmap=metadata_xml.NSMAP,
        )  # fmt: skip
        etree.SubElement(root, f"{{{metadata_xml.DS}}}Signature", Id="placeholder")
        extensions = etree.SubElement(root, f"{{{metadata_xml.MD}}}Extensions")
        etree.SubElement(
            extensions, f"{{{metadata_xml.MDRPI}}}PublicationInfo", publisher=settings.PROXY_PUBLISHER,
            creationInstant=metadata_xml.format_instant(now),
        )  # fmt: skip
        for service in saml:
            root.append(
                metadata_xml.entity_element(service, registration_authority=settings.PROXY_REGISTRATION_AUTHORITY)
            )
        size = len(signing.sign(root, material))
        times.append(time.perf_counter() - started)
        del root
    return {"floor": statistics.median(times), "floor_runs": times, "floor_bytes": size}


@contextlib.contextmanager
def _profiled(name: str, wanted: bool) -> Iterator[None]:
    """With BENCH_PROFILE=<folder>: a pyinstrument profile (text) of this build (timings then
    include the profiler's overhead, so profile runs are for reading, not for figures)."""
    folder = os.environ.get("BENCH_PROFILE")
    if not (folder and wanted):
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        path = Path(folder) / f"profile-{name}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))


@contextlib.contextmanager
def _entity_documents_deferred() -> Iterator[list[dict]]:
    """Hold back the MDQ signing task a publication schedules (a worker runs it after the build,
    which does not wait for it), so the build is timed alone; `_entity_documents` runs it."""
    from proxy import tasks

    scheduled: list[dict] = []
    real = tasks.proxy_entity_documents.delay_on_commit
    tasks.proxy_entity_documents.delay_on_commit = lambda **kwargs: scheduled.append(kwargs)
    try:
        yield scheduled
    finally:
        tasks.proxy_entity_documents.delay_on_commit = real


def _entity_documents(scheduled: list[dict]) -> dict:
    """Run the held-back MDQ task(s) as the worker would; its time and counts."""
    from proxy import tasks

    started = time.perf_counter()
    results = [tasks.proxy_entity_documents(**kwargs) for kwargs in scheduled]
    scheduled.clear()
    if any(r.get("errors") for r in results):
        raise SystemExit(f"MDQ documents failed: {results}")
    return {"seconds": time.perf_counter() - started, "signed": sum(r.get("signed", 0) for r in results)}


def measure(n_services: int, runs: int, incremental: bool) -> dict:
    _setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.models import Service
    from members.services import service_change
    from proxy.models import Snapshot
    from proxy.services import snapshot_build

    full = []
    for run in range(runs):
        _reset_caches()
        with _entity_documents_deferred() as scheduled:
            _reset_peak_rss()
            with CaptureQueriesContext(connection) as queries, _profiled("full", run == runs - 1):
                started = time.perf_counter()
                snapshot = snapshot_build(environment=ENVIRONMENT, trigger="benchmark: full build", force=True)
                total = time.perf_counter() - started
            build_peak = _peak_rss_mb()
            if snapshot.status != Snapshot.Status.VALID:
                raise SystemExit(f"build failed: {snapshot.errors[:5]}")
            _reset_peak_rss()
            mdq = _entity_documents(scheduled)
            mdq["peak_rss_mb"] = _peak_rss_mb()
        full.append(
            {"total": total, "timings": snapshot.report["timings"], "queries": len(queries),
             "bytes": snapshot.files["metadata.xml"]["size"], "entities": snapshot.entity_count, "mdq": mdq,
             "peak_rss_mb": build_peak}
        )  # fmt: skip
    result = {
        "n": n_services,
        "runs": full,
        "total": statistics.median(r["total"] for r in full),
        "stages": {stage: statistics.median(r["timings"].get(stage, 0) for r in full) for stage in full[0]["timings"]},
        "queries": sorted({r["queries"] for r in full}),
        "bytes": full[-1]["bytes"],
        "entities": full[-1]["entities"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in full),
        "mdq_peak_rss_mb": max(r["mdq"]["peak_rss_mb"] for r in full),
        "mdq": statistics.median(r["mdq"]["seconds"] for r in full),
        "mdq_signed": full[-1]["mdq"]["signed"],
    }
    if incremental:
        changes = []
        saml = Service.objects.filter(environment=ENVIRONMENT, protocol="saml").order_by("id")
        for n, service in enumerate(saml[: max(runs, 3)]):
            service_change(service=service, by=None, data={"description_en": f"Updated description {n}."})
            with _entity_documents_deferred() as scheduled:
                with CaptureQueriesContext(connection) as queries, _profiled("incremental", n == 2):
                    started = time.perf_counter()
                    snapshot = snapshot_build(environment=ENVIRONMENT, trigger="benchmark: one service changed")
                    total = time.perf_counter() - started
                if snapshot.status != Snapshot.Status.VALID or snapshot.report.get("new_fragments") != 1:
                    raise SystemExit(f"incremental build unexpected: {snapshot.status} {snapshot.report}")
                mdq = _entity_documents(scheduled)
            if mdq["signed"] != 1:
                raise SystemExit(f"incremental build re-signed {mdq['signed']} MDQ documents, not 1")
            changes.append(
                {"total": total, "timings": snapshot.report["timings"], "queries": len(queries), "mdq": mdq["seconds"]}
            )
        result["incremental"] = {
            "total": statistics.median(c["total"] for c in changes),
            "stages": {s: statistics.median(c["timings"][s] for c in changes) for s in changes[0]["timings"]},
            "queries": sorted({c["queries"] for c in changes}),
            "runs": [c["total"] for c in changes],
            "mdq": statistics.median(c["mdq"] for c in changes),
        }
    result.update(_floor(runs))
    return result


def http_setup() -> dict:
    """For bench/http.sh: a published snapshot, a staff user with MFA and a logged-in session."""
    _setup()
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from proxy.services import snapshot_build

    snapshot = snapshot_build(environment=ENVIRONMENT, trigger="benchmark: http")
    user = User.objects.create_user(email="bench-operator@example.fi", password=None, is_staff=True)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {
        "etag": f'"{snapshot.files["metadata.xml"]["sha256"]}"',
        "bytes": snapshot.files["metadata.xml"]["size"],
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
    }


def snapshot_count() -> dict:
    _setup()
    from proxy.models import Snapshot

    return {"snapshots": Snapshot.objects.count()}


def http_prepare(n_services: int) -> None:
    """Print shell assignments for bench/http.sh: a fresh database with N services, built."""
    prepare_template()
    fresh_database()
    run_child(DB_NAME, "fill", str(n_services))
    setup = run_child(DB_NAME, "http-setup", "0")
    for name, value in {**child_env(DB_NAME), "ETAG": setup["etag"], "COOKIE": setup["cookie"],
                        "METADATA_BYTES": str(setup["bytes"])}.items():  # fmt: skip
        if name in os.environ and os.environ[name] == value:
            continue
        print(f"export {name}={shlex.quote(value)}")


# ------------------------------------------------------------------------------ report


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "?",
    )
    memory_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    return f"{os.cpu_count()} × {cpu}, {memory_kb / 1024 / 1024:.1f} GiB RAM, Python {sys.version.split()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--http-prepare", type=int, metavar="N", help="for bench/http.sh")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.http_prepare:
        WORK.mkdir(parents=True, exist_ok=True)
        http_prepare(args.http_prepare)
        return

    if args.child:
        kind, n = args.child[0], int(args.child[1])
        if kind == "fill":
            out = fill(n)
        elif kind == "http-setup":
            out = http_setup()
        elif kind == "snapshot-count":
            out = snapshot_count()
        else:
            out = measure(n, args.runs, kind == "measure-incremental")
        print(json.dumps(out))
        return

    sizes = [int(n) for n in args.services.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"database: {SERVER}/{DB_NAME} (fresh copy of a migrated template for each N)")
    prepare_template()
    results = []
    for n in sizes:
        fresh_database()
        filled = run_child(DB_NAME, "fill", str(n))
        print(
            f"N={n}: filled {filled['services']} services ({filled['saml']} SAML) of {filled['providers']} providers "
            f"in {filled['fill_seconds']} s; certificates from a pool of {filled['cert_pool']} unique RSA-2048 "
            f"certificates generated once and reused ({filled['cert_pool_seconds']} s to load or make)",
            flush=True,
        )
        kind = "measure-incremental" if n == max(sizes) and not args.no_incremental else "measure"
        results.append(run_child(DB_NAME, kind, str(n), "--runs", str(args.runs)) | {"fill": filled})
    admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}"')

    stages = ["read_inputs", "render", "sign", "validate", "store"]
    print()
    print(
        f"Full build from cold caches, median of {args.runs} runs (seconds); "
        "floor = lxml build + signxml sign + serialise"
    )
    header = ["N", "entities", *stages, "total", "floor", "ratio", "MB out", "queries", "peak RSS MB"]
    rows = [
        [str(r["n"]), str(r["entities"]), *(f"{r['stages'].get(s, 0):.2f}" for s in stages), f"{r['total']:.2f}",
         f"{r['floor']:.2f}", f"{r['total'] / r['floor']:.2f}", f"{r['bytes'] / 1e6:.1f}",
         "/".join(map(str, r["queries"])), f"{r['peak_rss_mb']:.0f}"]
        for r in results
    ]  # fmt: skip
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print(" | ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    for r in results:
        print(
            f"N={r['n']}: then the worker signs, verifies and stores the {r['mdq_signed']} MDQ entity "
            f"documents in {r['mdq']:.2f} s, peak RSS {r['mdq_peak_rss_mb']:.0f} MB (after the build; not part "
            "of its total or its peak)"
        )
    for r in results:
        if "incremental" in r:
            inc = r["incremental"]
            parts = ", ".join(f"{s} {v:.3f}" for s, v in inc["stages"].items())
            print(
                f"\nIncremental, N={r['n']}: one service changed through members.services.service_change, "
                f"rebuild + publish median {inc['total']:.3f} s ({parts}); queries {inc['queries']}; "
                f"runs {[round(t, 3) for t in inc['runs']]}; then the worker re-signs one MDQ document "
                f"in {inc['mdq']:.3f} s"
            )
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
