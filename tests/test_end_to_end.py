"""End to end on generated sample data: generator -> Dagster job (ingest + dbt) -> marts.

One module-scoped run over a short range (two weeks) into a temporary warehouse; the tests
then read what it produced.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date

import dagster as dg
import duckdb
import pytest

from orchestration.bench import mart_digests
from orchestration.lib.config import load_sources
from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR
from orchestration.samples import generate
from tests.pipeline import run_cx_daily

pytestmark = pytest.mark.slow

START, DAYS = date(2025, 7, 1), 14
END = date(2025, 7, 14)
PHONE = re.compile(r"(?<![\d+])(\+?84|0)[\s.-]?[35789]\d{1,2}[\s.-]?\d{3}[\s.-]?\d{3,4}(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SALT = "e2e-salt-5b1f0c9a"  # a secret that must not leak into any artifact or log


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    landing, warehouse = root / "landing", root / "cx.duckdb"
    manifest = generate(landing, START, DAYS)
    published, dbt_artifacts = root / "published", root / "dbt_target"
    with dg.instance_for_test() as instance:
        result = run_cx_daily(
            instance,
            landing,
            warehouse,
            published,
            START.isoformat(),
            END.isoformat(),
            CX_PSEUDONYM_SALT=SALT,
            # dbt's compiled SQL, run results and debug log of this run (dagster-dbt reads it).
            DBT_TARGET_PATH=str(dbt_artifacts),
        )
        failures = [e.message for e in result.all_events if e.is_step_failure]
        event_log = "\n".join(repr(record) for record in instance.all_logs(result.run_id))
    digests = mart_digests(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield {
        "result": result,
        "failures": failures,
        "con": con,
        "manifest": manifest,
        "landing": str(landing),
        "warehouse": warehouse,
        "digests": digests,
        "published": published,
        "dbt_artifacts": dbt_artifacts,
        "event_log": event_log,
    }
    con.close()


def test_run_succeeds(pipeline):
    assert pipeline["result"].success, pipeline["failures"]


def test_every_source_loaded_into_raw_for_every_day(pipeline):
    con = pipeline["con"]
    for source in load_sources():
        days = con.execute(
            "select count(distinct partition_date) from meta.ingested_files "
            "where source = ? and status = 'loaded'",
            [source.name],
        ).fetchone()[0]
        assert days == DAYS, source.name
        assert con.execute(f"select count(*) from raw.{source.name}").fetchone()[0] > 0, source.name


def test_reconciliation_holds_and_quarantine_matches_the_known_dirt(pipeline):
    con = pipeline["con"]
    unbalanced = con.execute("select * from quarantine.reconciliation where not is_balanced").fetchall()
    assert unbalanced == []
    expected = {
        name: sum(
            entry["dirt"][kind]
            for kind in (
                "malformed_lines",
                "unparseable_values",
                "out_of_range",
                "unknown_values",
                "missing_required",
                "duplicate_rows",
            )
        )
        for name, entry in pipeline["manifest"]["sources"].items()
    }
    got = dict(
        con.execute(
            "select source, sum(rows_quarantined) from quarantine.reconciliation group by source"
        ).fetchall()
    )
    assert {k: int(v) for k, v in got.items()} == expected


def test_pseudonym_salt_is_used_but_never_written_to_artifacts_or_logs(pipeline):
    con = pipeline["con"]
    keyed_with = {
        salt: con.execute(
            "select count(*) from intermediate.int_customer_identifiers_resolved "
            "where customer_key = sha256(? || identifier)",
            [salt],
        ).fetchone()[0]
        for salt in (SALT, "cx-warehouse")
    }
    assert keyed_with[SALT] > 0 and keyed_with["cx-warehouse"] == 0, keyed_with
    files = [path for path in pipeline["dbt_artifacts"].rglob("*") if path.is_file()]
    assert any(path.name == "dbt.log" for path in files) and any(path.suffix == ".sql" for path in files)
    leaks = [str(path) for path in files if SALT.encode() in path.read_bytes()]
    assert leaks == []
    assert "int_customer_identifiers_resolved" in pipeline["event_log"]
    assert SALT not in pipeline["event_log"]


def test_no_phone_or_email_in_any_mart(pipeline):
    con = pipeline["con"]
    text_columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'"
    ).fetchall()
    assert text_columns
    for table, column in text_columns:
        values = [
            v for (v,) in con.execute(f'select distinct "{column}" from marts."{table}"').fetchall() if v
        ]
        leaks = [v for v in values if PHONE.search(v) or EMAIL.search(v)]
        assert leaks == [], f"marts.{table}.{column}: {leaks[:3]}"


def test_published_copy_has_every_mart_and_no_phone_or_email(pipeline):
    published = pipeline["published"]
    marts = {
        t
        for (t,) in pipeline["con"]
        .execute("select table_name from duckdb_tables() where schema_name = 'marts'")
        .fetchall()
    }
    assert {p.stem for p in (published / "parquet").glob("*.parquet")} == marts
    reader = duckdb.connect(str(published / "marts.duckdb"), read_only=True)
    try:
        assert {t for (t,) in reader.execute("select table_name from duckdb_tables()").fetchall()} == marts
        text_columns = reader.execute(
            "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in text_columns:
            values = [
                v for (v,) in reader.execute(f'select distinct "{column}" from "{table}"').fetchall() if v
            ]
            leaks = [v for v in values if PHONE.search(v) or EMAIL.search(v)]
            assert leaks == [], f"published {table}.{column}: {leaks[:3]}"
    finally:
        reader.close()


def test_catalogue_has_every_kpi_of_the_brief(pipeline):
    con = pipeline["con"]
    keys = {k for (k,) in con.execute("select kpi from seeds.catalogue__kpi_keys").fetchall()}
    catalogue = {k for (k,) in con.execute("select kpi from marts.kpi_catalogue").fetchall()}
    assert keys == catalogue and len(keys) == 63


def test_total_rows_have_kpis_for_every_grain(pipeline):
    con = pipeline["con"]
    rows = con.execute(
        "select kpi, mart, column_name, channel_column, definition from marts.kpi_catalogue"
    ).fetchall()
    missing = []
    for kpi, mart, column, channel_column, definition in rows:
        if kpi == "verbatims":
            continue
        for grain in ("day", "week", "month", "quarter", "year"):
            (non_null,) = con.execute(
                f'select count("{column}") from {mart} '
                f"where period_grain = ? and \"{channel_column}\" = 'all'",
                [grain],
            ).fetchone()
            if not non_null and "null" not in definition.lower():
                missing.append((kpi, grain))
    assert missing == []


def test_backfill_in_two_runs_and_a_rerun_give_the_same_marts_as_one_run(pipeline, tmp_path):
    """Week 1 then week 2 as two runs (the second incremental, with its window) = one 14-day run;
    and re-running week 2 changes nothing (idempotent)."""
    warehouse = tmp_path / "two_runs.duckdb"
    with dg.instance_for_test() as instance:
        for start, end in (
            ("2025-07-01", "2025-07-07"),
            ("2025-07-08", "2025-07-14"),
            ("2025-07-08", "2025-07-14"),
        ):
            result = run_cx_daily(
                instance,
                pipeline["landing"],
                warehouse,
                tmp_path / "published",
                start,
                end,
                DBT_TARGET_PATH=str(tmp_path / "dbt"),
            )
            assert result.success
    assert mart_digests(warehouse) == pipeline["digests"]
    # The incremental runs delete the rows they replace by a semi-join (macros/incremental.sql),
    # not dbt-duckdb's join, which on a key not unique in the table (the buyers' periods) pairs
    # every stored row with every new one and did not finish at scale 25.
    logs = "".join(path.read_text() for path in (tmp_path / "dbt").rglob("dbt.log"))
    assert "where (period_grain, period_start) in (select period_grain, period_start from" in logs
    assert "DBT_INCREMENTAL_TARGET" not in logs


def test_dbt_unit_tests_pass_here_and_the_job_leaves_them_out(pipeline, tmp_path):
    """The job's dbt build excludes unit tests (their SQL logic does not change between runs);
    this suite runs every one of them, on a copy of the warehouse the job built."""
    (job_results,) = pipeline["dbt_artifacts"].glob("*/run_results.json")
    job_ran = [r["unique_id"] for r in json.loads(job_results.read_text())["results"]]
    assert any(n.startswith("test.") for n in job_ran)
    assert not [n for n in job_ran if n.startswith("unit_test.")]

    warehouse = tmp_path / "unit_tests.duckdb"
    shutil.copy(pipeline["warehouse"], warehouse)
    target = tmp_path / "dbt_target"
    completed = subprocess.run(
        [str(DBT_EXECUTABLE), "test", "--select", "test_type:unit", "--profiles-dir", "."],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "DUCKDB_DATABASE": str(warehouse), "DBT_TARGET_PATH": str(target)},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-5000:]
    statuses = [r["status"] for r in json.loads((target / "run_results.json").read_text())["results"]]
    nodes = json.loads((target / "manifest.json").read_text())["unit_tests"]
    assert nodes and statuses == ["pass"] * len(nodes)
