"""Snapshots: idempotent builds, re-signing, failures kept, gates, caches, scheduling."""

from __future__ import annotations

import datetime
import json

import psycopg2
import pytest
import time_machine
import yaml
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import Entry
from contracts.signals import membership_changed
from members.signals import register_changed
from proxy import build, validation
from proxy.models import EntityDocument, Fragment, Publication, Snapshot
from proxy.services import BUILDER_LOCK, _builder_lock, snapshot_build
from tests.factories import UserFactory
from tests.proxy.helpers import entity_ids, metadata_of
from tests.proxy.inputs_factory import Register, home_organisation, oidc_service, saml_service

pytestmark = pytest.mark.django_db(transaction=False)

NOON = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)


def test_build_of_small_register_is_valid_and_published(small_register):
    snapshot = snapshot_build(environment="test", trigger="test")
    assert snapshot.errors == []
    assert snapshot.status == Snapshot.Status.VALID
    assert Publication.objects.get(environment="test").snapshot == snapshot
    # No proxy key registered: the OIDC client register is withheld, everything else published.
    assert set(snapshot.files) == set(build.OUTPUT_NAMES) - {"oidc-clients.json"}
    assert snapshot.report["oidc_clients_withheld"] is True
    assert (snapshot.service_count, snapshot.entity_count) == (3, 2)
    assert set(snapshot.report["timings"]) == {"read_inputs", "render", "sign", "validate", "store"}


def test_publishing_is_audited(small_register):
    snapshot = snapshot_build(environment="test", trigger="register: service approved")
    entry = Entry.objects.get(action="proxy.published")
    assert entry.object_id == str(snapshot.pk)
    assert entry.after["metadata_sha256"] == snapshot.files["metadata.xml"]["sha256"]
    assert Entry.objects.filter(action="proxy.snapshot_built").count() == 1


def test_snapshot_records_time_trigger_and_who(small_register):
    user = UserFactory(is_staff=True)
    with time_machine.travel(NOON, tick=False):
        snapshot = snapshot_build(environment="test", trigger="manual rebuild", by=user)
    assert (snapshot.created_at, snapshot.trigger, snapshot.created_by) == (NOON, "manual rebuild", user)


def test_unchanged_content_is_not_rebuilt_so_the_etag_stays_stable(small_register):
    with time_machine.travel(NOON, tick=False):
        first = snapshot_build(environment="test", trigger="a")
    with time_machine.travel(NOON + datetime.timedelta(days=4), tick=False):
        again = snapshot_build(environment="test", trigger="b")
    assert again.pk == first.pk
    assert Snapshot.objects.count() == 1


def test_unchanged_content_is_re_signed_when_less_than_half_the_validity_is_left(small_register):
    with time_machine.travel(NOON, tick=False):
        first = snapshot_build(environment="test", trigger="a")
    with time_machine.travel(NOON + datetime.timedelta(days=5, minutes=1), tick=False):
        again = snapshot_build(environment="test", trigger="scheduled refresh")
    assert again.pk != first.pk and again.status == "valid"
    assert again.content_hash == first.content_hash
    assert again.document_id != first.document_id
    assert Publication.objects.get(environment="test").snapshot == again


def test_changed_content_builds_a_new_snapshot_reusing_unchanged_fragments(register):
    services = [saml_service(n=n) for n in range(1, 6)]
    register("test", *services)
    first = snapshot_build(environment="test", trigger="a")
    assert first.report["new_fragments"] == 5
    services[2] = saml_service(n=3, attributes=("uid",))
    register("test", *services)
    second = snapshot_build(environment="test", trigger="b")
    assert second.pk != first.pk
    assert second.report["new_fragments"] == 1
    assert Fragment.objects.count() == 6
    # MDQ documents are signed by a task after the publication commits, not by the build.
    assert EntityDocument.objects.count() == 0


def test_a_removed_service_disappears_from_every_output(register):
    register("test", saml_service(n=1), saml_service(n=2))
    snapshot_build(environment="test", trigger="a")
    register("test", saml_service(n=1))  # e.g. its provider's membership ended today
    snapshot = snapshot_build(environment="test", trigger="membership ended")
    assert entity_ids(metadata_of(snapshot)) == ["https://sp1.example.fi/saml"]
    for name in ("attribute-filter.xml", "satosa-attribute-policy.yaml", "config.json"):
        assert b"sp2.example.fi" not in build.read_file(snapshot, name)


