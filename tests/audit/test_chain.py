"""The log is append-only and tamper-evident (DESIGN section 3.7)."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from audit.models import AppendOnlyError, ChainHead, Entry
from audit.services import audit_record
from audit.verify import audit_chain_verify
from tests.factories import UserFactory


def _write(n: int, actor=None) -> list[Entry]:
    return [
        audit_record(
            actor=actor,
            action="test.thing.change",
            object_type="test.thing",
            object_id=i,
            before={"n": i},
            after={"n": i + 1, "name": "Ääkköset ja å"},
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_each_entry_carries_the_hash_of_the_one_before():
    actor = UserFactory()
    first, second, third = _write(3, actor=actor)
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert ChainHead.objects.get().last_hash == third.hash
    assert Entry.objects.get(pk=first.pk).actor_label == actor.email


@pytest.mark.django_db
def test_intact_log_verifies(capsys):
    _write(5)
    call_command("audit_verify")
    assert "5 entries verified" in capsys.readouterr().out


@pytest.mark.django_db
def test_orm_refuses_to_change_or_delete_entries():
    entry = _write(1)[0]
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.django_db
def test_database_refuses_to_change_entries_even_with_raw_sql():
    entry = _write(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_entry SET action = 'forged' WHERE id = %s", [entry.pk])


def _tamper(sql: str, params: list) -> None:
    """Tamper as a database superuser would: with the append-only trigger switched off."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


@pytest.mark.django_db
def test_audit_verify_names_the_first_altered_entry():
    entries = _write(5)
    _tamper("UPDATE audit_entry SET after = '{\"n\": 999}' WHERE id = %s", [entries[2].pk])
    report = audit_chain_verify()
    assert report.problem.entry_id == entries[2].pk and "altered" in report.problem.reason
    with pytest.raises(CommandError, match=f"entry #{entries[2].pk}"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_audit_verify_detects_a_removed_entry_in_the_middle():
    entries = _write(5)
    _tamper("DELETE FROM audit_entry WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError, match=f"entry #{entries[2].pk}.*removed or altered"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_audit_verify_detects_removed_newest_entries():
    entries = _write(5)
    _tamper("DELETE FROM audit_entry WHERE id >= %s", [entries[3].pk])
    with pytest.raises(CommandError, match="newer entries were removed"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_audit_verify_detects_a_forged_actor():
    entries = _write(3)
    _tamper("UPDATE audit_entry SET actor_label = 'someone-else@example.org' WHERE id = %s", [entries[0].pk])
    assert audit_chain_verify().problem.entry_id == entries[0].pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    writers, per_writer = 8, 15
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write():
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", object_type="test", object_id=i)
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Entry.objects.count() == writers * per_writer
    # A fork would show as two entries sharing one predecessor.
    assert Entry.objects.values("prev_hash").distinct().count() == writers * per_writer
    assert audit_chain_verify().ok
