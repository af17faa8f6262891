"""Retention of proxy build artefacts: snapshots, their files, fragments, entity documents."""

from __future__ import annotations

import datetime
import json
import urllib.parse

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Entry
from proxy import build
from proxy.models import EntityDocument, Fragment, Publication, Snapshot
from proxy.services import snapshot_build, snapshot_prune, snapshot_publish
from proxy.tasks import proxy_prune, proxy_refresh
from tests.proxy.inputs_factory import saml_service

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 5, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def _build_at(when: datetime.datetime, environment: str = "test", **kwargs) -> Snapshot:
    with time_machine.travel(when, tick=False):
        return snapshot_build(environment=environment, trigger="test", force=True, **kwargs)


def _prune_at(when: datetime.datetime):
    with time_machine.travel(when, tick=False):
        return snapshot_prune()


def _sign(fragment_key: str, now: datetime.datetime) -> EntityDocument:
    """An MDQ document of one fragment signed at `now`, as the publishing task would sign it."""
    report = build.sign_entity_documents(fragment_keys={f"entity-{fragment_key}": fragment_key}, now=now)
    assert report.signed == 1, report.errors
    return EntityDocument.objects.get(fragment_key=fragment_key, signed_at=now)


def _fragment_keys(snapshot: Snapshot) -> set[str]:
    return {e["fragment"] for e in json.loads(build.read_file(snapshot, "index.json"))["entities"].values()}


def _paths(snapshot: Snapshot) -> list[str]:
    return [meta["path"] for meta in snapshot.files.values()]


@pytest.fixture
def history(register, settings):
    """test: old A (own fragment), old B (previous valid), young C (in service, changed fragment);
    production: one old snapshot in service. Retention 5 days, validity 10 days."""
    settings.PROXY_SNAPSHOT_RETENTION_DAYS = 5
    register("test", saml_service(n=1), saml_service(n=2, attributes=("uid",)))
    register("production", saml_service(n=7, environment="production"))
    a = _build_at(T0)
    production = _build_at(T0, environment="production")
    register("test", saml_service(n=1), saml_service(n=2, attributes=("uid", "learnerId")))
    b = _build_at(T0 + 6 * DAY)
    register("test", saml_service(n=1), saml_service(n=2, attributes=("uid", "schoolCode", "learnerId")))
    c = _build_at(T0 + 12 * DAY)
    return {"a": a, "b": b, "c": c, "production": production}


def test_keeps_in_service_previous_valid_and_young_snapshots_and_deletes_the_rest(history):
    a, b, c, production = history["a"], history["b"], history["c"], history["production"]
    result = _prune_at(T0 + 12 * DAY + datetime.timedelta(hours=1))
    assert set(Snapshot.objects.values_list("pk", flat=True)) == {b.pk, c.pk, production.pk}
    assert result.snapshots == 1
    assert result.files == len(a.files) == 6  # discovery.json among them (issue 14)
    assert set(result.kept_snapshots) >= {b.pk, c.pk, production.pk}
    assert Publication.objects.get(environment="production").snapshot_id == production.pk


def test_pruned_snapshot_files_are_gone_from_storage_and_kept_files_remain(history):
    a, b, c = history["a"], history["b"], history["c"]
    _prune_at(T0 + 12 * DAY)
    assert not any(default_storage.exists(path) for path in _paths(a))
    assert all(default_storage.exists(path) for path in _paths(b) + _paths(c))


