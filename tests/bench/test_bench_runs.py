"""The benchmark script keeps working as the register changes (its figures are never asserted)."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "trustnet_bench_smoke"


def _drop(*databases: str) -> None:
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        for name in databases:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    connection.close()


def test_proxy_build_benchmark_runs_end_to_end_at_a_small_size():
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "BENCH_DATABASE_NAME": DATABASE,
    }
    try:
        result = subprocess.run(
            [sys.executable, "bench/proxy_build.py", "--services", "20", "--runs", "1"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        _drop(DATABASE, f"{DATABASE}_template")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Incremental, N=20" in result.stdout
