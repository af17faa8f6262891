"""`make run PORT=…` serves on that port, SITE_URL follows it, and the demo says where to go (issue 16 item 8)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(**env: str) -> dict[str, str]:
    inherited = {"SITE_URL", "PORT", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "MAKEFLAGS", "MFLAGS"}
    return {**{k: v for k, v in os.environ.items() if k not in inherited}, **env}


def _site_url(**env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=_clean_env(DJANGO_SETTINGS_MODULE="trustnet.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_site_url_defaults_to_the_development_server_on_port_8000():
    assert _site_url() == "http://127.0.0.1:8000"


def test_site_url_follows_the_port():
    assert _site_url(PORT="8123") == "http://127.0.0.1:8123"


def test_an_explicit_site_url_wins_over_the_port():
    assert _site_url(PORT="8123", SITE_URL="https://trustnet.example.fi/") == "https://trustnet.example.fi"


def _make_run_commands(*args: str) -> list[str]:
    # -n: print what `make run` would do without doing it; -W: as if installed, so only `run` is listed.
    result = subprocess.run(
        ["make", "-n", "-W", "requirements.txt", "run", *args],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if "manage.py" in line]


def test_make_run_serves_on_the_given_port_and_passes_it_to_every_command():
    commands = _make_run_commands("PORT=8123")
    runserver = [line for line in commands if "runserver" in line]
    assert runserver and runserver[0].endswith("runserver 127.0.0.1:8123")
    # migrate, load_demo and runserver all see the port (so SITE_URL is the same in each).
    demo_commands = [line for line in commands if line.startswith("DEBUG=true")]
    assert len(demo_commands) == 4 and all("PORT=8123" in line for line in demo_commands)


def test_make_run_serves_on_8000_by_default():
    assert any(line.endswith("runserver 127.0.0.1:8000") for line in _make_run_commands())


@pytest.mark.django_db
def test_load_demo_ends_with_the_address_and_the_code_command_that_work(settings, capsys):
    settings.SITE_URL = "http://127.0.0.1:8123"
    call_command("load_demo")
    last_lines = capsys.readouterr().out.splitlines()[-2:]
    assert last_lines[0] == "Open http://127.0.0.1:8123/ and log in with one of the accounts above."
    interpreter = last_lines[1].split(": ", 1)[1].split(" manage.py")[0]
    assert Path(interpreter).exists(), interpreter
    assert last_lines[1].endswith("manage.py demo_totp_code operator@trustnet.example")
