"""The chain is keyed, TRUNCATE is refused and the head is exported out of the database
(issue 15, item 6): whoever can write the database can no longer rewrite history unnoticed."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.checks import audit_chain_key_check
from audit.heads import chain_head_export, last_exported_head
from audit.keys import DEVELOPMENT_KEY, key_fingerprint, mac
from audit.models import ChainHead, Entry
from audit.services import audit_record, payload_of_entry
from audit.tasks import audit_head_export
from audit.verify import audit_chain_verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _write(n: int) -> list[Entry]:
    return [audit_record(actor=None, action="test.thing.change", object_type="test.thing", object_id=i,
                         after={"n": i}) for i in range(n)]  # fmt: skip


def _as_superuser(*statements: tuple[str, list]) -> None:
    """Write the database as an attacker with full access would: triggers switched off."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


def _rewrite_from(entries: list[Entry], index: int, *, sign) -> None:
    """Change entry `index` and recompute every hash after it, chain head included: the attack an
    unkeyed chain cannot detect. `sign(entry)` is the attacker's best guess at the MAC."""
    rows = list(Entry.objects.order_by("id"))
    rows[index].after = {"n": 999}
    previous = rows[index - 1].hash if index else "0" * 64
    statements = []
    for row in rows[index:]:
        row.prev_hash = previous
        row.hash = sign(row)
        statements.append(("UPDATE audit_entry SET after = %s, prev_hash = %s, hash = %s WHERE id = %s",
                           [json.dumps(row.after), row.prev_hash, row.hash, row.pk]))  # fmt: skip
        previous = row.hash
    statements.append(("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", [previous]))
    _as_superuser(*statements)


def test_new_entries_carry_a_mac_under_the_current_key(settings):
    entry = _write(1)[0]
    key = settings.AUDIT_CHAIN_KEYS[0]
    assert entry.key_id == key_fingerprint(key) and key not in entry.key_id
    assert entry.hash == mac(key.encode(), payload_of_entry(entry))
    assert entry.hash != hashlib.sha256(payload_of_entry(entry)).hexdigest()


def test_rewriting_an_entry_and_recomputing_the_chain_without_the_key_is_detected():
    entries = _write(5)
    _rewrite_from(entries, 2, sign=lambda row: hashlib.sha256(payload_of_entry(row)).hexdigest())
    report = audit_chain_verify()
    assert report.problem.entry_id == entries[2].pk and "MAC" in report.problem.reason


def test_a_guessed_key_does_not_help_the_attacker():
    entries = _write(4)
    _rewrite_from(entries, 1, sign=lambda row: mac(b"guessed", payload_of_entry(row)))
    assert audit_chain_verify().problem.entry_id == entries[1].pk


def test_only_with_the_key_could_the_chain_be_recomputed(settings):
    # The control: the same rewrite with the real key verifies, so the key is what protects the log
    # and it must stay out of the database.
    entries = _write(4)
    key = settings.AUDIT_CHAIN_KEYS[0].encode()
    _rewrite_from(entries, 1, sign=lambda row: mac(key, payload_of_entry(row)))
    assert audit_chain_verify().ok


def test_entries_under_an_older_key_verify_after_a_rotation_and_an_unknown_key_is_named(settings):
    old = _write(2)
    settings.AUDIT_CHAIN_KEYS = ["a-new-key-of-at-least-thirty-two-characters", *settings.AUDIT_CHAIN_KEYS]
    new = _write(2)
    assert new[0].key_id != old[0].key_id
    assert audit_chain_verify().ok
    settings.AUDIT_CHAIN_KEYS = settings.AUDIT_CHAIN_KEYS[:1]
    problem = audit_chain_verify().problem
    assert problem.entry_id == old[0].pk and "key this installation does not have" in problem.reason


def test_entries_from_before_the_key_verify_but_only_ahead_of_the_first_keyed_one():
    entries = _write(3)
    # Turn the first two into entries as the unkeyed chain wrote them.
    first, second = entries[0], entries[1]
    first_hash = hashlib.sha256(payload_of_entry(first)).hexdigest()
    second.prev_hash = first_hash
    second_hash = hashlib.sha256(payload_of_entry(second)).hexdigest()
    third = entries[2]
    third.prev_hash = second_hash
    _as_superuser(
        ("UPDATE audit_entry SET key_id = '', hash = %s WHERE id = %s", [first_hash, first.pk]),
        ("UPDATE audit_entry SET key_id = '', prev_hash = %s, hash = %s WHERE id = %s",
         [first_hash, second_hash, second.pk]),
        ("UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE id = %s",
         [second_hash, mac(DEVELOPMENT_KEY.encode(), payload_of_entry(third)), third.pk]),
        ("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1",
         [mac(DEVELOPMENT_KEY.encode(), payload_of_entry(third))]),
    )  # fmt: skip
    assert audit_chain_verify().ok
    # An unkeyed entry after a keyed one: written by someone without the key.
    fourth = _write(1)[0]
    fourth_hash = hashlib.sha256(payload_of_entry(fourth)).hexdigest()
    _as_superuser(
        ("UPDATE audit_entry SET key_id = '', hash = %s WHERE id = %s", [fourth_hash, fourth.pk]),
        ("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", [fourth_hash]),
    )
    problem = audit_chain_verify().problem
    assert problem.entry_id == fourth.pk and "without the chain key" in problem.reason


