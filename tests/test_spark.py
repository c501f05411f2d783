"""The same project on Apache Spark (`make test-spark`): every mart that dbt builds on Spark equals
the DuckDB build of the same data.

Two weeks of generated sample data go through the Dagster job on DuckDB in two runs of a week,
as the nightly schedule would. After each run the raw data is loaded into Spark (local pyspark,
its metastore in a temporary CX_SPARK_DIR) and `dbt build --target spark` builds every model and
runs every data and unit test there: the first time from nothing, the second time incrementally
(insert_overwrite of the changed days). After each, every mart listed in dbt's manifest is read
back through Spark and compared with DuckDB's: same columns, same rows, strings, dates, counts and
amounts equal, doubles equal within a relative 1e-6.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, PROJECT_ROOT
from orchestration.samples import generate
from tests.pipeline import run_cx_daily

if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
    pytest.skip("the spark extra is not installed: make test-spark", allow_module_level=True)

pytestmark = [pytest.mark.spark, pytest.mark.slow]

START, DAYS = date(2025, 7, 1), 14
RUNS = [("2025-07-01", "2025-07-07"), ("2025-07-08", "2025-07-14")]
SALT = "spark-salt-7c2e91d4"  # not the development salt: the keys must come from this one
REL_TOL = 1e-6


def run(command: list[str], log: Path, cwd: Path, environment: dict[str, str]) -> None:
    """Run a command with its output in `log`; a failure shows the end of that log."""
    with log.open("w") as out:
        code = subprocess.run(
            command, cwd=cwd, env=environment, stdout=out, stderr=subprocess.STDOUT
        ).returncode
    if code != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:])
        pytest.fail(f"{' '.join(map(str, command))} failed ({code}), log {log}:\n{tail}")


def mart_names(manifest: Path) -> list[str]:
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return sorted(n["name"] for n in nodes if n["resource_type"] == "model" and n["schema"] == "marts")


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Per run: the DuckDB warehouse as the run left it, and the Spark tables exported to Parquet."""
    root = tmp_path_factory.mktemp("spark")
    landing, warehouse, published = root / "landing", root / "cx.duckdb", root / "published"
    generate(landing, START, DAYS)
    environment = {
        **os.environ,
        "CX_SPARK_DIR": str(root / "spark"),
        "CX_PSEUDONYM_SALT": SALT,
        "DBT_TARGET_PATH": str(root / "dbt_spark_target"),
        "DBT_LOG_PATH": str(root / "dbt_spark_logs"),
    }
    python = [sys.executable, "-m", "orchestration.lib.spark"]
    results = []
    with dg.instance_for_test() as instance:
        for number, (start, end) in enumerate(RUNS, 1):
            result = run_cx_daily(
                instance,
                landing,
                warehouse,
                published,
                start,
                end,
                CX_PSEUDONYM_SALT=SALT,
                DBT_TARGET_PATH=str(root / "dbt_duckdb_target"),
            )
            assert result.success, [e.message for e in result.all_events if e.is_step_failure]
            duckdb_copy = root / f"duckdb_run{number}.duckdb"
            shutil.copy(warehouse, duckdb_copy)

            run(
                [*python, "load-raw", "--warehouse", str(warehouse)],
                root / f"load_raw{number}.log",
                PROJECT_ROOT,
                environment,
            )
            dbt_vars = json.dumps({"window_start": start})
            run(
                [
                    str(DBT_EXECUTABLE),
                    "build",
                    "--profiles-dir",
                    ".",
                    "--target",
                    "spark",
                    "--vars",
                    dbt_vars,
                ],
                root / f"dbt_spark_build{number}.log",
                DBT_PROJECT_DIR,
                environment,
            )
            marts = mart_names(root / "dbt_spark_target" / "manifest.json")
            exported = root / f"spark_run{number}"
            tables = [f"marts.{m}" for m in marts] + ["intermediate.int_customer_identifiers_resolved"]
            run(
                [*python, "export", "--out", str(exported), *tables],
                root / f"export{number}.log",
                PROJECT_ROOT,
                environment,
            )
            incremental_sql = (
                root
                / "dbt_spark_target"
                / "run"
                / "cx_warehouse"
                / "models"
                / "intermediate"
                / "sales"
                / "int_order_lines_enriched.sql"
            ).read_text()
            results.append(
                {"duckdb": duckdb_copy, "spark": exported, "marts": marts, "incremental_sql": incremental_sql}
            )
    yield {"runs": results, "root": root}


