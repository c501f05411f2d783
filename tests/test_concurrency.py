"""One writer at a time: a second writer waits for the warehouse lock instead of failing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from orchestration.defs.resources import WarehouseResource
from orchestration.lib.writer_lock import WarehouseLockTimeout, writer_lock

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


HOLD_WRITER_LOCK = """
import sys
from pathlib import Path
from orchestration.lib.writer_lock import writer_lock
with writer_lock(Path(sys.argv[1]), "the nightly run of the test"):
    print("locked", flush=True)
    sys.stdin.read()  # until the test closes it
"""


def hold_writer_lock(database: Path) -> subprocess.Popen:
    """A process holding the writer lock until its stdin is closed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER_LOCK, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_writer_waits_for_the_run_lock_saying_who_holds_it(tmp_path):
    database = tmp_path / "cx.duckdb"
    holder = hold_writer_lock(database)
    threading.Timer(2, holder.stdin.close).start()
    messages = []
    started = time.monotonic()
    with writer_lock(database, "second", log=messages.append):
        waited = time.monotonic() - started
        # Re-entered by the same thread (the CLI around its Dagster run): no wait, no deadlock.
        with writer_lock(database, "second, its Dagster run", timeout=0):
            pass
    holder.wait(timeout=30)
    assert waited > 1.5
    assert messages[0].startswith(
        f"Waiting: the warehouse {database} is being written by the nightly run of the test "
        f"(pid {holder.pid} on "
    )
    assert re.search(
        r", since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); this run starts when it finishes", messages[0]
    )
    assert messages[1].startswith(f"The warehouse {database} is free after ")


def test_a_writer_gives_up_after_the_timeout_naming_the_holder(tmp_path):
    database = tmp_path / "cx.duckdb"
    holder = hold_writer_lock(database)
    try:
        with (
            pytest.raises(
                WarehouseLockTimeout, match=r"written by the nightly run of the test \(pid \d+ .*gave up"
            ),
            writer_lock(database, "second", timeout=1.5, log=lambda message: None),
        ):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
    with writer_lock(database, "after the holder died", timeout=0):  # the kernel released it
        pass


def test_a_dagster_run_holds_the_lock_from_start_to_end(tmp_path):
    """Whatever starts a run (the schedule, the sensor, the UI, the CLI), its warehouse resource
    waits for the lock before the first step."""
    database = tmp_path / "cx.duckdb"
    holder = hold_writer_lock(database)

    @dg.asset
    def first(warehouse: WarehouseResource) -> None:
        assert holder.poll() is not None  # runs only once the holder has gone
        with warehouse.connect() as con:
            con.execute("create table t as select 1 as x")

    def waiting_message(instance) -> str | None:
        for run in instance.get_runs():
            for entry in instance.all_logs(run.run_id):
                if entry.user_message.startswith("Waiting: the warehouse"):
                    return entry.user_message
        return None

    with dg.instance_for_test() as instance, ThreadPoolExecutor(1) as pool:
        run = pool.submit(
            dg.materialize,
            [first],
            resources={"warehouse": WarehouseResource(database=str(database))},
            instance=instance,
        )
        deadline = time.monotonic() + 120
        while (
            (message := waiting_message(instance)) is None and not run.done() and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        holder.stdin.close()
        holder.wait(timeout=30)
        assert run.result(timeout=120).success
    assert message and "the nightly run of the test" in message


def test_every_asset_and_check_of_the_project_takes_the_lock():
    """So any selection of a run (the sensor's raw assets, a mart from the UI) holds it."""
    from orchestration.definitions import defs

    nodes = [*defs.assets, *defs.asset_checks]
    assert len(nodes) == 2 * 20 + 3  # 20 raw assets and their checks, dbt, the mart checks, publishing
    assert [n.node_def.name for n in nodes if "warehouse" not in n.required_resource_keys] == []


@pytest.mark.slow
def test_two_cli_runs_started_together_complete_one_after_the_other(sample_baseline, tmp_path):
    """Two `python -m orchestration.run` (make backfill) of the eighth day of the sample, started at
    the same moment on the same warehouse: the second waits for the first, saying who holds the
    warehouse; both succeed, one after the other, and the marts equal those of a single run."""
    from orchestration.bench import mart_digests
    from tests.pipeline import environment, run_cx_daily

    day = "2025-07-08"

    def copy_of_the_baseline(root: Path) -> Path:
        shutil.copytree(sample_baseline / "landing", root / "landing")
        shutil.copytree(sample_baseline / "published", root / "published", symlinks=True)
        shutil.copy(sample_baseline / "cx.duckdb", root / "cx.duckdb")
        (root / "dagster_home").mkdir()
        return root

    single, double = copy_of_the_baseline(tmp_path / "single"), copy_of_the_baseline(tmp_path / "double")
    with dg.instance_for_test() as instance:
        result = run_cx_daily(
            instance, single / "landing", single / "cx.duckdb", single / "published", day, day
        )
    assert result.success

    variables = {
        **os.environ,
        "CX_LANDING_DIR": str(double / "landing"),
        "DUCKDB_DATABASE": str(double / "cx.duckdb"),
        "CX_PUBLISHED_DIR": str(double / "published"),
        "DAGSTER_HOME": str(double / "dagster_home"),
    }
    with environment(DAGSTER_HOME=variables["DAGSTER_HOME"]), dg.DagsterInstance.get():
        pass  # its storage made, as after any earlier run: the runs do not race to create it
    command = [sys.executable, "-m", "orchestration.run", "--start", day, "--end", day]
    runs = [
        subprocess.Popen(
            command,
            env=variables,
            cwd=Path(__file__).parents[1],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=900)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], [output[-3000:] for output in outputs]
    assert all("Run succeeded." in output for output in outputs)
    waited = [i for i, output in enumerate(outputs) if "Waiting: the warehouse" in output]
    assert len(waited) == 1
    first = runs[1 - waited[0]]
    assert (
        f"is being written by `python -m orchestration.run --start {day} --end {day}` (pid {first.pid} on "
        in outputs[waited[0]]
    )
    with environment(DAGSTER_HOME=str(double / "dagster_home")), dg.DagsterInstance.get() as instance:
        records = sorted(instance.get_run_records(), key=lambda record: record.start_time)
    assert len(records) == 2 and records[1].start_time >= records[0].end_time  # one after the other
    assert mart_digests(double / "cx.duckdb") == mart_digests(single / "cx.duckdb")
    con = duckdb.connect(str(double / "cx.duckdb"), read_only=True)
    try:
        assert con.execute(
            "select count(*) from quarantine.reconciliation where not is_balanced"
        ).fetchone() == (0,)
    finally:
        con.close()