def test_the_register_is_read_for_the_local_date_of_the_build(register):
    register("test", saml_service(n=1))
    with time_machine.travel(datetime.datetime(2026, 12, 31, 22, 30, tzinfo=datetime.UTC), tick=False):
        snapshot_build(environment="test", trigger="a")
    # 22:30 UTC is already the next day in Helsinki: an end date of 31 December has passed.
    assert Register.calls == [("test", datetime.date(2027, 1, 1))]


def test_a_failing_build_is_kept_staff_are_alerted_and_the_last_good_snapshot_stays(
    register, operator, django_capture_on_commit_callbacks
):
    register("test", saml_service(n=1))
    good = snapshot_build(environment="test", trigger="a")
    register("test", saml_service(n=1), saml_service(n=2, acs_endpoints=()))  # schema-invalid
    with django_capture_on_commit_callbacks(execute=True):
        failed = snapshot_build(environment="test", trigger="b")
    assert failed.status == Snapshot.Status.FAILED
    assert any("AssertionConsumerService" in error for error in failed.errors)
    assert "metadata.xml" in failed.files  # kept for inspection
    assert Publication.objects.get(environment="test").snapshot == good
    assert [m.to for m in mail.outbox] == [[operator.email]]
    assert "failed" in mail.outbox[0].subject
    assert Entry.objects.filter(action="proxy.snapshot_failed").count() == 1


def test_consistency_check_finds_release_rules_that_differ():
    from proxy import metadata_xml, release_rules
    from tests.proxy.inputs_factory import inputs

    data = inputs(saml_service(n=1))
    other = inputs(saml_service(n=1, attributes=("uid", "learnerId")))
    root = metadata_xml.aggregate_unsigned(
        fragments=[metadata_xml.entity_fragment(data.services[0], registration_authority="r")],
        name="n",
        document_id="_x",
        valid_until=NOON,
        cache_duration="PT6H",
        publisher="p",
        creation_instant=NOON,
    )
    errors = validation.consistency_errors(
        metadata_root=root,
        attribute_filter=release_rules.attribute_filter_xml(other),
        satosa_policy=release_rules.satosa_policy_yaml(data),
        config=release_rules.config_json(data),
        expected_entity_ids=["https://sp1.example.fi/saml"],
    )
    assert errors == ["attribute-filter.xml: release rules differ from config.json"]


def test_query_count_of_a_build_does_not_depend_on_the_number_of_services(register):
    def queries(count: int) -> int:
        register("test", *[saml_service(n=n) for n in range(count)])
        with CaptureQueriesContext(connection) as context:
            assert snapshot_build(environment="test", trigger="t").status == "valid"
        return len(context.captured_queries)

    queries(1)  # the first build ever also creates the audit chain head and the publication
    assert queries(2) == queries(40)


def test_outputs_release_exactly_the_approved_attributes(small_register):
    snapshot = snapshot_build(environment="test", trigger="t")
    config = json.loads(build.read_file(snapshot, "config.json"))
    by_requester = {s["requester"]: s for s in config["services"]}
    assert by_requester["https://sp2.example.fi/saml"]["attributes"] == ["givenName", "surname", "uid"]
    oidc = by_requester["client-3"]
    assert oidc["redirect_uris"] == ["https://rp3.example.fi/cb"]
    assert oidc["token_endpoint_auth_method"] == "private_key_jwt"
    assert oidc["released"] == [
        {
            "key": "uid",
            "friendly_name": "mpassUsername",
            "oidc_claim": "sub",
            "required": True,
            "saml_name": "urn:mpass.id:uid",
        }
    ]
    homes = {h["key"]: h for h in config["home_organisations"]}
    assert homes["home-10"]["allowed_services"] is None  # all
    assert homes["home-11"]["allowed_services"] == ["svc-1"]  # "gone" is not in force
    assert homes["home-10"]["login_sources"][0]["kind"] == "wilma"
    assert homes["home-10"]["schools"] == [
        {"code": "00010", "name": "Koulu 10", "oid": "", "closed": False, "offices": []}
    ]

    afp = build.read_file(snapshot, "attribute-filter.xml")
    assert b'xmlns="urn:mace:shibboleth:2.0:afp"' in afp
    assert afp.count(b"<AttributeFilterPolicy ") == 3
    assert b'<PolicyRequirementRule xsi:type="Requester" value="client-3"/>' in afp
    policy = build.read_file(snapshot, "satosa-attribute-policy.yaml")
    assert b"https://sp1.example.fi/saml:\n      allowed:\n      - schoolCode\n      - uid" in policy


