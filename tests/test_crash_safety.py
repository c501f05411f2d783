"""A run killed with SIGKILL during ingestion or during dbt leaves the published marts intact and
readable, and the next run completes normally (publishing itself: tests/test_publish.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.samples import generate

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
RANGE = ["--start", "2025-07-01", "--end", "2025-07-03"]


def published_counts(published: Path) -> dict[str, int]:
    con = duckdb.connect(str(published / "marts.duckdb"), read_only=True)
    try:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def start_run(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.run", *RANGE],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def kill_when(process: subprocess.Popen, marker: str, extra_seconds: float) -> None:
    for line in process.stdout:
        if marker in line:
            break
    else:
        pytest.fail(f"the run ended before {marker!r}")
    time.sleep(extra_seconds)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_sigkill_during_ingestion_and_dbt_then_next_run_is_green(tmp_path):
    generate(tmp_path / "landing", date(2025, 7, 1), 3)
    env = {
        **os.environ,
        "CX_LANDING_DIR": str(tmp_path / "landing"),
        "DUCKDB_DATABASE": str(tmp_path / "cx.duckdb"),
        "CX_PUBLISHED_DIR": str(tmp_path / "published"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    (tmp_path / "dagster_home").mkdir()
    first = subprocess.run(
        [sys.executable, "-m", "orchestration.run", *RANGE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stdout[-3000:]
    before = published_counts(tmp_path / "published")
    assert before["kpi_catalogue"] == 63

    for marker, extra in (("partition(s), read", 0.5), ("Running with dbt=", 3.0)):
        kill_when(start_run(env), marker, extra)
        assert published_counts(tmp_path / "published") == before, f"after a kill at {marker!r}"

    # The next run completes; BI readers polling the published copy meanwhile never fail and
    # always see a complete version.
    seen, errors, stop = [], [], threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append(published_counts(tmp_path / "published") == before)
            except Exception as error:  # any failure of a reader is a defect
                errors.append(repr(error))
            time.sleep(0.05)

    thread = threading.Thread(target=reader)
    thread.start()
    again = subprocess.run(
        [sys.executable, "-m", "orchestration.run", *RANGE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    stop.set()
    thread.join()
    assert again.returncode == 0, again.stdout[-3000:]
    assert errors == [] and seen and all(seen)
    assert published_counts(tmp_path / "published") == before