@pytest.mark.parametrize("table", ["audit_entry", "audit_chainhead"])
def test_truncate_is_refused(table):
    _write(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending from the writes
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Entry.objects.count() == 2


def test_cutting_off_the_newest_entries_and_rewinding_the_head_is_caught_by_the_exported_head():
    entries = _write(5)
    chain_head_export()
    # The attacker removes the two newest entries and rewinds the head row to match.
    _as_superuser(
        ("DELETE FROM audit_entry WHERE id >= %s", [entries[3].pk]),
        ("UPDATE audit_chainhead SET last_entry_id = %s, last_hash = %s, length = 3 WHERE id = 1",
         [entries[2].pk, entries[2].hash]),
    )  # fmt: skip
    report = audit_chain_verify()
    assert not report.ok and "entries were removed" in report.problem.reason
    with pytest.raises(CommandError, match="entries were removed"):
        call_command("audit_verify")


def test_without_an_export_the_same_cut_would_pass(audit_heads_folder):
    # Why the head is exported at all: the database alone cannot tell.
    entries = _write(5)
    _as_superuser(
        ("DELETE FROM audit_entry WHERE id >= %s", [entries[3].pk]),
        ("UPDATE audit_chainhead SET last_entry_id = %s, last_hash = %s, length = 3 WHERE id = 1",
         [entries[2].pk, entries[2].hash]),
    )  # fmt: skip
    assert audit_chain_verify().ok


def test_each_export_is_a_new_object_and_the_newest_is_used(audit_heads_folder):
    _write(2)
    _first, first_name = chain_head_export()
    _write(1)
    second, second_name = chain_head_export()
    assert first_name != second_name
    assert sorted(p.name for p in audit_heads_folder.iterdir()) == sorted([first_name, second_name])
    assert last_exported_head() == second and second.length == 3


def test_a_head_from_the_staff_email_can_be_checked_by_hand(capsys):
    entries = _write(3)
    call_command("audit_verify", head=f"{entries[1].pk}:{entries[1].hash}:2")
    assert "3 entries verified" in capsys.readouterr().out
    with pytest.raises(CommandError, match="differs from the chain head"):
        call_command("audit_verify", head=f"{entries[1].pk}:{'0' * 64}:2")
    with pytest.raises(CommandError, match="ENTRY:MAC"):
        call_command("audit_verify", head="not a head")


def test_the_daily_export_mails_staff_in_their_language_writes_storage_and_logs(
    mailoutbox, caplog, audit_heads_folder, django_capture_on_commit_callbacks
):
    UserFactory(email="staff-fi@example.org", is_staff=True, language="fi")
    UserFactory(email="member@example.org", is_staff=False)
    entries = _write(2)
    with caplog.at_level(logging.INFO, logger="audit.heads"), django_capture_on_commit_callbacks(execute=True):
        name = audit_head_export()
    assert (audit_heads_folder / name).exists()
    stored = json.loads((audit_heads_folder / name).read_text())
    assert stored["entry_id"] == entries[-1].pk and stored["mac"] == entries[-1].hash and stored["length"] == 2
    assert any(entries[-1].hash in record.getMessage() for record in caplog.records)
    assert [m.to for m in mailoutbox] == [["staff-fi@example.org"]]
    assert entries[-1].hash in mailoutbox[0].body and "Pidä tämä viesti" in mailoutbox[0].body


def test_the_export_is_scheduled_daily(settings):
    assert settings.CELERY_BEAT_SCHEDULE["audit-head-export"]["task"] == "audit.tasks.audit_head_export"


def test_production_refuses_the_development_key_or_a_short_one(settings):
    settings.PRODUCTION = True
    settings.AUDIT_CHAIN_KEYS = [DEVELOPMENT_KEY]
    assert {message.id for message in audit_chain_key_check() if message.level >= checks.ERROR} == {"audit.E002"}
    settings.AUDIT_CHAIN_KEYS = ["too-short"]
    assert {message.id for message in audit_chain_key_check() if message.level >= checks.ERROR} == {"audit.E003"}
    settings.AUDIT_CHAIN_KEYS = ["k" * 40]
    assert not [message for message in audit_chain_key_check() if message.level >= checks.ERROR]
    settings.PRODUCTION = False
    settings.AUDIT_CHAIN_KEYS = [DEVELOPMENT_KEY]
    assert audit_chain_key_check() == []


def test_the_head_row_is_kept(db):
    _write(1)
    assert ChainHead.objects.get().length == 1


@pytest.mark.django_db
def test_a_tampered_chain_is_not_exported_so_the_genuine_head_stays_the_newest(
    mailoutbox, audit_heads_folder, django_capture_on_commit_callbacks
):
    UserFactory(email="staff@example.org", is_staff=True)
    entries = _write(4)
    genuine = audit_head_export()
    keep = entries[1]
    _as_superuser(
        ("DELETE FROM audit_entry WHERE id > %s", [keep.pk]),
        (
            "UPDATE audit_chainhead SET last_entry_id = %s, last_hash = %s, length = %s",
            [keep.pk, keep.hash, Entry.objects.filter(pk__lte=keep.pk).count()],
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_head_export() is None
    assert [p.name for p in audit_heads_folder.iterdir()] == [genuine]
    assert not audit_chain_verify().ok
    assert [m.to for m in mailoutbox] == [["staff@example.org"]]


def test_a_log_of_unkeyed_entries_only_is_not_sealed_and_refused():
    entries = _write(2)
    statements, previous = [], "0" * 64
    for entry in entries:
        entry.prev_hash = previous
        entry.hash = hashlib.sha256(payload_of_entry(entry)).hexdigest()
        statements.append(("UPDATE audit_entry SET key_id = '', prev_hash = %s, hash = %s WHERE id = %s",
                           [entry.prev_hash, entry.hash, entry.pk]))  # fmt: skip
        previous = entry.hash
    statements.append(("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", [previous]))
    _as_superuser(*statements)
    assert "not sealed" in audit_chain_verify().problem.reason


def test_a_forged_newer_head_for_a_shortened_log_does_not_hide_the_genuine_one(audit_heads_folder):
    entries = _write(5)
    chain_head_export()
    _as_superuser(
        ("DELETE FROM audit_entry WHERE id >= %s", [entries[3].pk]),
        ("UPDATE audit_chainhead SET last_entry_id = %s, last_hash = %s, length = 3 WHERE id = 1",
         [entries[2].pk, entries[2].hash]),
    )  # fmt: skip
    # Whoever can write the head storage adds a "newer" head that fits the shortened log.
    forged = {"entry_id": entries[2].pk, "mac": entries[2].hash, "length": 3, "exported_at": "2099-01-01T00:00:00"}
    (audit_heads_folder / f"audit-head-20990101T000000000000Z-{entries[2].pk}.json").write_text(json.dumps(forged))
    report = audit_chain_verify()
    assert not report.ok and "entries were removed" in report.problem.reason


@pytest.mark.django_db(transaction=True)
def test_the_keying_migration_seals_the_entries_written_before_it():
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    apps = migrate(("audit", "0003_keyed_chain"))
    try:
        # Two entries as the unkeyed chain wrote them (historical models have no append-only save).
        OldEntry, OldHead = apps.get_model("audit", "Entry"), apps.get_model("audit", "ChainHead")
        previous = "0" * 64
        for n in range(2):
            entry = OldEntry(created_at=timezone.now(), actor_label="system", action="old.thing",
                             object_type="test", object_id=str(n), prev_hash=previous)  # fmt: skip
            entry.hash = hashlib.sha256(payload_of_entry(entry)).hexdigest()
            entry.save()
            previous = entry.hash
        OldHead.objects.update_or_create(pk=1, defaults={"last_entry_id": entry.pk, "last_hash": previous, "length": 2})
    finally:
        call_command("migrate", verbosity=0)
    seal = Entry.objects.order_by("-id").first()
    assert seal.action == "audit.chain_keyed" and seal.key_id and seal.prev_hash == previous
    assert audit_chain_verify().ok
    # Rewriting an old entry and recomputing the unkeyed hashes now breaks the link to the seal.
    old = Entry.objects.order_by("id").first()
    old.object_label = "forged"
    forged_hash = hashlib.sha256(payload_of_entry(old)).hexdigest()
    second = Entry.objects.order_by("id")[1]
    second.prev_hash = forged_hash
    _as_superuser(
        ("UPDATE audit_entry SET object_label = 'forged', hash = %s WHERE id = %s", [forged_hash, old.pk]),
        ("UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE id = %s",
         [forged_hash, hashlib.sha256(payload_of_entry(second)).hexdigest(), second.pk]),
    )  # fmt: skip
    assert audit_chain_verify().problem.entry_id == seal.pk