def test_a_service_without_attributes_is_released_nothing_by_either_filter(register):
    register("test", saml_service(n=1), oidc_service(n=2, attributes=()))
    snapshot = snapshot_build(environment="test", trigger="t")
    # Shibboleth denies by default: no policy at all. SATOSA releases everything to a requester
    # it does not list: listed with an empty list.
    assert b"client-2" not in build.read_file(snapshot, "attribute-filter.xml")
    policy = yaml.safe_load(build.read_file(snapshot, "satosa-attribute-policy.yaml"))
    assert policy["config"]["attribute_policy"]["client-2"] == {"allowed": []}


@pytest.mark.django_db(transaction=True)
def test_register_change_builds_after_commit_and_a_repeat_changes_nothing(register):
    register("test", saml_service(n=1))
    with transaction.atomic():
        register_changed.send(sender=None, environment="test", reason="service approved")
        register_changed.send(sender=None, environment="test", reason="another change")
        assert Snapshot.objects.count() == 0  # not before commit
    assert {env for env, _ in Register.calls} == {"test"}
    # Tasks run eagerly here, so each change ran a build; the second found nothing new.
    assert Snapshot.objects.count() == 1
    assert Publication.objects.get(environment="test").snapshot.trigger == "register: service approved"


def test_changes_while_a_build_is_waiting_join_it(monkeypatch, django_capture_on_commit_callbacks, settings):
    """Debounce: only the first change in the window enqueues a (delayed) build."""
    from proxy import tasks

    enqueued = []
    monkeypatch.setattr(tasks.proxy_build, "apply_async", lambda **kwargs: enqueued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        register_changed.send(sender=None, environment="test", reason="one")
        register_changed.send(sender=None, environment="test", reason="two")
        register_changed.send(sender=None, environment="production", reason="three")
    assert enqueued == [
        {
            "kwargs": {"environment": "test", "trigger": "register: one"},
            "countdown": settings.PROXY_BUILD_DEBOUNCE_SECONDS,
        },
        {
            "kwargs": {"environment": "production", "trigger": "register: three"},
            "countdown": settings.PROXY_BUILD_DEBOUNCE_SECONDS,
        },
    ]
    # The build clears the mark when it starts, so a later change schedules again.
    tasks.cache.delete(tasks._pending_key("test"))
    with django_capture_on_commit_callbacks(execute=True):
        register_changed.send(sender=None, environment="test", reason="four")
    assert len(enqueued) == 3


@pytest.mark.django_db(transaction=True)
def test_membership_change_rebuilds_both_environments(register):
    register("test", saml_service(n=1))
    register("production", saml_service(n=2, environment="production"))
    membership_changed.send(sender=None, organisation_id=1, role="service_provider", reason="notice ended")
    assert set(Publication.objects.values_list("environment", flat=True)) == {"test", "production"}


@pytest.mark.django_db(transaction=True)
def test_only_one_builder_runs_at_a_time(settings):
    """While a build holds the advisory lock, another connection cannot take it."""
    database = settings.DATABASES["default"]
    other = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=database.get("USER") or "postgres",
        host=database.get("HOST") or "127.0.0.1",
        port=database.get("PORT") or 5432,
    )
    try:
        with transaction.atomic():
            _builder_lock()
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [BUILDER_LOCK])
                assert cursor.fetchone()[0] is False
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [BUILDER_LOCK])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


