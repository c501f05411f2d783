"""One writer at a time: a second writer waits for the warehouse lock instead of failing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import yaml

from orchestration.defs.resources import WarehouseResource

HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists t (x int)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_second_writer_waits_for_the_lock_and_then_writes(tmp_path):
    database = tmp_path / "cx.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(database), "2"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    with WarehouseResource(database=str(database)).connect() as con:
        waited = time.monotonic() - started
        con.execute("insert into t values (1)")
        assert con.execute("select count(*) from t").fetchone() == (1,)
    holder.wait(timeout=30)
    assert waited > 1.0  # it really waited for the other process, it did not fail


def test_instance_allows_one_warehouse_writer_at_a_time():
    config = yaml.safe_load((Path(__file__).parents[1] / "orchestration" / "dagster.yaml").read_text())
    assert config["concurrency"]["pools"]["default_limit"] == 1
