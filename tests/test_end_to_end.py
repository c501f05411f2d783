"""End to end on generated sample data: generator -> Dagster job (ingest + dbt) -> marts.

One module-scoped run over a short range (two weeks) into a temporary warehouse; the tests
then read what it produced.
"""

from __future__ import annotations

import os
import re
from datetime import date

import dagster as dg
import duckdb
import pytest

from orchestration.lib.config import load_sources
from orchestration.lib.samples import generate

pytestmark = pytest.mark.slow

START, DAYS = date(2025, 7, 1), 14
END = date(2025, 7, 14)
PHONE = re.compile(r"(?<![\d+])(\+?84|0)[\s.-]?[35789]\d{1,2}[\s.-]?\d{3}[\s.-]?\d{3,4}(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    landing, warehouse = root / "landing", root / "cx.duckdb"
    manifest = generate(landing, START, DAYS)
    published = root / "published"
    saved = {k: os.environ.get(k) for k in ("CX_LANDING_DIR", "DUCKDB_DATABASE", "CX_PUBLISHED_DIR")}
    os.environ["CX_LANDING_DIR"], os.environ["DUCKDB_DATABASE"] = str(landing), str(warehouse)
    os.environ["CX_PUBLISHED_DIR"] = str(published)
    try:
        from orchestration.definitions import defs
        from orchestration.defs.resources import WarehouseResource

        job = defs.resolve_job_def("cx_daily")
        with dg.instance_for_test() as instance:
            result = job.execute_in_process(
                instance=instance,
                resources={"warehouse": WarehouseResource(database=str(warehouse))},
                tags={
                    "dagster/asset_partition_range_start": START.isoformat(),
                    "dagster/asset_partition_range_end": END.isoformat(),
                },
                raise_on_error=False,
            )
            failures = [e.message for e in result.all_events if e.is_step_failure]
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    digests = mart_digests(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield {
        "result": result,
        "failures": failures,
        "con": con,
        "manifest": manifest,
        "landing": str(landing),
        "digests": digests,
        "published": published,
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


def mart_digests(path) -> dict[str, str]:
    import hashlib

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            t: hashlib.sha256(
                repr(con.execute(f"select * from marts.{t} order by all").fetchall()).encode()
            ).hexdigest()
            for t in tables
        }
    finally:
        con.close()


def test_backfill_in_two_runs_and_a_rerun_give_the_same_marts_as_one_run(pipeline, tmp_path):
    """Week 1 then week 2 as two runs (the second incremental, with its window) = one 14-day run;
    and re-running week 2 changes nothing (idempotent)."""
    from orchestration.definitions import defs
    from orchestration.defs.resources import WarehouseResource

    warehouse = tmp_path / "two_runs.duckdb"
    job = defs.resolve_job_def("cx_daily")
    with dg.instance_for_test() as instance:
        for start, end in (
            ("2025-07-01", "2025-07-07"),
            ("2025-07-08", "2025-07-14"),
            ("2025-07-08", "2025-07-14"),
        ):
            os.environ["CX_LANDING_DIR"], os.environ["DUCKDB_DATABASE"] = pipeline["landing"], str(warehouse)
            os.environ["CX_PUBLISHED_DIR"] = str(tmp_path / "published")
            try:
                result = job.execute_in_process(
                    instance=instance,
                    resources={"warehouse": WarehouseResource(database=str(warehouse))},
                    tags={
                        "dagster/asset_partition_range_start": start,
                        "dagster/asset_partition_range_end": end,
                    },
                    raise_on_error=False,
                )
            finally:
                for key in ("CX_LANDING_DIR", "DUCKDB_DATABASE", "CX_PUBLISHED_DIR"):
                    os.environ.pop(key)
            assert result.success
    assert mart_digests(warehouse) == pipeline["digests"]