def test_home_organisation_changes_alone_make_a_new_snapshot(register):
    register("test", saml_service(n=1), homes=(home_organisation(n=1),))
    first = snapshot_build(environment="test", trigger="a")
    register("test", saml_service(n=1), homes=(home_organisation(n=1), home_organisation(n=2)))
    second = snapshot_build(environment="test", trigger="b")
    assert second.pk != first.pk and second.content_hash != first.content_hash


def test_inputs_that_cannot_be_rendered_leave_a_failed_snapshot(settings, small_register):
    good = snapshot_build(environment="test", trigger="a")
    settings.PROXY_COLLECT_INPUTS = "tests.proxy.test_build.broken_register"
    failed = snapshot_build(environment="test", trigger="b")
    assert failed.status == "failed" and "RuntimeError" in failed.errors[0]
    assert Publication.objects.get(environment="test").snapshot == good


def broken_register(*, environment, on):
    raise RuntimeError("register unavailable")


def test_a_cached_invalid_fragment_fails_later_builds_too(register):
    """Schema results are cached with the fragment, so reuse never skips the gate."""
    register("test", saml_service(n=1, acs_endpoints=()))
    assert snapshot_build(environment="test", trigger="a").status == "failed"
    build.forget_fragments()  # another worker: only the database cache
    again = snapshot_build(environment="test", trigger="b", force=True)
    assert again.status == "failed" and any("AssertionConsumerService" in e for e in again.errors)


def test_scheduled_refresh_builds_both_environments(register):
    from proxy.tasks import proxy_refresh

    register("test", saml_service(n=1))
    register("production", saml_service(n=2, environment="production"))
    first = proxy_refresh.delay().get()
    assert set(Publication.objects.values_list("environment", flat=True)) == {"test", "production"}
    assert proxy_refresh.delay().get() == first  # nothing changed: the same snapshots


@pytest.mark.parametrize(
    "requesters",
    [
        [],
        ["https://sp1.example.fi/saml", "client-2"],
        # quoting, a colon and hash, non-ASCII, and a key long enough for YAML's "? " form
        ["https://sp.example.fi/saml?x=1#a: b", "https://sää.example.fi/", "https://x.fi/" + "a" * 200, "yes", "1"],
    ],
)
def test_satosa_policy_is_byte_identical_to_a_whole_yaml_dump(requesters):
    from proxy import release_rules
    from tests.proxy.inputs_factory import inputs

    services = [
        # every second one with no attributes, which is listed as `allowed: []`
        saml_service(n=n, entity_id=requester, attributes=() if n % 2 else ("uid", "role"))
        for n, requester in enumerate(requesters)
    ]
    data = inputs(*services)
    policy = {s.entity_id: {"allowed": sorted(a.key for a in s.attributes)} for s in services}
    whole = yaml.dump(
        {
            "module": "satosa.micro_services.attribute_policy.AttributePolicy",
            "name": "AttributePolicy",
            "config": {"attribute_policy": policy},
        },
        Dumper=release_rules.YAML_DUMPER,
        sort_keys=True,
        allow_unicode=True,
        default_flow_style=False,
    )
    for _ in range(2):  # rendered, then from the chunk memory
        produced = release_rules.satosa_policy_yaml(data).decode()
        _header, body = _split_comment_header(produced)
        assert body == whole
    assert yaml.safe_load(produced)["config"]["attribute_policy"] == policy


def _split_comment_header(text: str) -> tuple[str, str]:
    lines = text.splitlines(True)
    count = next(n for n, line in enumerate(lines) if not line.startswith("#"))
    return "".join(lines[:count]), "".join(lines[count:])


def test_satosa_policy_lists_a_requester_with_no_attributes_as_allowed_nothing():
    # SATOSA's AttributePolicy releases everything to a requester it does not list (or lists
    # without `allowed`): an SP approved with no attributes must be listed with an empty list.
    from proxy import release_rules
    from tests.proxy.inputs_factory import inputs

    data = inputs(
        saml_service(n=1, attributes=()),
        saml_service(n=2, attributes=("uid", "role")),
        oidc_service(n=3, attributes=()),
    )
    produced = release_rules.satosa_policy_yaml(data).decode()
    assert yaml.safe_load(produced)["config"]["attribute_policy"] == {
        "https://sp1.example.fi/saml": {"allowed": []},
        "https://sp2.example.fi/saml": {"allowed": ["role", "uid"]},
        data.services[2].client_id: {"allowed": []},
    }
    assert "    https://sp1.example.fi/saml:\n      allowed: []\n" in produced
    header, _ = _split_comment_header(produced)
    assert "default deny" not in header
    assert "releases every attribute to a requester it does not list" in header


