"""Publishing: complete versions only, old DuckDB storage format, Parquet beside it."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish import publish_marts


def build_warehouse(path, version: int, rows: int = 50_000) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    for table in ("a_kpis", "b_kpis"):
        con.execute(
            f"create or replace table marts.{table} as "
            f"select {version} as version, range as n from range({rows})"
        )
    con.close()


def test_publish_writes_duckdb_in_old_storage_format_and_parquet(tmp_path):
    warehouse, published = tmp_path / "cx.duckdb", tmp_path / "published"
    build_warehouse(warehouse, 1, rows=10)
    result = publish_marts(warehouse, published)
    assert result["tables"] == {"a_kpis": 10, "b_kpis": 10}
    con = duckdb.connect(str(published / "marts.duckdb"), read_only=True)
    assert con.execute("select count(*) from marts.a_kpis").fetchone() == (10,)
    tags = con.execute("select tags from duckdb_databases() where database_name = 'marts'").fetchone()[0]
    assert tags["storage_version"].startswith("v1.0.0")
    con.close()
    assert duckdb.sql(f"select count(*) from '{published / 'parquet' / 'b_kpis.parquet'}'").fetchall() == [
        (10,)
    ]


def test_readers_polling_during_publishes_never_see_an_error_or_a_mixed_version(tmp_path):
    warehouse, published = tmp_path / "cx.duckdb", tmp_path / "published"
    build_warehouse(warehouse, 0)
    publish_marts(warehouse, published)
    seen, errors, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                con = duckdb.connect(str(published / "marts.duckdb"), read_only=True)
                versions = con.execute(
                    "select distinct version from marts.a_kpis "
                    "union select distinct version from marts.b_kpis"
                ).fetchall()
                con.close()
                # A query over several Parquet files resolves the link once (README): the link
                # may be swapped between opening one file and the next.
                version_dir = (published / "parquet").resolve()
                with duckdb.connect() as memory:
                    parquet = memory.execute(
                        f"select distinct version from read_parquet('{version_dir}/*.parquet')"
                    ).fetchall()
                seen.append((len(versions), len(parquet)))
            except Exception as error:  # any failure is a defect
                errors.append(repr(error))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for version in range(1, 6):
        build_warehouse(warehouse, version)
        publish_marts(warehouse, published)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert seen and all(v == (1, 1) for v in seen)  # one version per file set, never a mix
    assert len(list((published / "versions").iterdir())) == 2  # old versions pruned


PUBLISH_FOREVER = """
import sys
from pathlib import Path
from orchestration.lib.publish import publish_marts
print("started", flush=True)
while True:
    publish_marts(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_sigkill_while_publishing_leaves_the_last_version_readable(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    warehouse, published = tmp_path / "cx.duckdb", tmp_path / "published"
    build_warehouse(warehouse, 1, rows=300_000)
    publish_marts(warehouse, published)
    for delay in (0.05, 0.2, 0.45, 0.8):
        process = subprocess.Popen(
            [sys.executable, "-c", PUBLISH_FOREVER, str(warehouse), str(published)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[1],
        )
        assert process.stdout.readline().strip() == "started"
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        con = duckdb.connect(str(published / "marts.duckdb"), read_only=True)
        assert con.execute("select count(*), count(distinct version) from marts.a_kpis").fetchone() == (
            300_000,
            1,
        )
        con.close()
        with duckdb.connect() as memory:
            assert memory.execute(
                f"select count(*) from read_parquet('{published}/parquet/*.parquet')"
            ).fetchone() == (600_000,)
    build_warehouse(warehouse, 2, rows=10)
    assert publish_marts(warehouse, published)["tables"] == {"a_kpis": 10, "b_kpis": 10}  # next run is fine
    assert not list(published.glob(".marts-*"))  # leftovers of killed runs are cleaned up


OLD_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(duckdb.__version__, con.execute("select count(*) from a_kpis").fetchone()[0])
"""


@pytest.mark.slow
def test_published_file_opens_in_duckdb_1_0(tmp_path):
    """BI drivers bundle older DuckDB releases: the published file must open in DuckDB 1.0."""
    import subprocess
    import venv

    warehouse, published = tmp_path / "cx.duckdb", tmp_path / "published"
    build_warehouse(warehouse, 1, rows=10)
    publish_marts(warehouse, published)
    old = tmp_path / "old_duckdb"
    venv.create(old, with_pip=True)
    subprocess.run([old / "bin" / "pip", "install", "--quiet", "duckdb==1.0.0"], check=True)
    done = subprocess.run(
        [old / "bin" / "python", "-c", OLD_READER, str(published / "marts.duckdb")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["1.0.0", "10"]