def read_duckdb(path: Path, table: str) -> tuple[list[str], list[str], list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(f"describe {table}").fetchall()
        rows = con.execute(f"select * from {table}").fetchall()
        return [c[0] for c in columns], [c[1] for c in columns], rows
    finally:
        con.close()


def read_spark_export(folder: Path) -> tuple[list[str], list[tuple]]:
    con = duckdb.connect()
    try:
        relation = con.sql(f"select * from read_parquet('{folder}/*.parquet')")
        return relation.columns, relation.fetchall()
    finally:
        con.close()


def differences(table: str, duckdb_path: Path, spark_folder: Path, limit: int = 5) -> list[str]:
    """How Spark's table differs from DuckDB's: columns, row count, then row by row in key order
    (rows sorted on every column that is not a double, so a last-digit difference cannot reorder)."""
    columns, types, duck_rows = read_duckdb(duckdb_path, table)
    spark_columns, spark_rows = read_spark_export(spark_folder)
    if spark_columns != columns:
        return [f"{table}: columns differ: DuckDB {columns}, Spark {spark_columns}"]
    if len(spark_rows) != len(duck_rows):
        return [f"{table}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"]
    is_double = [t in ("DOUBLE", "FLOAT") for t in types]
    key = [i for i, double in enumerate(is_double) if not double]

    def order(row):
        return tuple((row[i] is None, row[i] if row[i] is not None else 0) for i in key)

    found = []
    for duck, spark in zip(sorted(duck_rows, key=order), sorted(spark_rows, key=order), strict=True):
        for i, (a, b) in enumerate(zip(duck, spark, strict=True)):
            if a is None or b is None:
                same = a is None and b is None
            elif is_double[i]:
                same = math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9)
            else:
                same = a == b
            if not same:
                found.append(f"{table}.{columns[i]}: DuckDB {a!r}, Spark {b!r} in row {duck}")
                break
        if len(found) >= limit:
            break
    return found


def test_spark_builds_every_mart_that_duckdb_builds(builds):
    for built in builds["runs"]:
        con = duckdb.connect(str(built["duckdb"]), read_only=True)
        duckdb_marts = sorted(
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        )
        con.close()
        assert built["marts"] == duckdb_marts
        assert {"kpi_catalogue", "feedback_verbatims", "sales_kpis"} <= set(built["marts"])


@pytest.mark.parametrize("run_number", [1, 2], ids=["first_build", "incremental_build"])
def test_every_mart_on_spark_equals_duckdb(builds, run_number):
    built = builds["runs"][run_number - 1]
    found = []
    for mart in built["marts"]:
        found += differences(f"marts.{mart}", built["duckdb"], built["spark"] / f"marts.{mart}")
    assert not found, "\n".join(found)


def test_second_spark_build_was_incremental(builds):
    first, second = builds["runs"]
    # The first build created the table; the second overwrote the changed days' partitions only.
    assert "insert overwrite" not in first["incremental_sql"].lower()
    assert "insert overwrite table" in second["incremental_sql"].lower()
    assert "partition (ordered_date)" in second["incremental_sql"].lower()


def test_customer_keys_are_equal_on_both_engines_and_use_the_salt(builds):
    built = builds["runs"][-1]
    table = "intermediate.int_customer_identifiers_resolved"
    assert not differences(table, built["duckdb"], built["spark"] / table)
    columns, rows = read_spark_export(built["spark"] / table)
    assert len(rows) > 1000
    # A key is the SHA-256 of the salt and its group's smallest identifier; the smallest identifier
    # of all is the smallest of its group.
    identifier, key = columns.index("identifier"), columns.index("customer_key")
    keys = {row[identifier]: row[key] for row in rows}
    smallest = min(keys)
    assert keys[smallest] == hashlib.sha256(f"{SALT}{smallest}".encode()).hexdigest()


def test_salt_is_not_written_to_dbt_artifacts_or_logs_on_spark(builds):
    root = builds["root"]
    # dbt's artifacts and debug log of the Spark builds, and what the commands printed.
    files = [p for folder in ("dbt_spark_target", "dbt_spark_logs") for p in (root / folder).rglob("*")]
    files = [p for p in files if p.is_file()] + list(root.glob("*.log"))
    assert files
    leaks = [str(path) for path in files if SALT.encode() in path.read_bytes()]
    assert not leaks


def test_comparison_finds_a_changed_number_a_changed_text_a_missing_row_and_a_renamed_column(tmp_path):
    """The comparison above is only worth something if it fails: a DuckDB table against Parquet
    folders that differ from it in one way each."""
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute(
        "create table marts.t as select * from (values ('day', 'web', 10::bigint, 0.25::double), "
        "('day', 'all', 12::bigint, 1.0::double)) as v(period_grain, channel, orders, rate)"
    )
    variants = {
        "same": "select * from marts.t",
        "close": "select * replace (rate * (1 + 1e-9) as rate) from marts.t",
        "number": "select * replace (rate * (1 + 1e-4) as rate) from marts.t",
        "count": "select * replace (orders + 1 as orders) from marts.t",
        "text": "select * replace (upper(channel) as channel) from marts.t where channel = 'web' "
        "union all select * from marts.t where channel = 'all'",
        "row": "select * from marts.t where channel = 'web'",
        "column": "select * rename (rate as ratio) from marts.t",
    }
    for name, query in variants.items():
        (tmp_path / name).mkdir()
        con.execute(f"copy ({query}) to '{tmp_path / name / 'data.parquet'}' (format parquet)")
    con.close()
    found = {name: differences("marts.t", warehouse, tmp_path / name) for name in variants}
    assert found["same"] == [] and found["close"] == []
    assert all(found[name] for name in ("number", "count", "text", "row", "column")), found