def test_young_snapshots_are_kept_failed_old_ones_deleted(register, settings):
    settings.PROXY_SNAPSHOT_RETENTION_DAYS = 5
    register("test", saml_service(n=1))
    first = _build_at(T0)
    old_failed = Snapshot.objects.create(
        environment="test", created_at=T0 + DAY, trigger="x", status=Snapshot.Status.FAILED, errors=["bad"]
    )
    second = _build_at(T0 + 2 * DAY)
    young_failed = Snapshot.objects.create(
        environment="test", created_at=T0 + 9 * DAY, trigger="x", status=Snapshot.Status.FAILED, errors=["bad"]
    )
    third = _build_at(T0 + 9 * DAY)
    result = _prune_at(T0 + 10 * DAY)
    # first is neither in service, previous (second is) nor young: it goes with the old failure.
    assert set(Snapshot.objects.values_list("pk", flat=True)) == {second.pk, young_failed.pk, third.pk}
    assert not Snapshot.objects.filter(pk__in=[first.pk, old_failed.pk]).exists()
    assert result.snapshots == 2


def test_nothing_is_deleted_within_the_default_retention(register):
    register("test", saml_service(n=1))
    for day in range(0, 80, 10):
        _build_at(T0 + day * DAY)
    assert _prune_at(T0 + 89 * DAY).snapshots == 0
    assert Snapshot.objects.count() == 8


def test_unused_fragments_and_their_entity_documents_are_deleted(history):
    a, b, c = history["a"], history["b"], history["c"]
    only_a = _fragment_keys(a) - _fragment_keys(b) - _fragment_keys(c)
    assert only_a
    when = T0 + 12 * DAY
    # A still-valid MDQ document of a fragment only the pruned snapshot used, and one in use.
    (gone_key,) = only_a
    # An expired document of a fragment still in use (signed first: a fresher one would be reused).
    in_use = next(iter(_fragment_keys(c)))
    EntityDocument.objects.filter(fragment_key__in=[in_use, gone_key]).delete()
    expired = _sign(in_use, when - 30 * DAY)
    gone = _sign(gone_key, when)
    kept = _sign(in_use, when)
    assert len({expired.key, gone.key, kept.key}) == 3
    result = _prune_at(when)
    in_use = _fragment_keys(b) | _fragment_keys(c) | _fragment_keys(history["production"])
    assert set(Fragment.objects.values_list("key", flat=True)) == in_use
    assert result.fragments == len(only_a)
    assert set(EntityDocument.objects.values_list("key", flat=True)) == {kept.key}
    assert not EntityDocument.objects.filter(key__in=[gone.key, expired.key]).exists()
    assert result.entity_documents == 2


def test_serving_mdq_and_rollback_still_work_after_pruning(history, client, django_capture_on_commit_callbacks):
    b = history["b"]
    when = T0 + 12 * DAY
    _prune_at(when)
    with time_machine.travel(when + datetime.timedelta(hours=1), tick=False):
        # The hourly refresh re-signs MDQ documents past half their validity (as in production).
        with django_capture_on_commit_callbacks(execute=True):
            proxy_refresh()
        assert client.get("/proxy/test/metadata.xml").status_code == 200
        assert client.get("/proxy/production/metadata.xml").status_code == 200
        entity_id = saml_service(n=2).entity_id
        url = "/proxy/test/entities/" + urllib.parse.quote(entity_id, safe="")
        response = client.get(url)
        assert response.status_code == 200 and b"learnerId" in response.content
        with django_capture_on_commit_callbacks(execute=True):
            snapshot_publish(snapshot=b)  # the rollback's documents are signed by its task
        assert Publication.objects.get(environment="test").snapshot_id == b.pk
        assert client.get("/proxy/test/metadata.xml").status_code == 200
        assert client.get(url).status_code == 200
        # A build after pruning stores any fragment it needs again (none were kept in memory).
        built = snapshot_build(environment="test", trigger="after prune", force=True)
    assert built.status == Snapshot.Status.VALID
    assert Fragment.objects.filter(key__in=_fragment_keys(built)).count() == len(_fragment_keys(built))