def test_consistency_check_finds_a_satosa_policy_missing_a_requester_with_no_attributes():
    from proxy import release_rules
    from tests.proxy.inputs_factory import inputs

    data = inputs(saml_service(n=1, attributes=()), saml_service(n=2))
    ids = ["https://sp1.example.fi/saml", "https://sp2.example.fi/saml"]
    common = {
        "entity_ids": ids,
        "attribute_filter": release_rules.attribute_filter_xml(data),
        "config": release_rules.config_json(data),
        "expected_entity_ids": ids,
    }
    good = release_rules.satosa_policy_yaml(data)
    assert validation.consistency_errors(satosa_policy=good, **common) == []
    # The old rendering, which left the empty requester out (SATOSA then released everything).
    without_empty = release_rules.satosa_policy_for("test", {"https://sp2.example.fi/saml": ["schoolCode", "uid"]})
    assert validation.consistency_errors(satosa_policy=without_empty, **common) == [
        "satosa-attribute-policy.yaml: release rules differ from config.json"
    ]


def test_consistency_check_finds_a_satosa_policy_that_differs():
    from proxy import release_rules
    from tests.proxy.inputs_factory import inputs

    data = inputs(saml_service(n=1), oidc_service(n=2))
    other = inputs(saml_service(n=1, attributes=("uid", "learnerId")), oidc_service(n=2))
    common = {
        "entity_ids": ["https://sp1.example.fi/saml"],
        "attribute_filter": release_rules.attribute_filter_xml(data),
        "config": release_rules.config_json(data),
        "expected_entity_ids": ["https://sp1.example.fi/saml"],
    }
    assert validation.consistency_errors(satosa_policy=release_rules.satosa_policy_yaml(data), **common) == []
    assert validation.consistency_errors(satosa_policy=release_rules.satosa_policy_yaml(other), **common) == [
        "satosa-attribute-policy.yaml: release rules differ from config.json"
    ]


@pytest.mark.parametrize(
    "requesters",
    [
        ["https://sp1.example.fi/saml"],
        ['https://sp.example.fi/?a=1&b="2"<x>\t\n\r', "https://sää.example.fi/"],
    ],
)
def test_attribute_filter_and_config_text_is_what_lxml_and_json_give(requesters):
    from proxy import release_rules
    from tests.proxy.inputs_factory import home_organisation, inputs

    services = [saml_service(n=n, entity_id=r, attributes=("uid", "role")) for n, r in enumerate(requesters)]
    data = inputs(*services, oidc_service(n=50), oidc_service(n=51, attributes=()), homes=(home_organisation(n=9),))
    for _ in range(2):  # rendered, then from the chunk memory
        assert release_rules.attribute_filter_xml(data) == release_rules.attribute_filter_tree(data)
        document = json.loads(release_rules.config_json(data))
        assert release_rules.config_json(data) == json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    assert [s["requester"] for s in document["services"]] == ["client-50", "client-51", *sorted(requesters)]
    empty = inputs(oidc_service(n=52, attributes=()))
    assert release_rules.attribute_filter_xml(empty) == release_rules.attribute_filter_tree(empty)


def test_index_json_is_what_json_gives(register):
    register("test", saml_service(n=1, entity_id="https://sää.example.fi/"), saml_service(n=2), oidc_service(n=3))
    for trigger in ("a", "b"):  # rendered, then from the chunk memory
        index = build.read_file(snapshot_build(environment="test", trigger=trigger, force=True), "index.json")
        assert index == json.dumps(json.loads(index), sort_keys=True, ensure_ascii=False).encode()
    assert sorted(json.loads(index)["entities"]) == ["https://sp2.example.fi/saml", "https://sää.example.fi/"]
    assert len(json.loads(index)["services"]) == 3
