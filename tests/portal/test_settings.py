"""Production mode passes Django's deployment checks; configuration comes from the environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE; a production check must not inherit it.
    inherited = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "trustnet.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "PRODUCTION": "true",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "trustnet.example.fi",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/trustnet",
    "CACHE_URL": "redis://127.0.0.1:6379/3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/4",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.fi:587",
    "MEMBERS_SECRET_KEY": "ZGV2LW9ubHktbm90LXNlY3JldC1mZXJuZXQta2V5LTE=",
    "AUDIT_CHAIN_KEY": secrets.token_urlsafe(40),
    # Stands in for an append-only bucket (django-storages' S3 backend is not a dependency here).
    "AUDIT_HEAD_STORAGE_BACKEND": "django.core.files.storage.InMemoryStorage",
    "AUDIT_HEAD_STORAGE_OPTIONS": "{}",
}


def test_production_mode_passes_check_deploy_with_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_mode_refuses_to_start_without_an_audit_chain_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "AUDIT_CHAIN_KEY"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY" in result.stderr


def test_production_mode_warns_when_chain_heads_go_to_a_local_folder():
    env = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("AUDIT_HEAD_STORAGE")}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "audit.W001" in result.stdout + result.stderr


def test_development_defaults_fail_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