def test_a_build_after_pruning_does_not_reuse_pruned_fragments_from_memory(
    history, register, django_capture_on_commit_callbacks
):
    a = history["a"]
    only_a = _fragment_keys(a) - _fragment_keys(history["b"]) - _fragment_keys(history["c"])
    # Another worker's memory still holds the pruned fragments (this process's is emptied by
    # the prune): it learns of the prune through the cache once the prune commits.
    other_worker = dict(build._fragment_memory)
    assert only_a <= set(other_worker)
    with django_capture_on_commit_callbacks(execute=True):
        _prune_at(T0 + 12 * DAY)
    build._fragment_memory.update(other_worker)
    build._seen_prune_generation = None
    # The register goes back to A's content: its fragment must be stored again for MDQ.
    register("test", saml_service(n=1), saml_service(n=2, attributes=("uid",)))
    again = _build_at(T0 + 12 * DAY + datetime.timedelta(hours=2))
    assert only_a <= _fragment_keys(again)
    assert Fragment.objects.filter(key__in=only_a).count() == len(only_a)


def test_pruning_twice_deletes_nothing_more(history):
    first = _prune_at(T0 + 12 * DAY)
    counts = (Snapshot.objects.count(), Fragment.objects.count(), EntityDocument.objects.count())
    second = _prune_at(T0 + 12 * DAY + datetime.timedelta(minutes=5))
    assert first.snapshots == 1
    assert (second.snapshots, second.files, second.fragments, second.entity_documents) == (0, 0, 0, 0)
    assert (Snapshot.objects.count(), Fragment.objects.count(), EntityDocument.objects.count()) == counts


def test_each_run_is_audited_once_with_counts(history):
    _prune_at(T0 + 12 * DAY)
    _prune_at(T0 + 13 * DAY)
    entries = list(Entry.objects.filter(action="proxy.snapshots_pruned").order_by("pk"))
    assert len(entries) == 2
    assert entries[0].after["snapshots"] == 1 and entries[0].after["files"] == 6
    assert entries[0].after["snapshot_ids"] == [history["a"].pk]
    assert entries[1].after["snapshots"] == 0


def test_the_daily_task_prunes(history):
    with time_machine.travel(T0 + 12 * DAY, tick=False):
        result = proxy_prune.delay().get()
    assert result["snapshots"] == 1
    assert not Snapshot.objects.filter(pk=history["a"].pk).exists()


def test_the_task_is_scheduled_daily(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["proxy-prune"]
    assert schedule["task"] == "proxy.tasks.proxy_prune"


def _queries_of_prune(when: datetime.datetime) -> int:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as captured:
        snapshot_prune()
    return len(captured)


def _old_failed(n: int, when: datetime.datetime) -> None:
    Snapshot.objects.bulk_create(
        Snapshot(environment="test", created_at=when, trigger="x", status=Snapshot.Status.FAILED) for _ in range(n)
    )
    Fragment.objects.bulk_create(Fragment(key=f"{n}-{i:060d}", xml=b"<x/>") for i in range(n))


def test_query_count_does_not_grow_with_the_number_of_rows(register, settings):
    settings.PROXY_SNAPSHOT_RETENTION_DAYS = 5
    register("test", saml_service(n=1))
    _build_at(T0 + 10 * DAY)
    _old_failed(2, T0)
    few = _queries_of_prune(T0 + 10 * DAY)
    _old_failed(60, T0)
    many = _queries_of_prune(T0 + 10 * DAY)
    assert Snapshot.objects.count() == 1
    assert few == many


def test_staff_see_the_retention_note(as_user, operator, settings):
    settings.PROXY_SNAPSHOT_RETENTION_DAYS = 30
    body = as_user(operator).get("/proxy/staff/").content.decode()
    assert "older than 30 days are removed" in body


@pytest.mark.django_db(transaction=True)
def test_concurrent_prunes_delete_each_snapshot_once(history):
    import threading

    results, errors = [], []

    def run() -> None:
        try:
            # time-machine is process-wide, so each thread passes its own `now`.
            results.append(snapshot_prune(now=T0 + 12 * DAY))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(result.snapshots for result in results) == [0, 1]
    assert not Snapshot.objects.filter(pk=history["a"].pk).exists()
