"""Run the cx_daily job in-process against a given landing folder, warehouse and published folder
(the slow tests share it)."""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb


@contextmanager
def environment(**variables: str):
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_cx_daily(
    instance: dg.DagsterInstance,
    landing: Path,
    warehouse: Path,
    published: Path,
    start: str,
    end: str,
    **env: str,
) -> dg.ExecuteInProcessResult:
    """One run of the main job over the partitions start..end (ISO dates); failures don't raise."""
    from orchestration.definitions import defs
    from orchestration.defs.resources import WarehouseResource

    with environment(
        CX_LANDING_DIR=str(landing), DUCKDB_DATABASE=str(warehouse), CX_PUBLISHED_DIR=str(published), **env
    ):
        return defs.resolve_job_def("cx_daily").execute_in_process(
            instance=instance,
            resources={"warehouse": WarehouseResource(database=str(warehouse))},
            tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
            raise_on_error=False,
        )


def mart_digests(path: Path) -> dict[str, str]:
    """SHA-256 of every mart's sorted rows."""
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
