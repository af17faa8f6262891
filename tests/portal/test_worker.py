"""A real Celery worker, a real Redis broker and the real test database, end to end."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from audit.services import audit_record
from tests.factories import UserFactory

REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def worker(tmp_path):
    """Start `celery worker` on a queue of its own; yields (client app, queue, outbox directory)."""
    queue = f"trustnet-test-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "mail"
    outbox.mkdir()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trustnet.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS,
        "CELERY_RESULT_BACKEND": REDIS,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": f"filemail:///{outbox}",  # django-environ drops one leading slash
        "DB_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "trustnet",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # A client of its own: the project's app in this process is configured to run tasks eagerly.
    client = Celery(broker=REDIS, backend=REDIS)
    try:
        yield client, queue, outbox
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()
        print(output)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_audit_check_and_mails_staff_through_the_broker(worker):
    app, queue, outbox = worker
    UserFactory(email="staff@example.org", is_staff=True)
    assert app.send_task("portal.tasks.ping", queue=queue).get(timeout=60) == "pong"

    audit_record(actor=None, action="test.a", object_type="test", object_id=1)
    assert app.send_task("audit.tasks.audit_chain_check", queue=queue).get(timeout=60) is True

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_entry SET action = 'forged'")
        cursor.execute("SET session_replication_role = DEFAULT")
    assert app.send_task("audit.tasks.audit_chain_check", queue=queue).get(timeout=60) is False
    # The alert was queued by the worker's own task and sent by the worker. The file backend
    # creates the file before it writes the message, so wait for the content, not the file.
    message = ""
    for _ in range(100):
        message = "".join(path.read_text() for path in outbox.iterdir())
        if "staff@example.org" in message:
            break
        time.sleep(0.1)
    assert "staff@example.org" in message and "audit" in message.lower(), "no alert email was written"
